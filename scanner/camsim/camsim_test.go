package camsim

import (
	"bytes"
	"testing"
)

// TestGenerateIsDeterministic checks that a seed and an index name one frame: the
// benchmark's baselines and a rerun must see the same pixels.
func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(3, 5), Generate(3, 5)
	if !bytes.Equal(a.Image.Pix, b.Image.Pix) || a.Setup != b.Setup {
		t.Fatal("Generate(3, 5) gave two different frames")
	}
	if c := Generate(3, 6); bytes.Equal(a.Image.Pix, c.Image.Pix) {
		t.Fatal("Generate(3, 5) and Generate(3, 6) are the same frame")
	}
}

// TestSetupMatchesFrame checks what the frames say about themselves against what was
// asked: frame sizes, code counts, and module sizes within the drawn range.
func TestSetupMatchesFrame(t *testing.T) {
	for i := range 6 {
		f := Generate(11, i)
		s := f.Setup
		if f.Image.Rect.Size() != s.Size {
			t.Errorf("frame %d: image %v, setup says %v", i, f.Image.Rect.Size(), s.Size)
		}
		if len(f.Codes) != s.Codes {
			t.Errorf("frame %d: %d texts, setup says %d codes", i, len(f.Codes), s.Codes)
		}
		if s.Codes > 0 && (s.ModulePx < 1.2 || s.ModulePx > 10) {
			t.Errorf("frame %d: module %.2f px, want 1.5 to 8.5 give or take tilt", i, s.ModulePx)
		}
		if s.Tilt > 45 {
			t.Errorf("frame %d: tilt %.1f°, want at most 45", i, s.Tilt)
		}
	}
}
