package server_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/internal/browsertest"
	"github.com/merci-loyalty/merci/scanner"
	"github.com/merci-loyalty/merci/syncwire"
)

// TestCardPageInChromium opens a card's page in headless Chromium in each language, at
// a phone's size, and reads the card's QR back from a screenshot with the counter's
// scanner. MERCI_SCREENSHOTS=DIR saves the screenshots.
func TestCardPageInChromium(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{})
	a := e.shop("Café Lune")
	logo, err := os.ReadFile("../../assets/icon.png") // Merci's own, as a shop's logo
	if err != nil {
		t.Fatal(err)
	}
	code := cardOfCafeLune(t, e, a,
		synctest.Record(t, syncwire.TypeSetting, syncwire.SettingShop, map[string]any{"name": "Café Lune", "logo": logo}))
	page := e.http.URL + "/c/" + a.ShopTag + "/" + string(code)

	for _, tc := range []struct {
		header string
		lang   i18n.Lang
	}{{"en-US,en;q=0.9", i18n.English}, {"fr-FR,fr;q=0.9,en;q=0.5", i18n.French}, {"pt-BR,pt;q=0.9", i18n.Portuguese}} {
		t.Run(string(tc.lang), func(t *testing.T) {
			ctx := browsertest.New(t, 390, 844, browsertest.AcceptLanguage(tc.header))
			if err := chromedp.Do(ctx,
				chromedp.Navigate(page),
				chromedp.WaitVisible(`svg.qr`),
			); err != nil {
				t.Fatal(err)
			}
			// Loaded, not blocked by the page's CSP: a blocked image has no natural size.
			logoWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`new Promise(ok => { const i = document.querySelector("img.logo");
				i.complete ? ok(i.naturalWidth) : i.onload = i.onerror = () => ok(i.naturalWidth) })`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if logoWidth == 0 {
				t.Errorf("the shop's logo did not load in the card page")
			}
			if got, want := browsertest.Text(t, ctx, `footer`), tc.lang.T("card.footer"); got != want {
				t.Errorf("footer = %q, want %q", got, want)
			}
			shot := browsertest.Screenshot(t, ctx)
			if dir := os.Getenv("MERCI_SCREENSHOTS"); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, "card-phone-"+string(tc.lang)+".png"), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			img, err := png.Decode(bytes.NewReader(shot))
			if err != nil {
				t.Fatal(err)
			}
			text, err := scanner.NewDecoder(10 * time.Second).Decode(img)
			if err != nil {
				t.Fatalf("the scanner reads no QR in the screenshot: %v", err)
			}
			if got, err := cards.ParsePayload(text); err != nil || got != code {
				t.Errorf("QR holds %q (%v), want card %s", text, err, code)
			}
			if dir := os.Getenv("MERCI_SCREENSHOTS"); dir != "" && tc.lang == i18n.English {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "card-tablet-en.png"), browsertest.Screenshot(t, ctx), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if !strings.Contains(browsertest.Text(t, ctx, `main`), tc.lang.T("card.show")) {
				t.Errorf("page lacks %q", tc.lang.T("card.show"))
			}
		})
	}
}
