package scanner_test

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing/common"
	qrcode "github.com/skip2/go-qrcode"
)

// scene describes a synthetic camera frame: a QR code seen through a camera.
type scene struct {
	text string
	// corners of the code (quiet zone included) in the frame: top-left, top-right,
	// bottom-right, bottom-left. Zero means a centred, upright code 300 px wide.
	quad [4][2]float64
	size image.Point // frame size, default 640x480

	dark     uint8   // luma of dark modules (default 30)
	light    uint8   // luma of light modules and paper (default 220)
	surround uint8   // luma outside the code (default: light)
	invert   bool    // light modules on a dark screen, as phones in dark mode show codes
	blur     int     // box blur radius in pixels
	noise    float64 // standard deviation of Gaussian sensor noise
	glare    float64 // strength of a bright spot over the code, 0..1
	seed     uint64
}

// render draws the scene as a camera would deliver it: a 4:2:0 *image.YCbCr.
func render(t testing.TB, s scene) *image.YCbCr {
	t.Helper()
	if s.size == (image.Point{}) {
		s.size = image.Pt(640, 480)
	}
	if s.quad == ([4][2]float64{}) {
		x0, y0 := float64(s.size.X-300)/2, float64(s.size.Y-300)/2
		s.quad = [4][2]float64{{x0, y0}, {x0 + 300, y0}, {x0 + 300, y0 + 300}, {x0, y0 + 300}}
	}
	if s.dark == 0 && s.light == 0 {
		s.dark, s.light = 30, 220
	}
	if s.surround == 0 {
		s.surround = s.light
	}
	var bits [][]bool
	if s.text != "" {
		q, err := qrcode.New(s.text, qrcode.Medium)
		if err != nil {
			t.Fatalf("qrcode.New(%q): %v", s.text, err)
		}
		bits = q.Bitmap() // four modules of quiet zone included
	}
	n := float64(len(bits))
	q := s.quad
	// Frame pixel -> module coordinates.
	toModule := common.PerspectiveTransform_QuadrilateralToQuadrilateral(
		q[0][0], q[0][1], q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1],
		0, 0, n, 0, n, n, 0, n)
	dark, light := float64(s.dark), float64(s.light)
	if s.invert {
		dark, light = light, dark
	}
	w, h := s.size.X, s.size.Y
	lum := make([]float64, w*h)
	const ss = 3 // supersampling per axis: edges blend as a lens blends them
	for y := range h {
		for x := range w {
			sum := 0.0
			for sy := range ss {
				for sx := range ss {
					pt := []float64{float64(x) + (float64(sx)+0.5)/ss, float64(y) + (float64(sy)+0.5)/ss}
					toModule.TransformPoints(pt)
					mx, my := int(math.Floor(pt[0])), int(math.Floor(pt[1]))
					switch {
					case bits == nil || mx < 0 || my < 0 || mx >= len(bits) || my >= len(bits):
						sum += float64(s.surround)
					case bits[my][mx]:
						sum += dark
					default:
						sum += light
					}
				}
			}
			lum[y*w+x] = sum / ss / ss
		}
	}
	if s.blur > 0 {
		lum = boxBlur(lum, w, h, s.blur)
	}
	rng := rand.New(rand.NewPCG(s.seed, 1))
	cx, cy := (q[0][0]+q[2][0])/2+40, (q[0][1]+q[2][1])/2-30
	for i := range lum {
		v := lum[i]
		if s.glare > 0 {
			dx, dy := float64(i%w)-cx, float64(i/w)-cy
			v += s.glare * 255 * math.Exp(-(dx*dx+dy*dy)/(2*60*60))
		}
		if s.noise > 0 {
			v += rng.NormFloat64() * s.noise
		}
		lum[i] = v
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i, v := range lum {
		img.Y[i] = uint8(max(0, min(255, math.Round(v))))
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	return img
}

func boxBlur(src []float64, w, h, r int) []float64 {
	tmp := make([]float64, len(src))
	dst := make([]float64, len(src))
	for y := range h {
		for x := range w {
			s, c := 0.0, 0
			for k := max(0, x-r); k <= min(w-1, x+r); k++ {
				s += src[y*w+k]
				c++
			}
			tmp[y*w+x] = s / float64(c)
		}
	}
	for y := range h {
		for x := range w {
			s, c := 0.0, 0
			for k := max(0, y-r); k <= min(h-1, y+r); k++ {
				s += tmp[k*w+x]
				c++
			}
			dst[y*w+x] = s / float64(c)
		}
	}
	return dst
}

// rotated returns the corners of a side-pixel square centred at (cx, cy), turned by deg.
func rotated(cx, cy, side, deg float64) [4][2]float64 {
	a := deg * math.Pi / 180
	var q [4][2]float64
	for i, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := c[0]*side/2, c[1]*side/2
		q[i] = [2]float64{cx + x*math.Cos(a) - y*math.Sin(a), cy + x*math.Sin(a) + y*math.Cos(a)}
	}
	return q
}
