package camsim

import (
	"image"
	"math"
)

// plane is a float image, w by h, row by row.
type plane struct {
	w, h int
	pix  []float32
}

func newPlane(w, h int) plane { return plane{w, h, make([]float32, w*h)} }

func (p plane) clampedAt(x, y int) float32 {
	return p.pix[max(0, min(p.h-1, y))*p.w+max(0, min(p.w-1, x))]
}

// bilinear samples p at (x, y), pixel centres at integer+0.5 minus 0.5, clamped at the edges.
func (p plane) bilinear(x, y float64) float32 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := float32(x-x0), float32(y-y0)
	ix, iy := int(x0), int(y0)
	a := p.clampedAt(ix, iy)*(1-fx) + p.clampedAt(ix+1, iy)*fx
	b := p.clampedAt(ix, iy+1)*(1-fx) + p.clampedAt(ix+1, iy+1)*fx
	return a*(1-fy) + b*fy
}

// discBlur convolves p with a uniform disc of radius r pixels, the point-spread function
// of an out-of-focus lens. Each row of the disc is a run, summed from the row's prefix
// sums: the cost grows with r, not r².
func discBlur(p plane, r float64) plane {
	if r < 0.5 {
		return p
	}
	R := int(math.Ceil(r))
	half := make([]int, 2*R+1) // half width of the disc's row dy
	taps := 0
	for dy := -R; dy <= R; dy++ {
		hw := -1
		if rem := r*r - float64(dy*dy); rem >= 0 {
			hw = int(math.Floor(math.Sqrt(rem) + 0.5))
		}
		half[dy+R] = hw
		taps += 2*hw + 1
	}
	// Prefix sums of each row padded by R on both sides with its edge pixels.
	pw := p.w + 2*R + 1
	prefix := make([]float64, p.h*pw)
	for y := range p.h {
		row := prefix[y*pw : (y+1)*pw]
		s := 0.0
		for i := 1; i < pw; i++ {
			s += float64(p.clampedAt(i-1-R, y))
			row[i] = s
		}
	}
	out := newPlane(p.w, p.h)
	for y := range p.h {
		for x := range p.w {
			s := 0.0
			for dy := -R; dy <= R; dy++ {
				hw := half[dy+R]
				if hw < 0 {
					continue
				}
				row := prefix[max(0, min(p.h-1, y+dy))*pw:]
				s += row[x+R+hw+1] - row[x+R-hw]
			}
			out.pix[y*p.w+x] = float32(s / float64(taps))
		}
	}
	return out
}

// lineBlur convolves the part r of p with a line of length l pixels at angle a: what a
// card moving during the exposure leaves on the sensor.
func lineBlur(p plane, r image.Rectangle, l, a float64) {
	if l < 0.7 {
		return
	}
	n := int(math.Ceil(l)) + 1
	dx, dy := math.Cos(a)*l/float64(n-1), math.Sin(a)*l/float64(n-1)
	r = r.Inset(-int(math.Ceil(l))).Intersect(image.Rect(0, 0, p.w, p.h))
	out := make([]float32, r.Dx()*r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			var s float32
			for k := range n {
				t := float64(k) - float64(n-1)/2
				s += p.bilinear(float64(x)+t*dx, float64(y)+t*dy)
			}
			out[(y-r.Min.Y)*r.Dx()+x-r.Min.X] = s / float32(n)
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(p.pix[y*p.w+r.Min.X:y*p.w+r.Max.X], out[(y-r.Min.Y)*r.Dx():])
	}
}

// boxBlur averages p over a (2r+1)² square, by running sums along rows then columns.
func boxBlur(p plane, r int) plane {
	if r <= 0 {
		return p
	}
	tmp, out := newPlane(p.w, p.h), newPlane(p.w, p.h)
	n := float32(2*r + 1)
	for y := range p.h {
		var s float32
		for x := -r; x <= r; x++ {
			s += p.clampedAt(x, y)
		}
		for x := range p.w {
			tmp.pix[y*p.w+x] = s / n
			s += p.clampedAt(x+r+1, y) - p.clampedAt(x-r, y)
		}
	}
	for x := range p.w {
		var s float32
		for y := -r; y <= r; y++ {
			s += tmp.clampedAt(x, y)
		}
		for y := range p.h {
			out.pix[y*p.w+x] = s / n
			s += tmp.clampedAt(x, y+r+1) - tmp.clampedAt(x, y-r)
		}
	}
	return out
}

// srgb is the camera's gamma: the sRGB transfer curve from linear light to code values.
func srgb(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}
