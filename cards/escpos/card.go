package escpos

import (
	"fmt"
	"image"
	"image/color"

	xdraw "golang.org/x/image/draw"

	"github.com/merci-loyalty/merci/cards"
)

// Options describe the printer a card is printed on.
type Options struct {
	// Width is the printable width in dots: Width58, Width80, or the printer's own.
	Width int
	// Raster prints the QR code as an image, for printers without GS ( k.
	Raster bool
}

// Card returns the ESC/POS commands that print f as a paper card: logo, shop name, QR
// code, card code, opening balance, cut.
func Card(f cards.Face, o Options) ([]byte, error) {
	if o.Width < 192 || o.Width > 2048 {
		return nil, fmt.Errorf("receipt printer width %d dots is out of range (58 mm paper is %d, 80 mm is %d)", o.Width, Width58, Width80)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	q, err := f.QR()
	if err != nil {
		return nil, err
	}
	bits := q.Bitmap()
	// The symbol (quiet zone excluded) takes about 60% of the paper width: large enough
	// for any scanner, small enough to leave white paper around it.
	const quiet = 4
	module := clamp(o.Width*6/10/(len(bits)-2*quiet), 1, 16)

	var b Buffer
	b.Init()
	b.Align(Center)
	if f.Logo != nil {
		b.Raster(centred(logo(f.Logo, o.Width), o.Width))
		b.Feed(1)
	}
	b.Style(true, 2, 2)
	b.Text(f.ShopName)
	b.Style(false, 1, 1)
	b.Feed(1)
	if o.Raster {
		b.Raster(centred(qrImage(bits, module), o.Width))
	} else if err := b.QR(f.QRText(), module, ECCHigh); err != nil {
		return nil, err
	}
	b.Feed(1)
	b.Style(true, 1, 2)
	b.Text(f.Code.String())
	b.Style(false, 1, 1)
	if f.Opening != "" {
		b.Text(f.Opening)
	}
	b.Cut()
	return b.Bytes(), nil
}

// qrImage draws bits (quiet zone included) at module dots per module.
func qrImage(bits [][]bool, module int) *image.Gray {
	n := len(bits) * module
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			c := color.Gray{Y: 255}
			if bits[y/module][x/module] {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}

// logo scales img to at most half the paper width and 120 dots high, and dithers it.
func logo(img image.Image, width int) image.Image {
	b := img.Bounds()
	w, h := width/2, width/2*b.Dy()/max(1, b.Dx())
	if h > 120 {
		w, h = 120*b.Dx()/max(1, b.Dy()), 120
	}
	scaled := image.NewRGBA(image.Rect(0, 0, max(1, w), max(1, h)))
	xdraw.CatmullRom.Scale(scaled, scaled.Bounds(), img, b, xdraw.Src, nil)
	return dither(scaled)
}

// centred places img in the middle of a white image width dots wide: not every printer
// applies the alignment (ESC a) to raster images.
func centred(img image.Image, width int) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, width, b.Dy()))
	xdraw.Draw(out, out.Bounds(), image.White, image.Point{}, xdraw.Src)
	left := max(0, (width-b.Dx())/2)
	xdraw.Draw(out, image.Rect(left, 0, left+b.Dx(), b.Dy()), img, b.Min, xdraw.Over)
	return out
}
