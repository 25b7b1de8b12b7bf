// Package escpos prints Merci loyalty cards on thermal receipt printers that speak Epson's
// ESC/POS: the shop's name, the card's QR code, its code and opening balance, then a cut.
//
// The QR code is printed with the printer's own QR commands (GS ( k), which give the
// sharpest result, or, for printers without them (TM-T88III, many cheap 58 mm units), as a
// raster image (GS v 0) drawn here. The owner picks per printer.
package escpos

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Common printable widths in dots (8 dots per mm, 203 dpi).
const (
	Width58 = 384 // 58 mm paper
	Width80 = 576 // 80 mm paper (512 on a TM-T88 at 180 dpi)
)

// Buffer builds an ESC/POS byte stream. Its methods append one command each.
type Buffer struct {
	b []byte
}

// Bytes returns the commands appended so far.
func (b *Buffer) Bytes() []byte { return b.b }

func (b *Buffer) add(p ...byte) { b.b = append(b.b, p...) }

// Init resets the printer and selects the WPC1252 code page (ESC t 16), which Text uses.
func (b *Buffer) Init() {
	b.add(0x1b, '@')
	b.add(0x1b, 't', 16)
}

// Alignment of the lines that follow.
type Alignment byte

// Alignments.
const (
	Left   Alignment = 0
	Center Alignment = 1
	Right  Alignment = 2
)

// Align sets the alignment of the lines that follow (ESC a).
func (b *Buffer) Align(a Alignment) { b.add(0x1b, 'a', byte(a)) }

// Style sets emphasis and character size for the text that follows (ESC E, GS !); width and
// height are magnifications from 1 to 8.
func (b *Buffer) Style(bold bool, width, height int) {
	e := byte(0)
	if bold {
		e = 1
	}
	b.add(0x1b, 'E', e)
	b.add(0x1d, '!', byte((clamp(width, 1, 8)-1)<<4|(clamp(height, 1, 8)-1)))
}

// Text prints s followed by a line feed. Characters outside WPC1252 print as "?".
func (b *Buffer) Text(s string) {
	enc := charmap.Windows1252.NewEncoder()
	for _, r := range strings.ReplaceAll(s, "\n", " ") {
		if e, err := enc.Bytes([]byte(string(r))); err == nil && r >= ' ' {
			b.add(e...)
		} else {
			b.add('?')
		}
	}
	b.add('\n')
}

// Feed prints n empty lines (ESC d).
func (b *Buffer) Feed(n int) { b.add(0x1b, 'd', byte(clamp(n, 0, 255))) }

// QR error-correction levels for GS ( k function 169.
const (
	ECCLow      byte = 48
	ECCMedium   byte = 49
	ECCQuartile byte = 50
	ECCHigh     byte = 51
)

// QR prints data as a QR code model 2 with the printer's own commands (GS ( k): module
// size in dots (1 to 16) and error-correction level, then store and print.
func (b *Buffer) QR(data string, module int, ecc byte) error {
	k := len(data) + 3
	if k > 7092+3 {
		return fmt.Errorf("QR payload of %d bytes is too long for the printer", len(data))
	}
	b.add(0x1d, '(', 'k', 4, 0, 49, 65, 50, 0)                      // model 2
	b.add(0x1d, '(', 'k', 3, 0, 49, 67, byte(clamp(module, 1, 16))) // module size
	b.add(0x1d, '(', 'k', 3, 0, 49, 69, ecc)                        // error correction
	b.add(0x1d, '(', 'k', byte(k), byte(k>>8), 49, 80, 48)          // store
	b.add([]byte(data)...)
	b.add(0x1d, '(', 'k', 3, 0, 49, 81, 48) // print
	return nil
}

// rasterBand is the most rows sent in one GS v 0 command: small enough for the input
// buffer of cheap printers.
const rasterBand = 128

// Raster prints img as a 1-bit image (GS v 0), dark pixels black, in bands of rows. Its
// width is padded to whole bytes.
func (b *Buffer) Raster(img image.Image) {
	bounds := img.Bounds()
	w := (bounds.Dx() + 7) / 8
	for top := bounds.Min.Y; top < bounds.Max.Y; top += rasterBand {
		h := min(rasterBand, bounds.Max.Y-top)
		b.add(0x1d, 'v', '0', 0, byte(w), byte(w>>8), byte(h), byte(h>>8))
		for y := top; y < top+h; y++ {
			row := make([]byte, w)
			for x := bounds.Min.X; x < bounds.Max.X; x++ {
				if dark(img.At(x, y)) {
					i := x - bounds.Min.X
					row[i/8] |= 0x80 >> (i % 8)
				}
			}
			b.add(row...)
		}
	}
}

// Cut feeds the paper to the cutter and cuts it (GS V 65 0). Printers with a partial cutter
// only cut partially; printers without a cutter ignore it.
func (b *Buffer) Cut() { b.add(0x1d, 'V', 65, 0) }

func dark(c color.Color) bool {
	g := color.GrayModel.Convert(c).(color.Gray)
	_, _, _, a := c.RGBA()
	return a > 0x8000 && g.Y < 128
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// dither converts img to black and white with Floyd-Steinberg error diffusion, for logos.
func dither(img image.Image) *image.Paletted {
	p := image.NewPaletted(img.Bounds(), color.Palette{color.White, color.Black})
	// Transparent parts print as paper.
	flat := image.NewRGBA(img.Bounds())
	draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
	draw.FloydSteinberg.Draw(p, p.Bounds(), flat, flat.Bounds().Min)
	return p
}
