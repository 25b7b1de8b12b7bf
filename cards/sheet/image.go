package sheet

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/merci-loyalty/merci/cards"
)

// Image draws the face of a card at dpi dots per inch. The corners outside the card's
// rounded outline are transparent.
func Image(f cards.Face, dpi float64) (*image.RGBA, error) {
	if dpi < 72 || dpi > 2400 {
		return nil, fmt.Errorf("card image: %g dpi is out of range 72..2400", dpi)
	}
	d, err := layout(f)
	if err != nil {
		return nil, err
	}
	r := raster{dpi: dpi}
	img := image.NewRGBA(image.Rect(0, 0, r.px(CardWidth), r.px(CardHeight)))
	r.roundedCard(img)
	r.fill(img, d.rule, accent)
	r.qr(img, d.qr, d.qrBox)
	if d.logo != nil {
		xdraw.CatmullRom.Scale(img, r.rect(d.logoBox), d.logo, d.logo.Bounds(), xdraw.Over, nil)
	}
	for _, t := range d.texts {
		if err := r.text(img, t); err != nil {
			return nil, err
		}
	}
	return img, nil
}

// WritePNG writes the face of a card as a PNG image at dpi dots per inch.
func WritePNG(w io.Writer, f cards.Face, dpi float64) error {
	img, err := Image(f, dpi)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("write card PNG: %w", err)
	}
	return nil
}

// raster converts millimetres to pixels at dpi.
type raster struct{ dpi float64 }

func (r raster) px(mm float64) int { return int(math.Round(mm * r.dpi / 25.4)) }

func (r raster) rect(b Rect) image.Rectangle {
	return image.Rect(r.px(b.X), r.px(b.Y), r.px(b.X+b.W), r.px(b.Y+b.H))
}

func (r raster) fill(img *image.RGBA, b Rect, c color.Color) {
	xdraw.Draw(img, r.rect(b), image.NewUniform(c), image.Point{}, xdraw.Src)
}

// roundedCard paints the card white inside its rounded outline, with antialiased corners.
func (r raster) roundedCard(img *image.RGBA) {
	b := img.Bounds()
	rad := cornerRadius * r.dpi / 25.4
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			// Distance outside the rounded rectangle, sampled at the pixel centre.
			cx := math.Max(0, math.Max(rad-(float64(x)+0.5), float64(x)+0.5-(float64(b.Max.X)-rad)))
			cy := math.Max(0, math.Max(rad-(float64(y)+0.5), float64(y)+0.5-(float64(b.Max.Y)-rad)))
			cover := math.Min(1, math.Max(0, rad-math.Hypot(cx, cy)+0.5))
			a := uint8(math.Round(255 * cover))
			img.SetRGBA(x, y, color.RGBA{a, a, a, a})
		}
	}
}

// qr draws the dark modules of bits in box, snapping module edges to whole pixels so that
// every module is solid.
func (r raster) qr(img *image.RGBA, bits [][]bool, box Rect) {
	n := float64(len(bits))
	edge := func(origin float64, i int) int { return r.px(origin + box.W*float64(i)/n) }
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				rc := image.Rect(edge(box.X, x), edge(box.Y, y), edge(box.X, x+1), edge(box.Y, y+1))
				xdraw.Draw(img, rc, image.Black, image.Point{}, xdraw.Src)
			}
		}
	}
}

func (r raster) text(img *image.RGBA, t text) error {
	face, err := opentype.NewFace(t.face.font, &opentype.FaceOptions{Size: t.size, DPI: r.dpi, Hinting: font.HintingFull})
	if err != nil {
		return fmt.Errorf("card image: font %s: %w", t.face.family, err)
	}
	defer face.Close()
	dr := font.Drawer{
		Dst:  img,
		Src:  image.NewUniform(t.color),
		Face: face,
		Dot:  fixed.Point26_6{X: fixed.Int26_6(t.x * r.dpi / 25.4 * 64), Y: fixed.Int26_6(t.y * r.dpi / 25.4 * 64)},
	}
	dr.DrawString(t.s)
	return nil
}
