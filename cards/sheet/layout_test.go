package sheet

import (
	"image"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cards"
)

// TestLayoutStaysInItsPlace checks, for short, long and unbreakable shop names, with and
// without a logo, that all text stays inside the card's margins, clear of the QR code's
// box and of the rule under the header.
func TestLayoutStaysInItsPlace(t *testing.T) {
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{
		"Zoë",
		"Boulangerie Pâtisserie du Marché Saint-Germain-des-Prés et Fils",
		strings.Repeat("W", 60),
		"Книжная лавка на Невском проспекте",
	}
	for _, name := range names {
		for _, logo := range []image.Image{nil, image.NewRGBA(image.Rect(0, 0, 300, 100))} {
			f := cards.Face{ShopName: name, Logo: logo, Code: code, Opening: "Opening balance 1,234,567.89 " + strings.Repeat("X", 30)}
			d, err := layout(f)
			if err != nil {
				t.Fatal(err)
			}
			if logo != nil && (d.logoBox.X < margin || d.logoBox.Y < margin || d.logoBox.Y+d.logoBox.H > ruleY-ruleW) {
				t.Errorf("%q: logo box %+v outside the header", name, d.logoBox)
			}
			for _, tx := range d.texts {
				w := tx.face.width(tx.s, tx.size)
				top := tx.y - tx.face.capHeight(tx.size)
				header := tx.y < ruleY
				right := CardWidth - margin
				if !header {
					right = d.qrBox.X
				}
				if tx.x < margin || tx.x+w > right+0.01 {
					t.Errorf("%q: text %q spans x %.1f..%.1f mm, want within %.1f..%.1f", name, tx.s, tx.x, tx.x+w, margin, right)
				}
				if header && (top < margin || tx.y > ruleY-ruleW) {
					t.Errorf("%q: header text %q spans y %.1f..%.1f mm, want within %.1f..%.1f", name, tx.s, top, tx.y, margin, ruleY-ruleW)
				}
				if !header && (top < ruleY+ruleW || tx.y > CardHeight-margin) {
					t.Errorf("%q: text %q spans y %.1f..%.1f mm, want below the rule and above the bottom margin", name, tx.s, top, tx.y)
				}
				if tx.size < 6 {
					t.Errorf("%q: text %q at %.1f pt, too small to read", name, tx.s, tx.size)
				}
			}
			if got := d.texts[len(d.texts)-2].s; got != code.String() {
				t.Errorf("%q: code printed as %q, want %q in full", name, got, code.String())
			}
		}
	}
}

func TestCropMarksStayOffTheCards(t *testing.T) {
	for _, p := range []Paper{A4, Letter} {
		for _, axis := range []struct {
			first, pitch, size float64
			n                  int
			page               float64
		}{{p.Left, p.PitchX, CardWidth, p.Cols, p.Width}, {p.Top, p.PitchY, CardHeight, p.Rows, p.Height}} {
			_, gaps := cuts(axis.first, axis.pitch, axis.size, axis.n, axis.page)
			marks := 0
			for _, g := range gaps {
				a, b, ok := g.mark()
				if !ok {
					continue
				}
				marks++
				if a < g.from || b > g.to {
					t.Errorf("%s: mark %.2f..%.2f outside its gap %.2f..%.2f", p.Name, a, b, g.from, g.to)
				}
				if (g.side <= 0 && b > g.to-markGap+1e-9) || (g.side >= 0 && a < g.from+markGap-1e-9) {
					t.Errorf("%s: mark %.2f..%.2f nearer than %.1f mm to a card", p.Name, a, b, markGap)
				}
			}
			if marks < 2 {
				t.Errorf("%s: %d crop marks along an axis, want at least one in each outer margin", p.Name, marks)
			}
		}
	}
}
