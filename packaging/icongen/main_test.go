package main

import (
	"image/color"
	"image/png"
	"os"
	"testing"
)

// The committed icon is the one icongen draws: a change to either shows here.
func TestIconIsDrawn(t *testing.T) {
	f, err := os.Open("../../assets/icon.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	committed, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	drawn := drawIcon()
	if committed.Bounds() != drawn.Bounds() {
		t.Fatalf("assets/icon.png is %v, icongen draws %v", committed.Bounds(), drawn.Bounds())
	}
	for y := range size {
		for x := range size {
			if got, want := committed.At(x, y), drawn.At(x, y); !sameColor(got, want) {
				t.Fatalf("assets/icon.png at (%d,%d) is %v, icongen draws %v: run go run ./packaging/icongen", x, y, got, want)
			}
		}
	}
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
