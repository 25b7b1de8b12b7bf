package sheet

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"codeberg.org/go-fonts/liberation/liberationmonobold"
	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/merci-loyalty/merci/cards"
)

// Card size, ISO/IEC 7810 ID-1, in millimetres.
const (
	CardWidth  = 85.60
	CardHeight = 53.98
	// cornerRadius is the ID-1 corner radius, used for the PNG's transparent corners.
	cornerRadius = 3.18
)

// Rect is a rectangle in millimetres, X and Y being its top-left corner.
type Rect struct{ X, Y, W, H float64 }

// Card face geometry, in millimetres from the card's top-left corner. The margin keeps text
// clear of a cut that misses by a millimetre; the QR box holds the symbol's quiet zone,
// which is white and so may come nearer the edge.
const (
	margin    = 4.5
	headerTop = margin
	headerH   = 13.0
	ruleY     = 20.0
	ruleW     = 0.5
	qrSize    = 30.0
	qrInset   = 1.5
	textMaxX  = CardWidth - qrInset - qrSize - 1.0
	codeY     = 34.0
	openingY  = 42.5
	ptPerMM   = 72 / 25.4
)

var (
	ink    = color.RGBA{0x1e, 0x1e, 0x1e, 0xff}
	accent = color.RGBA{0x0f, 0x5e, 0x73, 0xff}
)

// typeface is one embedded font, parsed once for measuring and raster drawing.
type typeface struct {
	family, style string // as registered in PDFs
	ttf           []byte
	font          *opentype.Font
}

var (
	sansBold = mustTypeface("LiberationSans", "B", liberationsansbold.TTF)
	sans     = mustTypeface("LiberationSans", "", liberationsansregular.TTF)
	monoBold = mustTypeface("LiberationMono", "B", liberationmonobold.TTF)
)

func mustTypeface(family, style string, ttf []byte) *typeface {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic(fmt.Sprintf("parse embedded font %s %s: %v", family, style, err))
	}
	return &typeface{family: family, style: style, ttf: ttf, font: f}
}

// width returns the advance width of s in millimetres at size points, without kerning
// (as the PDF backend draws it).
func (t *typeface) width(s string, size float64) float64 {
	var buf sfnt.Buffer
	upem := fixed.Int26_6(t.font.UnitsPerEm())
	var sum fixed.Int26_6
	for _, r := range s {
		g, err := t.font.GlyphIndex(&buf, r)
		if err != nil {
			continue
		}
		adv, err := t.font.GlyphAdvance(&buf, g, upem, font.HintingNone)
		if err != nil {
			continue
		}
		sum += adv
	}
	return float64(sum) / float64(upem) * size / ptPerMM
}

// capHeight returns the height of a capital letter in millimetres at size points.
func (t *typeface) capHeight(size float64) float64 {
	var buf sfnt.Buffer
	upem := fixed.Int26_6(t.font.UnitsPerEm())
	m, err := t.font.Metrics(&buf, upem, font.HintingNone)
	if err != nil || m.CapHeight == 0 {
		return 0.7 * size / ptPerMM
	}
	return float64(m.CapHeight) / float64(upem) * size / ptPerMM
}

// text is one line of text: X is its left end and Y its baseline, in millimetres.
type text struct {
	face  *typeface
	size  float64 // points
	x, y  float64
	s     string
	color color.RGBA
}

// drawing is a laid-out card face, in millimetres from the card's top-left corner.
type drawing struct {
	texts   []text
	rule    Rect
	qr      [][]bool // true is a dark module; includes the quiet zone
	qrBox   Rect
	logo    image.Image
	logoBox Rect
}

// layout places everything on the face of f.
func layout(f cards.Face) (drawing, error) {
	if err := f.Validate(); err != nil {
		return drawing{}, err
	}
	q, err := f.QR()
	if err != nil {
		return drawing{}, err
	}
	d := drawing{
		qr:    q.Bitmap(),
		qrBox: Rect{CardWidth - qrInset - qrSize, CardHeight - qrInset - qrSize, qrSize, qrSize},
		rule:  Rect{margin, ruleY - ruleW/2, CardWidth - 2*margin, ruleW},
	}
	nameX := margin
	if f.Logo != nil {
		d.logo = f.Logo
		d.logoBox = fitBox(f.Logo.Bounds(), Rect{margin, headerTop, headerH, headerH})
		nameX = margin + headerH + 3
	}
	d.texts = append(d.texts, header(f.ShopName, nameX, CardWidth-margin-nameX)...)
	code := fitLine(monoBold, f.Code.String(), 15, 9, textMaxX-margin)
	d.texts = append(d.texts, text{monoBold, code.size, margin, codeY, code.s, ink})
	if o := strings.TrimSpace(f.Opening); o != "" {
		l := fitLine(sansBold, o, 9, 6, textMaxX-margin)
		d.texts = append(d.texts, text{sansBold, l.size, margin, openingY, l.s, accent})
	}
	return d, nil
}

// header sets the shop name as large as fits in the header band: one line if it fits at a
// readable size, else two lines split at the space nearest the middle.
func header(name string, x, w float64) []text {
	name = strings.Join(strings.Fields(name), " ")
	const maxPt, oneLineMinPt, twoLineMaxPt, minPt = 17, 11, 13, 7
	mid := headerTop + headerH/2
	one := fitLine(sansBold, name, maxPt, oneLineMinPt, w)
	if one.s == name {
		return []text{{sansBold, one.size, x, mid + sansBold.capHeight(one.size)/2, one.s, ink}}
	}
	first, second, ok := splitMiddle(name)
	if !ok {
		l := fitLine(sansBold, name, maxPt, minPt, w)
		return []text{{sansBold, l.size, x, mid + sansBold.capHeight(l.size)/2, l.s, ink}}
	}
	a := fitLine(sansBold, first, twoLineMaxPt, minPt, w)
	b := fitLine(sansBold, second, a.size, minPt, w)
	if b.size < a.size {
		a = fitLine(sansBold, first, b.size, minPt, w)
	}
	lead := b.size / ptPerMM * 1.15
	top := mid - lead/2 + sansBold.capHeight(b.size)/2
	return []text{
		{sansBold, a.size, x, top, a.s, ink},
		{sansBold, b.size, x, top + lead, b.s, ink},
	}
}

// splitMiddle splits s at the space nearest its middle.
func splitMiddle(s string) (string, string, bool) {
	best := -1
	for i, r := range s {
		if r == ' ' && (best < 0 || abs(i-len(s)/2) < abs(best-len(s)/2)) {
			best = i
		}
	}
	if best < 0 {
		return "", "", false
	}
	return s[:best], s[best+1:], true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

type line struct {
	s    string
	size float64
}

// fitLine returns s at the largest size from maxPt down to minPt (in half points) that fits
// in w millimetres, cutting it short with an ellipsis if it does not fit even at minPt.
func fitLine(t *typeface, s string, maxPt, minPt, w float64) line {
	for size := maxPt; size >= minPt; size -= 0.5 {
		if t.width(s, size) <= w {
			return line{s, size}
		}
	}
	r := []rune(s)
	for len(r) > 0 && t.width(string(r)+"…", minPt) > w {
		r = r[:len(r)-1]
	}
	return line{strings.TrimSpace(string(r)) + "…", minPt}
}

// fitBox returns the largest rectangle with the aspect ratio of b that fits in box, centred
// vertically and left-aligned.
func fitBox(b image.Rectangle, box Rect) Rect {
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return Rect{box.X, box.Y, 0, 0}
	}
	aspect := float64(b.Dx()) / float64(b.Dy())
	w, h := box.W, box.W/aspect
	if h > box.H {
		w, h = box.H*aspect, box.H
	}
	return Rect{box.X, box.Y + (box.H-h)/2, w, h}
}
