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
	xs := make([][3]int, W)
	for x := range xs {
		x0, x1, ax := src(x, w)
		xs[x] = [3]int{x0, x1, ax}
	}
	for y := range H {
		y0, y1, ay := src(y, h)
		r0, r1 := pix[y0*g.Stride:], pix[y1*g.Stride:]
		out := d.Pix[y*W : (y+1)*W]
		for x, c := range xs {
			top := int(r0[c[0]])*(256-c[2]) + int(r0[c[1]])*c[2]
			bot := int(r1[c[0]])*(256-c[2]) + int(r1[c[1]])*c[2]
			out[x] = uint8((top*(256-ay) + bot*ay + 1<<15) >> 16)
		}
	}
	return d
}

// meanThreshold binarizes g against the mean of the (2r+1)² window around each pixel,
// less off: a pixel is black when it is darker than its neighbourhood. Unlike the hybrid
// binarizer's fixed 8-pixel blocks, the window follows each pixel, which keeps thin
// modules next to glare or shadow edges.
func meanThreshold(g *image.Gray, r, off int) *gozxing.BitMatrix {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	pix := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y):]
	iw := w + 1
	sum := make([]uint32, iw*(h+1)) // integral image: sum[y*iw+x] = Σ pix above and left
	for y := range h {
		var run uint32
		row := pix[y*g.Stride : y*g.Stride+w]
		prev, cur := sum[y*iw:(y+1)*iw], sum[(y+1)*iw:(y+2)*iw]
		for x, p := range row {
			run += uint32(p)
			cur[x+1] = prev[x+1] + run
		}
	}
	bm, _ := gozxing.NewBitMatrix(w, h)
	for y := range h {
		y0, y1 := max(0, y-r), min(h, y+r+1)
		top, bot := sum[y0*iw:(y0+1)*iw], sum[y1*iw:(y1+1)*iw]
		row := pix[y*g.Stride : y*g.Stride+w]
		for x, p := range row {
			x0, x1 := max(0, x-r), min(w, x+r+1)
			n := (y1 - y0) * (x1 - x0)
			s := int(bot[x1]) - int(top[x1]) - int(bot[x0]) + int(top[x0])
			if (int(p)+off)*n <= s {
				bm.Set(x, y)
			}
		}
	}
	return bm
}
