package scanner

import (
	"image"
	"image/color"
)

// Luma returns the luminance plane of img, the input every decoding strategy works on.
//
// A camera frame (*image.YCbCr) and an *image.Gray are used in place, without copying or
// per-pixel calls: that fast path is what lets the scanner keep up with a live camera.
// Other image types are converted with ZXing's weights (306R+601G+117B)/1024, close to the
// camera's own Y, with transparent pixels read as white paper.
func Luma(img image.Image) *image.Gray {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		return m
	case *image.YCbCr:
		return &image.Gray{Pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):], Stride: m.YStride, Rect: image.Rect(0, 0, b.Dx(), b.Dy())}
	case *image.NYCbCrA:
		return &image.Gray{Pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):], Stride: m.YStride, Rect: image.Rect(0, 0, b.Dx(), b.Dy())}
	}
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch m := img.(type) {
	case *image.RGBA:
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*g.Stride : y*g.Stride+b.Dx()]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: add the white that shows through (255-A).
				dst[x] = weigh(uint32(p[0]), uint32(p[1]), uint32(p[2])) + 255 - p[3]
			}
		}
	case *image.NRGBA:
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*g.Stride : y*g.Stride+b.Dx()]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				l, a := uint32(weigh(uint32(p[0]), uint32(p[1]), uint32(p[2]))), uint32(p[3])
				dst[x] = uint8((l*a + 255*(255-a) + 127) / 255)
			}
		}
	case *image.Paletted:
		var lut [256]uint8
		for i, c := range m.Palette {
			lut[i] = lumaOf(c)
		}
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := g.Pix[y*g.Stride : y*g.Stride+b.Dx()]
			for x := range dst {
				dst[x] = lut[src[x]]
			}
		}
	default:
		for y := 0; y < b.Dy(); y++ {
			dst := g.Pix[y*g.Stride : y*g.Stride+b.Dx()]
			for x := range dst {
				dst[x] = lumaOf(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return g
}

// weigh applies ZXing's luma weights to 8-bit components.
func weigh(r, g, b uint32) uint8 {
	return uint8((306*r + 601*g + 117*b + 512) >> 10)
}

// lumaOf converts any colour, blending its transparency onto white.
func lumaOf(c color.Color) uint8 {
	r, g, b, a := c.RGBA() // premultiplied, 16 bits
	l := (306*r + 601*g + 117*b + 512) >> 10
	return uint8((l + 0xffff - a) >> 8)
}
