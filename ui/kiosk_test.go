package ui

import (
	"context"
	"image/color"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// testWriter sends the app's log to the test's.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newTestUI returns the app over a fresh demo shop, with the test driver.
func newTestUI(t *testing.T) *UI {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("LANG", "en_US.UTF-8") // Fyne cannot parse the locale "C"
	a := test.NewTempApp(t)
	// The demo's sample data in a store that may be connected, unlike the demo's.
	store := localdbtest.Open(t, localdb.Shop{Name: "Café Merci (demo)", Demo: true})
	u := New(a, store, i18n.English, slog.New(slog.NewTextHandler(testWriter{t}, nil)))
	// The screens' timers (a page's refresh, the idle lock) run only when a test moves
	// the clock: a real timer would touch widgets from its own goroutine while the
	// test reads them, as it did on a loaded machine.
	u.clock = &handClock{now: time.Now()}
	t.Cleanup(func() { u.Close() }) // before the store's own cleanup: the tablet server reads the store
	return u
}

// testKiosk is a kiosk window whose timers and watcher hand their work to the test,
// which runs it on its own goroutine as Fyne's loop would.
type testKiosk struct {
	*kiosk
	t    *testing.T
	loop chan func()
}

func newTestKiosk(t *testing.T, u *UI) *testKiosk {
	t.Helper()
	w := test.NewWindow(nil)
	t.Cleanup(func() {
		if slices.Contains(fyne.CurrentApp().Driver().AllWindows(), w) {
			w.Close()
		}
	})
	w.Resize(fyne.NewSize(1280, 800))
	loop := make(chan func(), 64)
	k := &testKiosk{kiosk: u.openKiosk(w, func(f func()) { loop <- f }), t: t, loop: loop}
	return k
}

// runUntil runs the work timers and the watcher hand over until done reports true.
func (k *testKiosk) runUntil(what string, done func() bool) {
	k.t.Helper()
	deadline := time.After(time.Minute) // a failure bound only
	for !done() {
		select {
		case f := <-k.loop:
			f()
		case <-deadline:
			k.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// poll does what the watcher does on each tick.
func (k *testKiosk) poll() {
	k.t.Helper()
	inv, err := k.pending(context.Background())
	if err != nil {
		k.t.Fatal(err)
	}
	k.Offer(inv)
}

// buttons returns the kiosk's touch buttons with label, as laid out on screen.
func (k *testKiosk) buttons(label string) []*touchButton {
	var out []*touchButton
	for _, o := range test.LaidOutObjects(k.win.Content()) {
		if b, ok := o.(*touchButton); ok && b.label == label && b.Visible() {
			out = append(out, b)
		}
	}
	return out
}

// tap taps the one button labelled label.
func (k *testKiosk) tap(label string) {
	k.t.Helper()
	bs := k.buttons(label)
	if len(bs) != 1 {
		k.t.Fatalf("step %d: %d buttons labelled %q, want 1", k.Step, len(bs), label)
	}
	test.Tap(bs[0])
}

// texts returns every text shown.
func (k *testKiosk) texts() string {
	var out []string
	for _, o := range test.LaidOutObjects(k.win.Content()) {
		switch o := o.(type) {
		case *widget.Label:
			out = append(out, o.Text)
		case *canvas.Text:
			out = append(out, o.Text)
		}
	}
	return strings.Join(out, "\n")
}

// purchase credits a purchase on the card of the customer named name at the counter, as
// the counter's Credit does.
func purchase(t *testing.T, u *UI, name string) loyalty.Operation {
	t.Helper()
	ctx := context.Background()
	found, err := u.store.SearchAccounts(ctx, name, 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("SearchAccounts(%q) = %v, %v", name, found, err)
	}
	p, err := u.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	op, _, err := u.store.RecordPurchase(ctx, found[0].Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: u.store.Device(), At: u.store.Now()}, a.Card, 1290)
	})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func responses(t *testing.T, u *UI) []nps.Response {
	t.Helper()
	rs, err := u.store.Responses(context.Background(), localdb.ResponseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestKioskPromoterAnswer(t *testing.T) {
	u := newTestUI(t)
	k := newTestKiosk(t, u)
	op := purchase(t, u, "Alice")
	k.poll()
	if k.Step != kioskflow.Score {
		t.Fatalf("step after a purchase = %d, want the score question", k.Step)
	}
	if want := "How likely are you to recommend Café Merci (demo) to a friend or relative?"; !strings.Contains(k.texts(), want) {
		t.Errorf("score screen does not ask %q; it shows:\n%s", want, k.texts())
	}
	k.tap("9")
	if k.Step != kioskflow.Comment {
		t.Fatalf("step after tapping 9 = %d, want the comment", k.Step)
	}
	for _, key := range []string{"G", "r", "e", "a", "t", "space", "c", "o", "f", "f", "e", "e", "e", "⌫"} {
		k.tap(key) // the first letter of a sentence is a capital
	}
	k.tap("Send")
	if k.Step != kioskflow.Thanks {
		t.Errorf("step after Send = %d, want thanks", k.Step)
	}
	rs := responses(t, u)
	if len(rs) != 1 {
		t.Fatalf("%d responses stored, want 1", len(rs))
	}
	r := rs[0]
	if cat, _ := nps.CategoryOf(r.Score); r.Score != 9 || cat != nps.Promoter || r.Comment != "Great coffee" || r.PurchaseOpID != op.ID ||
		r.CustomerID != op.CustomerID || r.Lang != nps.English || r.Status != nps.Untreated {
		t.Errorf("stored response = %+v, want a promoter's 9, \"Great coffee\", untreated, for purchase %s of %s", r, op.ID, op.CustomerID)
	}
	k.tap("Done")
	k.poll()
	if k.Step != kioskflow.Idle {
		t.Errorf("step after Done = %d, want idle: the survey was answered", k.Step)
	}
}

func TestKioskIdleMidAnswerStoresNothing(t *testing.T) {
	u := newTestUI(t)
	k := newTestKiosk(t, u)
	k.IdleAfter = 20 * time.Millisecond
	purchase(t, u, "Alice")
	k.poll()
	// The question after a purchase waits for its customer: no timer yet.
	if k.timer != nil {
		t.Errorf("the question after a purchase has an idle timer before anyone touched it")
	}
	k.tap("3")
	k.tap("S")
	k.tap("l")
	k.runUntil("the idle timeout", func() bool { return k.Step == kioskflow.Idle })
	if rs := responses(t, u); len(rs) != 0 {
		t.Errorf("responses after an idle reset mid-answer = %+v, want none", rs)
	}
	k.poll()
	if k.Step != kioskflow.Idle {
		t.Errorf("step after the timeout = %d, want idle: the abandoned survey is not asked again", k.Step)
	}
	purchase(t, u, "Bruno")
	k.poll()
	if k.Step != kioskflow.Score {
		t.Errorf("step after the next purchase = %d, want its question", k.Step)
	}
}

func TestKioskSecondAnswerRefused(t *testing.T) {
	u := newTestUI(t)
	first, second := newTestKiosk(t, u), newTestKiosk(t, u) // say, two tablets
	purchase(t, u, "Alice")
	first.poll()
	second.poll()
	first.tap("9")
	first.tap("Skip")
	second.tap("7")
	second.tap("Skip")
	rs := responses(t, u)
	if len(rs) != 1 || rs[0].Score != 9 || rs[0].Comment != "" {
		t.Errorf("responses = %+v, want only the first answer, 9 without comment", rs)
	}
	if want := i18n.English.T("kiosk.already_answered"); !strings.Contains(second.texts(), want) {
		t.Errorf("the second kiosk does not say %q; it shows:\n%s", want, second.texts())
	}
}

func TestKioskSelfServiceVisit(t *testing.T) {
	u := newTestUI(t)
	k := newTestKiosk(t, u)
	ctx := context.Background()
	found, err := u.store.SearchAccounts(ctx, "Chloé", 1)
	if err != nil {
		t.Fatal(err)
	}
	a := found[0]

	// A USB scanner types the code and Enter.
	test.TypeOnCanvas(k.win.Canvas(), a.Code().String())
	k.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if k.Step != kioskflow.Score {
		t.Fatalf("step after scanning a card = %d, want the question", k.Step)
	}
	if want := "Welcome, Chloé! +2 points for your visit: you now have 2 points."; !strings.Contains(k.texts(), want) {
		t.Errorf("the kiosk does not say %q; it shows:\n%s", want, k.texts())
	}
	k.tap("FR")
	if want := "Bienvenue, Chloé\u202f! +2 points pour votre visite\u202f: vous avez maintenant 2 points."; !strings.Contains(k.texts(), want) {
		t.Errorf("in French the kiosk does not say %q; it shows:\n%s", want, k.texts())
	}
	k.tap("10")
	k.tap("Passer")
	rs := responses(t, u)
	if len(rs) != 1 || rs[0].CustomerID != a.Customer.ID || rs[0].Score != 10 || rs[0].Lang != nps.French {
		t.Errorf("responses = %+v, want Chloé's 10 in French", rs)
	}
	k.tap("Terminé")

	// The same card again, typed on the on-screen keys: the visit is already counted.
	k.tap(i18n.English.T("kiosk.type_code"))
	for _, r := range a.Code() {
		k.tap(string(r))
	}
	k.tap("OK")
	if k.Step != kioskflow.Idle || !strings.Contains(k.texts(), i18n.English.T("kiosk.err.visit_limit")) {
		t.Errorf("second visit: step %d, screen:\n%s\nwant the welcome screen saying the visit is counted", k.Step, k.texts())
	}
	after, err := u.store.AccountByCode(ctx, a.Code())
	if err != nil {
		t.Fatal(err)
	}
	if after.Balance.Points != 2 {
		t.Errorf("points after two scans = %d, want 2", after.Balance.Points)
	}

	k.tap(i18n.English.T("kiosk.type_code"))
	for _, r := range "1234" {
		k.tap(string(r))
	}
	k.tap("OK")
	if k.Step != kioskflow.Code || !strings.Contains(k.texts(), i18n.English.T("kiosk.err.bad_code")) {
		t.Errorf("a short code: step %d, screen:\n%s\nwant the code screen saying the number is wrong", k.Step, k.texts())
	}
}

func TestKioskLanguage(t *testing.T) {
	u := newTestUI(t)
	k := newTestKiosk(t, u)
	purchase(t, u, "Bruno")
	k.poll()
	k.tap("PT-BR")
	if want := "Qual a probabilidade de você recomendar Café Merci (demo) a um amigo ou familiar?"; !strings.Contains(k.texts(), want) {
		t.Errorf("after PT-BR the kiosk does not ask %q; it shows:\n%s", want, k.texts())
	}
	k.tap("8")
	k.tap(i18n.Portuguese.T("kiosk.skip"))
	if rs := responses(t, u); len(rs) != 1 || rs[0].Lang != nps.BrazilianPortuguese {
		t.Errorf("responses = %+v, want one in pt-BR", rs)
	}
	k.tap(i18n.Portuguese.T("kiosk.done"))
	if !strings.Contains(k.texts(), "Scan your card") {
		t.Errorf("the welcome screen after a customer is not back in the shop's language:\n%s", k.texts())
	}
}

func TestKioskLeaveNeedsOwnerPIN(t *testing.T) {
	u := newTestUI(t)
	k := newTestKiosk(t, u)
	open := func() bool { return slices.Contains(fyne.CurrentApp().Driver().AllWindows(), k.win) }
	var exit *widget.Button
	for _, o := range test.LaidOutObjects(k.win.Content()) {
		if b, ok := o.(*widget.Button); ok {
			exit = b
		}
	}
	test.Tap(exit)
	if k.Step != kioskflow.PIN {
		t.Fatalf("step after the exit key = %d, want the PIN", k.Step)
	}
	for _, r := range localdb.DemoCashierPIN {
		k.tap(string(r))
	}
	k.tap("OK")
	if !open() || !strings.Contains(k.texts(), i18n.English.T("kiosk.wrong_pin")) {
		t.Errorf("a cashier's PIN: window open %v, screen:\n%s\nwant it open, saying the PIN is wrong", open(), k.texts())
	}
	test.TypeOnCanvas(k.win.Canvas(), localdb.DemoOwnerPIN)
	k.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if open() {
		t.Error("the kiosk is still open after the owner's PIN")
	}
}

// TestKioskWatcher checks the kiosk's own goroutine shows a purchase made at the counter.
func TestKioskWatcher(t *testing.T) {
	u := newTestUI(t)
	k := newTestKiosk(t, u)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		k.watch(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		for {
			select {
			case <-done:
				return
			case <-k.loop: // unblock a watcher handing over work
			}
		}
	}()
	op := purchase(t, u, "Alice")
	k.runUntil("the kiosk to show the purchase's question", func() bool { return k.Step == kioskflow.Score })
	if k.Inv.PurchaseOpID != op.ID {
		t.Errorf("the kiosk asks about purchase %s, want %s", k.Inv.PurchaseOpID, op.ID)
	}
}

// TestCounterCreditInvites checks a credit at the counter opens the kiosk's survey for
// that purchase.
func TestCounterCreditInvites(t *testing.T) {
	u := newTestUI(t)
	w := u.ShowCounter()
	found, err := u.store.SearchAccounts(context.Background(), "Bruno", 1)
	if err != nil {
		t.Fatal(err)
	}
	input := w.Canvas().Focused()
	enter := func(s string) {
		test.Type(input, s)
		input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	enter(found[0].Code().String())
	enter("12.50")
	inv, err := u.store.PendingInvitation(context.Background(), u.store.Now())
	if err != nil {
		t.Fatalf("no invitation after a credit at the counter: %v", err)
	}
	op, err := u.store.Operation(context.Background(), inv.PurchaseOpID)
	if err != nil {
		t.Fatal(err)
	}
	if op.Kind != loyalty.KindCredit || op.Amount != 1250 || op.CustomerID != found[0].Customer.ID {
		t.Errorf("the invitation follows %+v, want Bruno's credit of 12.50", op)
	}
}

// TestKioskColours checks every text and background pair of the kiosk has a contrast
// of at least 4.5:1 (WCAG 2.1 AA), and the score keys the survey's colours.
func TestKioskColours(t *testing.T) {
	for score := 0; score <= 10; score++ {
		bg, fg := scoreColors(score)
		want := color.Color(red)
		switch {
		case score >= 9:
			want = ok
		case score >= 7:
			want = kioskAmber
		}
		if bg != want {
			t.Errorf("scoreColors(%d) background = %v, want %v", score, bg, want)
		}
		if c := contrast(bg, fg); c < 4.5 {
			t.Errorf("score %d: contrast %.2f, want at least 4.5", score, c)
		}
	}
	pairs := []struct {
		name   string
		fg, bg color.Color
	}{
		{"key", lightText, kioskKey},
		{"secondary key", lightText, kioskKeyDark},
		{"shift on", lightText, brandGreenLight},
		{"main action", white, brandGreen},
		{"end labels", lightMuted, lightBackground},
		{"headline", brandGreen, lightBackground},
		{"reward points", brandGreen, lightSurface},
	}
	for _, p := range pairs {
		if c := contrast(p.fg, p.bg); c < 4.5 {
			t.Errorf("%s: contrast %.2f, want at least 4.5", p.name, c)
		}
	}
}

// contrast is the WCAG 2.1 contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
