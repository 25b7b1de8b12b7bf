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
	var b Buffer
	if err := header(&b, f, o); err != nil {
		return nil, err
	}
	if err := qrAndCode(&b, f, o); err != nil {
		return nil, err
	}
	if f.Opening != "" {
		b.Text(f.Opening)
	}
	b.Cut()
	return b.Bytes(), nil
}

// Slip returns the ESC/POS commands of the customer's slip after an operation on the
// card of f: logo, shop name, lines already worded in the shop's language (the
// operation, the new balance, the next reward), the card's QR code (its page, when the
// shop has one) and code, cut.
func Slip(f cards.Face, lines []string, o Options) ([]byte, error) {
	var b Buffer
	if err := header(&b, f, o); err != nil {
		return nil, err
	}
	b.Align(Left)
	for _, l := range lines {
		b.Text(l)
	}
	b.Feed(1)
	b.Align(Center)
	if err := qrAndCode(&b, f, o); err != nil {
		return nil, err
	}
	b.Cut()
	return b.Bytes(), nil
}

// header checks o and f and starts a ticket: the printer reset, the logo and the
// shop's name, centred.
func header(b *Buffer, f cards.Face, o Options) error {
	if o.Width < 192 || o.Width > 2048 {
		return fmt.Errorf("receipt printer width %d dots is out of range (58 mm paper is %d, 80 mm is %d)", o.Width, Width58, Width80)
	}
	if err := f.Validate(); err != nil {
		return err
	}
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
	return nil
}

// qrAndCode prints f's QR code and, below it, the card's code in bold.
func qrAndCode(b *Buffer, f cards.Face, o Options) error {
	q, err := f.QR()
	if err != nil {
		return err
	}
	bits := q.Bitmap()
	// The symbol (quiet zone excluded) takes about 60% of the paper width: large enough
	// for any scanner, small enough to leave white paper around it.
	const quiet = 4
	module := clamp(o.Width*6/10/(len(bits)-2*quiet), 1, 16)
	if o.Raster {
		b.Raster(centred(qrImage(bits, module), o.Width))
	} else if err := b.QR(f.QRText(), module, ECCHigh); err != nil {
		return err
	}
	b.Feed(1)
	b.Style(true, 1, 2)
	b.Text(f.Code.String())
	b.Style(false, 1, 1)
	return nil
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
