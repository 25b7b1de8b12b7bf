package sheet_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	xdraw "golang.org/x/image/draw"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/sheet"
)

// testFaces returns n faces mixing URL and bare-code payloads, long and non-Latin shop
// names, logos and opening balances.
func testFaces(t testing.TB, n int) []cards.Face {
	t.Helper()
	names := []string{"Café Zoë", "Boulangerie Pâtisserie du Marché Saint-Germain", "Книжная лавка", "Joe's Barber Shop & Shave Parlour of Greater Springfield County"}
	logo := image.NewRGBA(image.Rect(0, 0, 60, 40))
	draw.Draw(logo, image.Rect(10, 5, 50, 35), image.NewUniform(color.RGBA{200, 80, 40, 255}), image.Point{}, draw.Src)
	var faces []cards.Face
	for i := range n {
		code, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		f := cards.Face{ShopName: names[i%len(names)], Code: code}
		if i%3 != 0 {
			f.QRPayload = cards.Payload("https://loyalty.example.com/", code)
		}
		if i%2 == 0 {
			f.Logo = logo
			f.Opening = "Opening balance 5.00 EUR"
		}
		faces = append(faces, f)
	}
	return faces
}

func payload(f cards.Face) string {
	if f.QRPayload == "" {
		return string(f.Code)
	}
	return f.QRPayload
}

const dpi = 300

func mm(px float64) float64 { return px * 25.4 / dpi }
func px(mm float64) int     { return int(math.Round(mm * dpi / 25.4)) }

// rasterise renders a PDF with pdftoppm and returns its pages as grey images.
func rasterise(t *testing.T, pdf []byte) []*image.Gray {
	t.Helper()
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm not found: install poppler-utils to run the PDF round trip")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-r", fmt.Sprint(dpi), "-gray", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	names, err := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if err != nil {
		t.Fatal(err)
	}
	var pages []*image.Gray
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("decode %s: %v", name, err)
		}
		g, ok := img.(*image.Gray)
		if !ok {
			g = toGray(img)
		}
		pages = append(pages, g)
	}
	return pages
}

func toGray(img image.Image) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(g, g.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Over)
	return g
}

// decodeQR decodes the one QR code in img and returns its text and its result points
// (finder pattern centres first: bottom-left, top-left, top-right) in img's pixels.
func decodeQR(img image.Image) (string, []gozxing.ResultPoint, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", nil, err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", nil, err
	}
	return res.GetText(), res.GetResultPoints(), nil
}

// decodeSlot decodes the QR code drawn in box (millimetres) on page, and returns its text
// and result points in page pixels.
func decodeSlot(page *image.Gray, box sheet.Rect) (string, [][2]float64, error) {
	crop := page.SubImage(image.Rect(px(box.X-1), px(box.Y-1), px(box.X+box.W+1), px(box.Y+box.H+1)))
	got, points, err := decodeRetry(crop)
	for i := range points {
		points[i][0] += float64(crop.Bounds().Min.X)
		points[i][1] += float64(crop.Bounds().Min.Y)
	}
	return got, points, err
}

// decodeRetry decodes the QR code in img and returns its text and result points, counted
// from img's corner. gozxing misreads about one sharp synthetic symbol in 1500 at one
// pixel phase, as a camera never sees twice; like a scanner reading the next frame, it
// retries with img resampled slightly larger and smaller.
func decodeRetry(img image.Image) (string, [][2]float64, error) {
	var err error
	for _, scale := range []float64{1, 1.07, 0.93} {
		src := img
		if scale != 1 {
			b := img.Bounds()
			dst := image.NewGray(image.Rect(0, 0, int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)))
			xdraw.BiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
			src = dst
		}
		var got string
		var points []gozxing.ResultPoint
		if got, points, err = decodeQR(src); err == nil {
			var pts [][2]float64
			for _, p := range points {
				pts = append(pts, [2]float64{p.GetX() / scale, p.GetY() / scale})
			}
			return got, pts, nil
		}
	}
	return "", nil, err
}

// finderCentres returns where the centres of the three finder patterns of a QR symbol of
// n modules (quiet zone included) drawn in box lie, in the order gozxing reports them.
func finderCentres(box sheet.Rect, n int) [3][2]float64 {
	mod := box.W / float64(n)
	near, far := 4+3.5, float64(n)-4-3.5
	return [3][2]float64{
		{box.X + near*mod, box.Y + far*mod},
		{box.X + near*mod, box.Y + near*mod},
		{box.X + far*mod, box.Y + near*mod},
	}
}

func TestPDFRoundTrip(t *testing.T) {
	faces := testFaces(t, 13) // one full page and three cards on the next
	for _, paper := range []sheet.Paper{sheet.A4, sheet.Letter} {
		t.Run(paper.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := sheet.WritePDF(&buf, paper, faces); err != nil {
				t.Fatal(err)
			}
			pages := rasterise(t, buf.Bytes())
			if got, want := len(pages), 2; got != want {
				t.Fatalf("pages = %d, want %d", got, want)
			}
			for _, pg := range pages {
				if w, h := pg.Bounds().Dx(), pg.Bounds().Dy(); abs(w-px(paper.Width)) > 1 || abs(h-px(paper.Height)) > 1 {
					t.Errorf("page is %dx%d px, want %dx%d (%gx%g mm at %d dpi)", w, h, px(paper.Width), px(paper.Height), paper.Width, paper.Height, dpi)
				}
			}
			for i, f := range faces {
				page, slot := pages[i/paper.PerPage()], paper.Slot(i%paper.PerPage())
				qrBox := sheet.QRBox()
				qrBox.X += slot.X
				qrBox.Y += slot.Y
				got, points, err := decodeSlot(page, qrBox)
				if err != nil {
					t.Errorf("card %d: no QR decoded at %+v mm: %v", i+1, qrBox, err)
					continue
				}
				if got != payload(f) {
					t.Errorf("card %d: QR = %q, want %q", i+1, got, payload(f))
				}
				q, err := f.QR()
				if err != nil {
					t.Fatal(err)
				}
				want := finderCentres(qrBox, len(q.Bitmap()))
				for j := range 3 {
					x, y := mm(points[j][0]), mm(points[j][1])
					if math.Abs(x-want[j][0]) > 0.3 || math.Abs(y-want[j][1]) > 0.3 {
						t.Errorf("card %d: finder pattern %d at (%.2f, %.2f) mm, want (%.2f, %.2f)", i+1, j, x, y, want[j][0], want[j][1])
					}
				}
			}
			checkInk(t, paper, pages[0])
		})
	}
}

// checkInk checks that page one has ink only on the cards and on crop marks that lie on the
// cards' edge lines, and that every edge line has its marks.
func checkInk(t *testing.T, p sheet.Paper, page *image.Gray) {
	t.Helper()
	var xs, ys []float64
	for i := range p.PerPage() {
		s := p.Slot(i)
		xs = append(xs, s.X, s.X+s.W)
		ys = append(ys, s.Y, s.Y+s.H)
	}
	// near marks every line within a quarter millimetre of v (two cards' edges may be
	// 0.02 mm apart) and reports whether there was one.
	marked := map[string]bool{}
	near := func(v float64, axis string, lines []float64) bool {
		found := false
		for _, l := range lines {
			if math.Abs(v-l) <= 0.25 {
				marked[fmt.Sprintf("%s=%.2f", axis, l)] = true
				found = true
			}
		}
		return found
	}
	onCard := func(x, y float64) bool {
		for i := range p.PerPage() {
			s := p.Slot(i)
			if x >= s.X && x <= s.X+s.W && y >= s.Y && y <= s.Y+s.H {
				return true
			}
		}
		return false
	}
	stray := 0
	b := page.Bounds()
	for py := b.Min.Y; py < b.Max.Y; py++ {
		for pxl := b.Min.X; pxl < b.Max.X; pxl++ {
			if page.GrayAt(pxl, py).Y > 128 {
				continue
			}
			x, y := mm(float64(pxl)+0.5), mm(float64(py)+0.5)
			if onCard(x, y) {
				continue
			}
			if near(x, "x", xs) || near(y, "y", ys) {
				continue
			}
			if stray++; stray <= 5 {
				t.Errorf("ink off the cards and off every cut line at (%.2f, %.2f) mm", x, y)
			}
		}
	}
	for _, v := range xs {
		if !marked[fmt.Sprintf("x=%.2f", v)] {
			t.Errorf("no crop mark on the cut line x = %.2f mm", v)
		}
	}
	for _, v := range ys {
		if !marked[fmt.Sprintf("y=%.2f", v)] {
			t.Errorf("no crop mark on the cut line y = %.2f mm", v)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func TestCardPNG(t *testing.T) {
	for _, f := range testFaces(t, 4) {
		var buf bytes.Buffer
		if err := sheet.WritePNG(&buf, f, dpi); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := img.Bounds().Size(), image.Pt(px(sheet.CardWidth), px(sheet.CardHeight)); got != want {
			t.Errorf("card PNG size = %v, want %v", got, want)
		}
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("card PNG corner alpha = %d, want 0 (rounded corner)", a)
		}
		if _, _, _, a := img.At(img.Bounds().Dx()/2, 2).RGBA(); a != 0xffff {
			t.Errorf("card PNG top edge alpha = %d, want opaque", a)
		}
		got, _, err := decodeRetry(toGray(img))
		if err != nil {
			t.Fatalf("card %s: decode QR from PNG: %v", f.Code, err)
		}
		if got != payload(f) {
			t.Errorf("card PNG QR = %q, want %q", got, payload(f))
		}
	}
}

func TestBadFaces(t *testing.T) {
	good := testFaces(t, 2)
	other := good[1].Code
	for name, f := range map[string]cards.Face{
		"no shop name":    {Code: good[0].Code},
		"mistyped code":   {ShopName: "Shop", Code: cards.Code(strings.Replace(string(good[0].Code), string(good[0].Code[0]), string(other[0]), 1) + "")},
		"foreign QR":      {ShopName: "Shop", Code: good[0].Code, QRPayload: "https://example.com/"},
		"other card's QR": {ShopName: "Shop", Code: good[0].Code, QRPayload: string(other)},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "mistyped code" && f.Code == good[0].Code {
				t.Skip("random code starts with the same symbol as the other")
			}
			err := sheet.WritePDF(&bytes.Buffer{}, sheet.A4, []cards.Face{good[0], f})
			if err == nil || !strings.Contains(err.Error(), "card 2") {
				t.Errorf("WritePDF with %s: err = %v, want an error naming card 2", name, err)
			}
			if err := sheet.WritePNG(&bytes.Buffer{}, f, dpi); err == nil {
				t.Errorf("WritePNG with %s: err = nil, want an error", name)
			}
		})
	}
	if err := sheet.WritePDF(&bytes.Buffer{}, sheet.A4, nil); err == nil {
		t.Error("WritePDF with no cards: err = nil, want an error")
	}
}

// BenchmarkWritePDF measures one A4 sheet of ten cards; compare with BenchmarkCardPNG, one
// card drawn at 300 dpi.
func BenchmarkWritePDF(b *testing.B) {
	faces := testFaces(b, 10)
	for b.Loop() {
		if err := sheet.WritePDF(io.Discard, sheet.A4, faces); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCardPNG(b *testing.B) {
	f := testFaces(b, 1)[0]
	for b.Loop() {
		if _, err := sheet.Image(f, dpi); err != nil {
			b.Fatal(err)
		}
	}
}
