package tablet_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/internal/browsertest"
	"github.com/merci-loyalty/merci/localdb"
)

// TestSelfScanInChromium: a customer scans their own card with the paired tablet's
// camera (Chromium's fake camera plays a picture of the card's printed QR code), the
// counter reads it and credits the visit once, by the kiosk's rules; a photo taken with
// the file input (the plain-http path) credits another card, and the same card again is
// refused by the visit limit. An unpaired browser may not send pictures.
// MERCI_SCREENSHOTS=DIR saves what the tablet shows.
func TestSelfScanInChromium(t *testing.T) {
	c := newCounter(t)
	ctx := context.Background()
	chloe := account(t, c, "Chloé")
	dir := t.TempDir()
	video := filepath.Join(dir, "card.y4m")
	if err := os.WriteFile(video, y4m(cardPicture(t, chloe.Code(), 640, 480)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, opsBefore, err := c.store.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}

	tab := browsertest.New(t, 1280, 800,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true), // grants the camera without asking
		chromedp.Flag("use-file-for-fake-video-capture", video))
	code, err := c.srv.NewPairingCode()
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(c.web.URL+"/pair?code="+code),
		chromedp.WaitVisible(`main[data-step="idle"] #scan`),
	); err != nil {
		t.Fatalf("pair: %v", err)
	}
	shoot(t, tab, "tablet-scan.png")
	if err := chromedp.Do(tab,
		chromedp.Click(`#scan`),
		chromedp.WaitVisible(`main[data-step="score"] .banner`),
	); err != nil {
		t.Fatalf("scan with the camera: %v", err)
	}
	if got, want := browsertest.Text(t, tab, `.banner`), i18n.English.T("kiosk.welcome_name", "Chloé"); !strings.Contains(got, want) {
		t.Errorf("after the scan the tablet says %q, want %q", got, want)
	}
	shoot(t, tab, "tablet-scanned.png")
	if visible(t, tab, "#camera") {
		t.Errorf("the camera stays open after the card was read")
	}
	if got := points(t, c, chloe.Code()); got != chloe.Balance.Points+2 {
		t.Errorf("Chloé's points after the scan = %d, want %d", got, chloe.Balance.Points+2)
	}
	_, ops, err := c.store.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ops != opsBefore+1 {
		t.Errorf("operations after one scan = %d, want %d: one visit", ops, opsBefore+1)
	}

	// Back at the welcome screen, a photo through the file input, as a tablet on the
	// shop's plain-http network takes it.
	bruno := account(t, c, "Bruno")
	photo := filepath.Join(dir, "card.png")
	writePNG(t, photo, cardPicture(t, bruno.Code(), 1200, 900))
	if err := chromedp.Do(tab,
		chromedp.Click(`button[data-score="9"]`),
		chromedp.WaitVisible(`#skip`),
		chromedp.Click(`#skip`),
		chromedp.WaitVisible(`main[data-step="thanks"]`),
		chromedp.Click(`main[data-step="thanks"] .primary`),
		chromedp.WaitVisible(`main[data-step="idle"]`),
		chromedp.SetUploadFiles(`#photo`, []string{photo}),
		chromedp.WaitVisible(`main[data-step="score"] .banner`),
	); err != nil {
		t.Fatalf("scan a photo: %v", err)
	}
	if got := points(t, c, bruno.Code()); got != bruno.Balance.Points+2 {
		t.Errorf("Bruno's points after the photo = %d, want %d", got, bruno.Balance.Points+2)
	}
	// The same card again: the visit is already counted.
	if err := chromedp.Do(tab,
		chromedp.Click(`button[data-score="10"]`),
		chromedp.WaitVisible(`#skip`),
		chromedp.Click(`#skip`),
		chromedp.WaitVisible(`main[data-step="thanks"]`),
		chromedp.Click(`main[data-step="thanks"] .primary`),
		chromedp.WaitVisible(`main[data-step="idle"]`),
		chromedp.SetUploadFiles(`#photo`, []string{photo}),
		chromedp.WaitVisible(`#notice`),
	); err != nil {
		t.Fatalf("scan the photo again: %v", err)
	}
	if got, want := browsertest.Text(t, tab, `#notice`), i18n.English.T("kiosk.err.visit_limit"); got != want {
		t.Errorf("second photo of the card: notice %q, want %q", got, want)
	}
	if got := points(t, c, bruno.Code()); got != bruno.Balance.Points+2 {
		t.Errorf("Bruno's points after the same photo twice = %d, want %d", got, bruno.Balance.Points+2)
	}

	// Another tablet whose camera sees no card (Chromium's own test pattern): nothing is
	// credited, and Cancel closes the camera.
	other := browsertest.New(t, 1280, 800,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true))
	if code, err = c.srv.NewPairingCode(); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(other,
		chromedp.Navigate(c.web.URL+"/pair?code="+code),
		chromedp.WaitVisible(`main[data-step="idle"] #scan`),
		chromedp.Click(`#scan`),
		chromedp.WaitVisible(`#camera video`),
	); err != nil {
		t.Fatalf("open the camera: %v", err)
	}
	if _, err := chromedp.Run(other, chromedp.Poll[bool](`document.getElementById("video").readyState >= 2`)); err != nil {
		t.Fatalf("the camera shows nothing: %v", err)
	}
	shoot(t, other, "tablet-camera.png")
	if err := chromedp.Do(other, chromedp.Click(`#camera-cancel`), chromedp.WaitNotVisible(`#camera`)); err != nil {
		t.Fatalf("cancel the camera: %v", err)
	}
	if _, ops, err = c.store.Counts(ctx); err != nil {
		t.Fatal(err)
	}
	if ops != opsBefore+2 {
		t.Errorf("operations after two visits and a camera without a card = %d, want %d", ops, opsBefore+2)
	}

	stranger := browsertest.New(t, 1280, 800)
	if err := chromedp.Do(stranger, chromedp.Navigate(c.web.URL+"/pair")); err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(stranger, chromedp.Evaluate[int](`fetch("/scan", {method: "POST", body: "x"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != 401 {
		t.Errorf("unpaired browser POST /scan = %d, want 401", status)
	}
}

func account(t *testing.T, c *counter, name string) localdb.Account {
	t.Helper()
	found, err := c.store.SearchAccounts(context.Background(), name, 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("SearchAccounts(%q) = %v, %v", name, found, err)
	}
	return found[0]
}

func points(t *testing.T, c *counter, code cards.Code) int64 {
	t.Helper()
	a, err := c.store.AccountByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return a.Balance.Points
}

// visible reports whether the element matching sel is shown.
func visible(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("`+sel+`").hidden`))
	if err != nil {
		t.Fatal(err)
	}
	return shown
}

// cardPicture is a w×h picture of a card's printed QR code on white, at two thirds of
// the height, as a customer holds it up.
func cardPicture(t *testing.T, code cards.Code, w, h int) *image.Gray {
	t.Helper()
	q, err := cards.Face{ShopName: "Café Merci", Code: code}.QR()
	if err != nil {
		t.Fatal(err)
	}
	side := h * 2 / 3
	sym := q.Image(side)
	pic := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(pic, pic.Bounds(), image.White, image.Point{}, draw.Src)
	at := image.Pt((w-side)/2, (h-side)/2)
	draw.Draw(pic, image.Rectangle{Min: at, Max: at.Add(image.Pt(side, side))}, sym, sym.Bounds().Min, draw.Src)
	return pic
}

// y4m is a one-frame YUV4MPEG2 video of g, which Chromium's fake camera plays in a loop.
func y4m(g *image.Gray) []byte {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var b bytes.Buffer
	fmt.Fprintf(&b, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\nFRAME\n", w, h)
	for y := range h {
		b.Write(g.Pix[y*g.Stride : y*g.Stride+w])
	}
	b.Write(bytes.Repeat([]byte{128}, 2*((w+1)/2)*((h+1)/2))) // no colour
	return b.Bytes()
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// shoot saves what the browser shows as name in $MERCI_SCREENSHOTS, when set.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("MERCI_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), browsertest.Screenshot(t, ctx), 0o644); err != nil {
		t.Fatal(err)
	}
}
