package server_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/internal/browsertest"
	"github.com/merci-loyalty/merci/scanner"
	"github.com/merci-loyalty/merci/syncwire"
)

// cspViolations collects, from before the page's first byte, what the page's Content
// Security Policy blocks: the browser injects it, so the policy does not block it.
const cspViolations = `window.cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));`

// TestCardPageInChromium opens a card's page in headless Chromium in each language, at
// a phone's size, with the wallet buttons shown, and reads the card's QR back from a
// screenshot with the counter's scanner. MERCI_SCREENSHOTS=DIR saves the screenshots.
func TestCardPageInChromium(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), newWalletKeys(t).cfg)
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
				func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
					_, err := cdp.Call(ctx, target, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: cspViolations})
					return chromedp.Void{}, err
				},
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
			for sel, key := range map[string]string{"#apple-wallet": "card.wallet_apple", "#google-wallet": "card.wallet_google"} {
				if got, want := browsertest.Text(t, ctx, sel), tc.lang.T(key); got != want {
					t.Errorf("%s = %q, want %q", sel, got, want)
				}
			}
			blocked, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.cspViolations`))
			if err != nil {
				t.Fatal(err)
			}
			if len(blocked) > 0 {
				t.Errorf("the page's CSP blocked %q", blocked)
			}
			shot := browsertest.Screenshot(t, ctx)
			dir := os.Getenv("MERCI_SCREENSHOTS")
			save := func(name string, shot []byte) {
				if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if dir != "" {
				save("card-phone-"+string(tc.lang)+".png", shot)
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
			if dir != "" {
				if tc.lang == i18n.English {
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
						t.Fatal(err)
					}
					save("card-tablet-en.png", browsertest.Screenshot(t, ctx))
				}
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.ScrollIntoView(`#google-wallet`)); err != nil {
					t.Fatal(err)
				}
				save("card-phone-wallet-"+string(tc.lang)+".png", browsertest.Screenshot(t, ctx))
			}
			if !strings.Contains(browsertest.Text(t, ctx, `main`), tc.lang.T("card.show")) {
				t.Errorf("page lacks %q", tc.lang.T("card.show"))
			}
		})
	}
}
