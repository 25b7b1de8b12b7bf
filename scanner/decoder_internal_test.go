package scanner

import (
	"image"
	"image/draw"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// TestLikelyCodesFindsCodeInSubImage checks the rescue region on a plane whose origin is
// not (0, 0): it must hold the whole code and be much smaller than the frame.
func TestLikelyCodesFindsCodeInSubImage(t *testing.T) {
	q, err := qrcode.New("https://cards.example.com/c/K7QM2XRT9P6", qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	frame := image.NewGray(image.Rect(0, 0, 1280, 720))
	for i := range frame.Pix {
		frame.Pix[i] = 200
	}
	code := image.Rect(900, 300, 1100, 500)
	draw.Draw(frame, code, q.Image(200), image.Point{}, draw.Src)
	part := frame.SubImage(image.Rect(600, 50, 1280, 720)).(*image.Gray)

	regions := likelyCodes(part, hybrid(part))
	if len(regions) == 0 {
		t.Fatal("likelyCodes found no finder pattern")
	}
	region := regions[0]
	// The code image includes its quiet zone; the modules lie inside it.
	modules := code.Inset(200 * 4 / (len(q.Bitmap())))
	if !modules.In(region.Rect) {
		t.Errorf("likelyCodes region %v does not hold the code's modules %v", region.Rect, modules)
	}
	if region.Rect.Dx()*region.Rect.Dy() > largeArea {
		t.Errorf("likelyCodes region %v is larger than %d pixels: no better than the frame", region.Rect, largeArea)
	}
}
