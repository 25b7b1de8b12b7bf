package scanner_test

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/scanner"
)

const cardURL = "https://cards.example.com/c/K7QM2XRT9P6"

func TestDecodeSyntheticFrames(t *testing.T) {
	if _, err := cards.ParsePayload(cardURL); err != nil {
		t.Fatalf("test card URL %q is not a card: %v", cardURL, err)
	}
	for _, s := range []scene{
		{},
		{quad: rotated(320, 240, 260, 37)},
		{quad: rotated(320, 240, 260, 180)},
		{quad: [4][2]float64{{200, 110}, {470, 150}, {450, 400}, {170, 360}}}, // perspective
		{quad: [4][2]float64{{215, 125}, {425, 105}, {455, 405}, {195, 375}}}, // perspective and tilt
		{quad: rotated(320, 240, 150, 10)},                                    // small: 4 px modules
		{blur: 2},                                                             // out of focus
		{noise: 25, seed: 1},                                                  // low light sensor noise
		{dark: 100, light: 150},                                               // low contrast
		{glare: 0.6},                                                          // lamp reflected on a glossy card
		{invert: true, surround: 15},                                          // phone in dark mode
		{invert: true, surround: 15, quad: rotated(330, 230, 220, -20), noise: 8}, // dark mode, tilted
		{size: image.Pt(1280, 720), quad: rotated(900, 300, 200, 15)},             // HD frame, code off centre
		{blur: 1, noise: 12, dark: 70, light: 170, quad: rotated(300, 250, 240, 25), seed: 2},
	} {
		s.text = cardURL
		name := fmt.Sprintf("%+v", s)
		t.Run("", func(t *testing.T) {
			frame := render(t, s)
			got, err := scanner.NewDecoder(0).Decode(frame)
			if err != nil || got != s.text {
				t.Errorf("Decode(%s) = %q, %v; want %q", name, got, err, s.text)
			}
		})
	}
}

// TestDecodeFindsNothingInFramesWithoutCode guards against false positives: what the
// camera sees between customers must never become a card.
func TestDecodeFindsNothingInFramesWithoutCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var frames []image.Image
	frames = append(frames, render(t, scene{}), render(t, scene{noise: 40, seed: 3}), render(t, scene{glare: 0.8}))
	for i := range 60 {
		frames = append(frames, clutter(rng, i%3 == 0))
	}
	dec := scanner.NewDecoder(0)
	for i, f := range frames {
		if got, err := dec.Decode(f); !errors.Is(err, scanner.ErrNoCode) {
			t.Errorf("Decode(frame %d without a code) = %q, %v; want ErrNoCode", i, got, err)
		}
	}
}

// clutter draws random rectangles and squares, some nested like finder patterns, the
// worst case for a detector looking for three of them.
func clutter(rng *rand.Rand, checker bool) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range g.Pix {
		g.Pix[i] = uint8(120 + rng.IntN(40))
	}
	fill := func(r image.Rectangle, v uint8) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				g.SetGray(x, y, color.Gray{Y: v})
			}
		}
	}
	for range 40 {
		x, y, s := rng.IntN(600), rng.IntN(440), 4+rng.IntN(60)
		r := image.Rect(x, y, x+s, y+s*(1+rng.IntN(2))).Intersect(g.Rect)
		fill(r, uint8(rng.IntN(2)*220+10))
		if rng.IntN(3) == 0 { // a ring inside, finder-like
			m := s / 7
			fill(r.Inset(m), 230)
			fill(r.Inset(2*m), 20)
		}
	}
	if checker {
		for y := 100; y < 380; y++ {
			for x := 180; x < 460; x++ {
				if (x/6+y/6)%2 == 0 {
					g.SetGray(x, y, color.Gray{Y: 25})
				}
			}
		}
	}
	return g
}

func TestDecodeTinyImage(t *testing.T) {
	if _, err := scanner.NewDecoder(0).Decode(image.NewGray(image.Rect(0, 0, 5, 5))); !errors.Is(err, scanner.ErrNoCode) {
		t.Errorf("Decode(5x5) err = %v, want ErrNoCode", err)
	}
}

func TestLumaMatchesAcrossImageTypes(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 4, 1))
	nrgba := image.NewNRGBA(image.Rect(0, 0, 4, 1))
	cols := []color.NRGBA{{0, 0, 0, 255}, {255, 255, 255, 255}, {255, 0, 0, 255}, {0, 0, 0, 0}}
	for i, c := range cols {
		rgba.Set(i, 0, c)
		nrgba.Set(i, 0, c)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 4, 1), color.Palette{cols[0], cols[1], cols[2], cols[3]})
	for i := range 4 {
		pal.SetColorIndex(i, 0, uint8(i))
	}
	// Black, white, red by ZXing's weights, transparent read as white paper.
	want := []uint8{0, 255, 76, 255}
	for _, img := range []image.Image{rgba, nrgba, pal} {
		got := scanner.Luma(img)
		for i, w := range want {
			if g := got.GrayAt(i, 0).Y; g != w {
				t.Errorf("Luma(%T) at %d = %d, want %d", img, i, g, w)
			}
		}
	}
	ycc := image.NewYCbCr(image.Rect(0, 0, 8, 8), image.YCbCrSubsampleRatio420)
	ycc.Y[9] = 77
	sub := ycc.SubImage(image.Rect(1, 1, 8, 8))
	if got := scanner.Luma(sub).GrayAt(0, 0).Y; got != 77 {
		t.Errorf("Luma(YCbCr sub-image) at origin = %d, want 77 (the Y plane, in place)", got)
	}
}

// TestDecodeSubImage reads a code from part of a frame whose origin is not (0, 0): the
// region around the finder patterns must be found where it is.
func TestDecodeSubImage(t *testing.T) {
	frame := render(t, scene{text: cardURL, size: image.Pt(1280, 720), quad: rotated(900, 300, 160, 30), blur: 1, noise: 6})
	part := scanner.Luma(frame).SubImage(image.Rect(600, 50, 1280, 720))
	got, err := scanner.NewDecoder(0).Decode(part)
	if err != nil || got != cardURL {
		t.Errorf("Decode(sub-image) = %q, %v; want %q", got, err, cardURL)
	}
}
