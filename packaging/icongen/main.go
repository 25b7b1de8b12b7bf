// Command icongen draws Merci's app icon (assets/icon.png): a loyalty card in the
// brand's green with a row of stamps, one still to earn. Run from the repository root:
// go run ./packaging/icongen.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
)

const size = 512

var (
	green = color.NRGBA{R: 0x1b, G: 0x6e, B: 0x5a, A: 0xff}
	light = color.NRGBA{R: 0x3f, G: 0xb8, B: 0x96, A: 0xff}
	white = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	cream = color.NRGBA{R: 0xf6, G: 0xf4, B: 0xf0, A: 0xff}
)

func main() {
	if err := write("assets/icon.png", drawIcon()); err != nil {
		log.Fatal(err)
	}
}

func drawIcon() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	roundRect(img, 16, 16, size-16, size-16, 96, green)
	roundRect(img, 76, 136, size-76, size-136, 36, cream)
	for i := range 4 {
		cx, cy := 148+i*72, 256
		c := light
		if i == 3 {
			c = white
			circle(img, cx, cy, 27, light)
		}
		circle(img, cx, cy, 24, c)
	}
	return img
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}

func roundRect(img *image.NRGBA, x0, y0, x1, y1, r int, c color.NRGBA) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			dx := max(x0+r-x, x-(x1-r-1), 0)
			dy := max(y0+r-y, y-(y1-r-1), 0)
			if dx*dx+dy*dy <= r*r {
				img.SetNRGBA(x, y, c)
			}
		}
	}
}

func circle(img *image.NRGBA, cx, cy, r int, c color.NRGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
				img.SetNRGBA(x, y, c)
			}
		}
	}
}
