package sheet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/png"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/merci-loyalty/merci/cards"
)

// Paper is a sheet of cards: the page and where the cards sit on it, in millimetres. Each
// card is ID-1 sized; its top-left corner is (Left + col*PitchX, Top + row*PitchY).
type Paper struct {
	Name           string
	Width, Height  float64
	Cols, Rows     int
	Left, Top      float64
	PitchX, PitchY float64
	// Outline draws a light grey line round each card, where the page margins are too
	// narrow for the crop marks to survive the printer's unprintable border.
	Outline bool
}

// A4 places ten cards centred on the cells of Avery C32011-10 business-card stock
// (85 x 54 mm cells, first at 15 mm / 13.5 mm, pitch 95 x 54 mm), so the sheet prints on
// plain paper or on that stock. The ID-1 card overhangs the 85 mm cell by 0.3 mm a side.
var A4 = Paper{
	Name: "A4", Width: 210, Height: 297, Cols: 2, Rows: 5,
	Left: 15 + (85-CardWidth)/2, Top: 13.5 + (54-CardHeight)/2, PitchX: 95, PitchY: 54,
}

// Letter places ten cards on US Letter paper. Avery 5371 cells (3.5 x 2 in) are too short
// for an ID-1 card, so the grid is centred on the page instead: rows touch (one cut
// between rows) and columns are 10 mm apart. That leaves 4.75 mm above and below, within
// many printers' unprintable border, so the cards also get a light outline.
var Letter = Paper{
	Name: "Letter", Width: 215.9, Height: 279.4, Cols: 2, Rows: 5,
	Left: (215.9 - 2*CardWidth - 10) / 2, Top: (279.4 - 5*CardHeight) / 2, PitchX: CardWidth + 10, PitchY: CardHeight,
	Outline: true,
}

// PaperByName returns A4 or Letter, case-insensitively.
func PaperByName(name string) (Paper, error) {
	for _, p := range []Paper{A4, Letter} {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Paper{}, fmt.Errorf("unknown paper %q: use A4 or Letter", name)
}

// PerPage returns how many cards a page holds.
func (p Paper) PerPage() int { return p.Cols * p.Rows }

// Slot returns where the i-th card of a page sits, row by row from the top left.
func (p Paper) Slot(i int) Rect {
	col, row := i%p.Cols, i/p.Cols
	return Rect{p.Left + float64(col)*p.PitchX, p.Top + float64(row)*p.PitchY, CardWidth, CardHeight}
}

// QRBox returns where the QR symbol of a card sits (quiet zone included), relative to the
// card's top-left corner.
func QRBox() Rect {
	return Rect{CardWidth - qrInset - qrSize, CardHeight - qrInset - qrSize, qrSize, qrSize}
}

// Crop-mark geometry: marks start markGap away from the card edge and run up to markLen.
const (
	markGap   = 1.5
	markLen   = 5.0
	markMin   = 1.0
	markWidth = 0.15
)

// outline is the colour of card outlines: visible enough to cut along, light enough not to
// show where a cut strays by a fraction of a millimetre.
var outline = struct{ R, G, B int }{0xc8, 0xc8, 0xc8}

// WritePDF writes faces as sheets of cards on paper p, as many pages as they need.
func WritePDF(w io.Writer, p Paper, faces []cards.Face) error {
	if len(faces) == 0 {
		return errors.New("card sheet: no cards to print")
	}
	doc := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: p.Width, Ht: p.Height},
	})
	doc.SetAutoPageBreak(false, 0)
	doc.SetMargins(0, 0, 0)
	doc.SetTitle("Merci loyalty cards", true)
	doc.SetCreator("Merci", true)
	for _, t := range []*typeface{sansBold, sans, monoBold} {
		doc.AddUTF8FontFromBytes(t.family, t.style, t.ttf)
	}
	logos := map[[sha256.Size]byte]string{}
	for i, f := range faces {
		if i%p.PerPage() == 0 {
			doc.AddPage()
			cropMarks(doc, p)
		}
		d, err := layout(f)
		if err != nil {
			return fmt.Errorf("card sheet: card %d: %w", i+1, err)
		}
		slot := p.Slot(i % p.PerPage())
		if p.Outline {
			doc.SetDrawColor(outline.R, outline.G, outline.B)
			doc.SetLineWidth(markWidth)
			doc.Rect(slot.X, slot.Y, slot.W, slot.H, "D")
		}
		if err := drawFace(doc, d, slot.X, slot.Y, logos); err != nil {
			return fmt.Errorf("card sheet: card %d: %w", i+1, err)
		}
	}
	if err := doc.Output(w); err != nil {
		return fmt.Errorf("write card sheet PDF: %w", err)
	}
	return nil
}

// drawFace draws d with the card's top-left corner at (x, y).
func drawFace(doc *fpdf.Fpdf, d drawing, x, y float64, logos map[[sha256.Size]byte]string) error {
	doc.SetFillColor(int(accent.R), int(accent.G), int(accent.B))
	doc.Rect(x+d.rule.X, y+d.rule.Y, d.rule.W, d.rule.H, "F")

	// All dark modules make one path filled at once: abutting rectangles filled one by one
	// leave hairline seams in some renderers (poppler does), which break finder patterns.
	doc.SetFillColor(0, 0, 0)
	mod := d.qrBox.W / float64(len(d.qr))
	for r, row := range d.qr {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			x0, y0 := x+d.qrBox.X+float64(start)*mod, y+d.qrBox.Y+float64(r)*mod
			x1, y1 := x0+float64(c-start)*mod, y0+mod
			doc.MoveTo(x0, y0)
			doc.LineTo(x1, y0)
			doc.LineTo(x1, y1)
			doc.LineTo(x0, y1)
			doc.ClosePath()
		}
	}
	doc.DrawPath("F")

	if d.logo != nil {
		var buf bytes.Buffer
		if err := png.Encode(&buf, d.logo); err != nil {
			return fmt.Errorf("encode logo: %w", err)
		}
		sum := sha256.Sum256(buf.Bytes())
		name, ok := logos[sum]
		if !ok {
			name = "logo-" + hex.EncodeToString(sum[:8])
			doc.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
			logos[sum] = name
		}
		b := d.logoBox
		doc.ImageOptions(name, x+b.X, y+b.Y, b.W, b.H, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	}

	for _, t := range d.texts {
		doc.SetFont(t.face.family, t.face.style, t.size)
		doc.SetTextColor(int(t.color.R), int(t.color.G), int(t.color.B))
		doc.Text(x+t.x, y+t.y, t.s)
	}
	return doc.Error()
}

// cropMarks draws marks on the extensions of every card edge, in the page margins and in
// the gutters between cards, never on a card.
func cropMarks(doc *fpdf.Fpdf, p Paper) {
	doc.SetDrawColor(0, 0, 0)
	doc.SetLineWidth(markWidth)
	xs, xGaps := cuts(p.Left, p.PitchX, CardWidth, p.Cols, p.Width)
	ys, yGaps := cuts(p.Top, p.PitchY, CardHeight, p.Rows, p.Height)
	for _, x := range xs {
		for _, g := range yGaps {
			if a, b, ok := g.mark(); ok {
				doc.Line(x, a, x, b)
			}
		}
	}
	for _, y := range ys {
		for _, g := range xGaps {
			if a, b, ok := g.mark(); ok {
				doc.Line(a, y, b, y)
			}
		}
	}
}

// gap is free space along one axis, before the first card, between two, or after the last.
// side says which end of the gap the mark hangs from: -1 the far end (margin before the
// cards), +1 the near end (margin after them), 0 both (a gutter).
type gap struct {
	from, to float64
	side     int
}

// mark returns the extent of the crop mark in g, if there is room for one.
func (g gap) mark() (float64, float64, bool) {
	a, b := g.from+markGap, g.to-markGap
	switch g.side {
	case -1: // in a page margin the mark may run to the paper's edge
		a = max(g.from, b-markLen)
	case 1:
		b = min(g.to, a+markLen)
	}
	return a, b, b-a >= markMin
}

// cuts returns, along one axis, the cut positions (both edges of every card) and the gaps
// around and between the cards.
func cuts(first, pitch, size float64, n int, page float64) ([]float64, []gap) {
	var pos []float64
	gaps := []gap{{0, first, -1}}
	for i := range n {
		start := first + float64(i)*pitch
		pos = append(pos, start, start+size)
		if i+1 < n {
			gaps = append(gaps, gap{start + size, start + pitch, 0})
		}
	}
	last := first + float64(n-1)*pitch + size
	gaps = append(gaps, gap{last, page, 1})
	return pos, gaps
}
