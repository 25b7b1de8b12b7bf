package scanner

import (
	"image"

	"github.com/makiuchi-d/gozxing"
)

// scale resizes g by num/den with bilinear interpolation in 8-bit fixed point. Enlarging
// gives the finder-pattern cross checks sub-pixel positions to work with; shrinking
// averages noise away.
func scale(g *image.Gray, num, den int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	W, H := w*num/den, h*num/den
	d := image.NewGray(image.Rect(0, 0, W, H))
	pix := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y):]
	// Source coordinate of destination pixel centre i, in 1/256 pixel: (i+0.5)*den/num - 0.5.
	src := func(i, n int) (int, int, int) {
		v := ((2*i+1)*den*256/num - 256) / 2
		v = max(0, min(v, (n-1)*256))
		i0 := v >> 8
		return i0, min(i0+1, n-1), v & 255
	}
	type tap struct{ x0, x1, a int32 }
	xs := make([]tap, W)
	for x := range xs {
		x0, x1, ax := src(x, w)
		xs[x] = tap{int32(x0), int32(x1), int32(ax)}
	}
	for y := range H {
		y0, y1, ay := src(y, h)
		r0, r1 := pix[y0*g.Stride:y0*g.Stride+w], pix[y1*g.Stride:y1*g.Stride+w]
		by := int32(ay)
		out := d.Pix[y*W : (y+1)*W]
		for x, c := range xs {
			top := int32(r0[c.x0])*(256-c.a) + int32(r0[c.x1])*c.a
			bot := int32(r1[c.x0])*(256-c.a) + int32(r1[c.x1])*c.a
			out[x] = uint8((top*(256-by) + bot*by + 1<<15) >> 16)
		}
	}
	return d
}

// meanThreshold binarizes g against the mean of the (2r+1)² window around each pixel,
// less off: a pixel is black when it is darker than its neighbourhood. Unlike the hybrid
// binarizer's fixed 8-pixel blocks, the window follows each pixel, which keeps thin
// modules next to glare or shadow edges. Running column sums keep it at a few additions
// per pixel whatever r is.
func meanThreshold(g *image.Gray, r, off int) *gozxing.BitMatrix {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	pix := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y):]
	row := func(y int) []uint8 { return pix[y*g.Stride : y*g.Stride+w] }
	col := make([]int32, w) // sums over the rows of the current window
	for y := range min(r, h) {
		for x, p := range row(y) {
			col[x] += int32(p)
		}
	}
	// Pixel counts across of each column's window, for the edges.
	nx := make([]int32, w)
	for x := range nx {
		nx[x] = int32(min(w, x+r+1) - max(0, x-r))
	}
	bm, _ := gozxing.NewBitMatrix(w, h)
	for y := range h {
		if y+r < h {
			for x, p := range row(y + r) {
				col[x] += int32(p)
			}
		}
		if y-r-1 >= 0 {
			for x, p := range row(y - r - 1) {
				col[x] -= int32(p)
			}
		}
		ny := int32(min(h, y+r+1) - max(0, y-r))
		var sum int32
		for x := range min(r, w) {
			sum += col[x]
		}
		for x, p := range row(y) {
			if x+r < w {
				sum += col[x+r]
			}
			if x-r-1 >= 0 {
				sum -= col[x-r-1]
			}
			if (int32(p)+int32(off))*ny*nx[x] <= sum {
				bm.Set(x, y)
			}
		}
	}
	return bm
}

// turn returns g turned a quarter turn clockwise. The finder-pattern scan runs along
// rows; across them it finds patterns that tilt or blur hid along them.
func turn(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	d := image.NewGray(image.Rect(0, 0, h, w))
	pix := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y):]
	for y := range h {
		src := pix[y*g.Stride : y*g.Stride+w]
		dx := h - 1 - y
		for x, p := range src {
			d.Pix[x*h+dx] = p
		}
	}
	return d
}
