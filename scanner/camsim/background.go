package camsim

import (
	"math"
	"math/rand/v2"
)

// background returns the reflectance of what lies behind the card: a surface with
// smooth texture, boxes and papers, lines of text on some, logos made of nested squares
// (which look like finder patterns to a detector), and at times a keyboard. It is farther
// than the card, so a little out of focus.
func background(rng *rand.Rand, w, h int) plane {
	p := newPlane(w, h)
	base := 0.2 + 0.35*rng.Float64()
	coarse, fine := valueNoise(rng, w, h, 90), valueNoise(rng, w, h, 14)
	for i := range p.pix {
		p.pix[i] = float32(base) + 0.18*coarse[i] + 0.06*fine[i]
	}
	fill := func(x0, y0, x1, y1 int, v float64) {
		for y := max(0, y0); y < min(h, y1); y++ {
			for x := max(0, x0); x < min(w, x1); x++ {
				p.pix[y*w+x] = float32(v)
			}
		}
	}
	scale := float64(w) / 1280
	for range 6 + rng.IntN(12) {
		rw, rh := int((40+360*rng.Float64())*scale), int((40+300*rng.Float64())*scale)
		x0, y0 := rng.IntN(w)-rw/2, rng.IntN(h)-rh/2
		v := 0.05 + 0.85*rng.Float64()
		fill(x0, y0, x0+rw, y0+rh, v)
		if v > 0.6 && rng.Float64() < 0.6 { // a printed page: lines of words
			lineH := int((8 + 14*rng.Float64()) * scale)
			for y := y0 + lineH; y+lineH < y0+rh; y += lineH {
				for x := x0 + 6; x < x0+rw-6; {
					ww := int((4 + 36*rng.Float64()) * scale)
					fill(x, y, min(x+ww, x0+rw-6), y+lineH*6/10, 0.06)
					x += ww + int((4+5*rng.Float64())*scale)
				}
			}
		}
	}
	for range rng.IntN(4) { // logos of nested squares, 1:1:3:1:1 across like a finder pattern
		s := int((7 + 40*rng.Float64()) * scale)
		x0, y0 := rng.IntN(w), rng.IntN(h)
		u := max(1, s/7)
		fill(x0, y0, x0+7*u, y0+7*u, 0.05)
		fill(x0+u, y0+u, x0+6*u, y0+6*u, 0.8)
		fill(x0+2*u, y0+2*u, x0+5*u, y0+5*u, 0.05)
	}
	if rng.Float64() < 0.35 { // a keyboard: dark keys with light gaps
		key := int((16 + 14*rng.Float64()) * scale)
		x0, y0 := rng.IntN(w/2), rng.IntN(h/2)+h/2
		for r := range 4 {
			for c := range 14 {
				x, y := x0+c*key+r*key/3, y0+r*key
				fill(x, y, x+key-3, y+key-3, 0.07)
			}
		}
	}
	return boxBlur(p, rng.IntN(3))
}

// valueNoise returns smooth noise in [-1, 1] over w by h, varying over about cell pixels.
func valueNoise(rng *rand.Rand, w, h, cell int) []float32 {
	gw, gh := w/cell+2, h/cell+2
	grid := make([]float64, gw*gh)
	for i := range grid {
		grid[i] = 2*rng.Float64() - 1
	}
	smooth := func(t float64) float64 { return t * t * (3 - 2*t) }
	out := make([]float32, w*h)
	for y := range h {
		gy := float64(y) / float64(cell)
		iy := int(gy)
		ty := smooth(gy - math.Floor(gy))
		for x := range w {
			gx := float64(x) / float64(cell)
			ix := int(gx)
			tx := smooth(gx - math.Floor(gx))
			a := grid[iy*gw+ix]*(1-tx) + grid[iy*gw+ix+1]*tx
			b := grid[(iy+1)*gw+ix]*(1-tx) + grid[(iy+1)*gw+ix+1]*tx
			out[y*w+x] = float32(a*(1-ty) + b*ty)
		}
	}
	return out
}
