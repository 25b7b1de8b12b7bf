package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/chromedp/chromedp"

	"github.com/merci-loyalty/merci/internal/browsertest"
)

// TestTabletInChromium pairs a real browser, makes a purchase at the counter screen and
// answers the survey on the tablet page; then a stranger's browser and, once revoked, the
// tablet are refused. MERCI_SCREENSHOTS=DIR saves what the tablet shows.
func TestTabletInChromium(t *testing.T) {
	t.Setenv("MERCI_TABLET_ADDR", "127.0.0.1:0")
	u := newTestUI(t)
	tab, err := u.startTablet(tabletAddr())
	if err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + tab.base[strings.LastIndex(tab.base, ":")+1:]
	code, err := tab.srv.NewPairingCode()
	if err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t, 1280, 800)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/pair?code="+code),
		chromedp.WaitVisible(`main[data-step="idle"]`),
	); err != nil {
		t.Fatalf("pair: %v", err)
	}
	if idle := browsertest.Text(t, ctx, `main`); !strings.Contains(idle, "Café Merci") {
		t.Errorf("idle page = %q, want the shop's name", idle)
	}

	// A purchase at the counter screen, as the cashier makes it.
	w := u.ShowCounter()
	found, err := u.store.SearchAccounts(context.Background(), "Bruno", 1)
	if err != nil {
		t.Fatal(err)
	}
	input := w.Canvas().Focused()
	for _, s := range []string{found[0].Code().String(), "12.50"} {
		test.Type(input, s)
		input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}

	if err := chromedp.Do(ctx, chromedp.WaitVisible(`main[data-step="score"]`)); err != nil {
		t.Fatalf("no question on the tablet after the purchase: %v", err)
	}
	if q := browsertest.Text(t, ctx, `h1`); !strings.Contains(q, "Café Merci") {
		t.Errorf("question = %q, want it to name the shop", q)
	}
	shoot(t, ctx, "tablet-question.png")
	if os.Getenv("MERCI_SCREENSHOTS") != "" { // the same page on a phone-sized screen
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
			t.Fatal(err)
		}
		shoot(t, ctx, "tablet-question-phone.png")
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`nav button[data-lang="pt-BR"]`),
		chromedp.WaitVisible(`html[lang="pt-BR"] main[data-step="score"]`),
		chromedp.Click(`button[data-score="10"]`),
		chromedp.WaitVisible(`#reason`),
		chromedp.SendKeys(`#reason`, "Atendimento ótimo"),
	); err != nil {
		t.Fatalf("answer on the tablet: %v", err)
	}
	shoot(t, ctx, "tablet-reason.png")
	if err := chromedp.Do(ctx,
		chromedp.Click(`#send`),
		chromedp.WaitVisible(`main[data-step="thanks"]`),
	); err != nil {
		t.Fatalf("send on the tablet: %v", err)
	}
	rs := responses(t, u)
	if len(rs) != 1 || rs[0].Score != 10 || rs[0].Comment != "Atendimento ótimo" || rs[0].Lang != "pt-BR" {
		t.Fatalf("responses = %+v, want Bruno's 10 in Portuguese with its reason", rs)
	}

	stranger := browsertest.New(t, 1280, 800)
	if err := chromedp.Do(stranger, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if got := browsertest.Text(t, stranger, `body`); strings.Contains(got, "Café Merci") || !strings.Contains(got, "not paired") {
		t.Errorf("unpaired browser sees %q, want only \"not paired\"", got)
	}

	tablets, err := u.store.Tablets(context.Background())
	if err != nil || len(tablets) != 1 {
		t.Fatalf("Tablets = %v, %v", tablets, err)
	}
	if err := u.store.RevokeTablet(context.Background(), tablets[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if got := browsertest.Text(t, ctx, `body`); !strings.Contains(got, "not paired") {
		t.Errorf("revoked tablet sees %q, want \"not paired\"", got)
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
