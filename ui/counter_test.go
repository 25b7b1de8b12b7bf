package ui

import (
	"bytes"
	"context"
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/skip2/go-qrcode"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/scanner"
)

// newCounterUI returns the app over a fresh demo shop in lang, and its store.
func newCounterUI(t *testing.T, lang i18n.Lang) (*UI, *localdb.Store) {
	t.Helper()
	u := newTestUI(t)
	u.lang = lang
	return u, u.store
}

func demoAccount(t *testing.T, store *localdb.Store, query string) localdb.Account {
	t.Helper()
	found, err := store.SearchAccounts(context.Background(), query, 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("SearchAccounts(%q) = %v, %v", query, found, err)
	}
	return found[0]
}

// enter types text into the counter's input and presses Enter, as a cashier or a USB
// scanner does.
func enter(c *counter, text string) {
	c.input.SetText("")
	test.Type(c.input, text)
	c.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func balance(t *testing.T, store *localdb.Store, code cards.Code) loyalty.Balance {
	t.Helper()
	a, err := store.AccountByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return a.Balance
}

func TestTypedCodeShowsCard(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	c := u.newCounter()
	alice := demoAccount(t, store, "alice@example.com")

	enter(c, strings.ToLower(alice.Code().String()))

	if c.account == nil || c.account.Customer.ID != alice.Customer.ID {
		t.Fatalf("card on screen = %v, want Alice's", c.account)
	}
	if got, want := c.points.Text, u.lang.Number(alice.Balance.Points); got != want {
		t.Errorf("points on screen = %q, want %q", got, want)
	}
	if got := c.name.Text; got != "Alice Martin" {
		t.Errorf("name on screen = %q, want Alice Martin", got)
	}
	if c.input.Text != "" || c.win.Canvas().Focused() != c.input {
		t.Errorf("input = %q, focused %v; want empty and focused for the next scan", c.input.Text, c.win.Canvas().Focused())
	}
}

func TestCreditThenUndo(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	c := u.newCounter()
	bruno := demoAccount(t, store, "bruno")
	before := balance(t, store, bruno.Code())
	enter(c, bruno.Code().String())

	enter(c, "12.50") // demo program: 1 point a visit + 1 a euro

	after := balance(t, store, bruno.Code())
	if got, want := after.Points, before.Points+13; got != want {
		t.Fatalf("points in SQLite after crediting 12.50 = %d, want %d", got, want)
	}
	if got, want := c.points.Text, u.lang.Number(after.Points); got != want {
		t.Errorf("points on screen = %q, want %q", got, want)
	}
	if !strings.Contains(c.msg.Text, "€12.50") || c.undo.Hidden {
		t.Errorf("message = %q, undo hidden = %v; want the credit and Undo", c.msg.Text, c.undo.Hidden)
	}

	test.Tap(c.undo)

	if got := balance(t, store, bruno.Code()); got != before {
		t.Errorf("balance in SQLite after undo = %+v, want %+v", got, before)
	}
	if got, want := c.points.Text, u.lang.Number(before.Points); got != want {
		t.Errorf("points on screen after undo = %q, want %q", got, want)
	}
	if !c.undo.Hidden {
		t.Error("Undo still offered after undoing")
	}
}

func TestKeypadCredit(t *testing.T) {
	u, store := newCounterUI(t, i18n.French)
	c := u.newCounter()
	chloe := demoAccount(t, store, "chloe")
	enter(c, chloe.Code().String())
	for _, k := range []string{"8", ",", "5"} {
		c.typeKey(k)
	}
	if got, want := c.amount.Text, "8,50\u00a0€"; got != want {
		t.Errorf("amount display = %q, want %q", got, want)
	}
	c.onCredit()
	if got := balance(t, store, chloe.Code()).Points; got != 9 {
		t.Errorf("points after keypad credit of 8,50 = %d, want 9", got)
	}
	if !strings.HasPrefix(c.msg.Text, "✓ 8,50") {
		t.Errorf("French message = %q", c.msg.Text)
	}
}

func TestRejectedInputWritesNothing(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	c := u.newCounter()
	ctx := context.Background()
	alice := demoAccount(t, store, "alice")
	blocked := demoAccount(t, store, "bruno")
	if err := store.SetCardStatus(ctx, blocked.Code(), loyalty.CardBlocked); err != nil {
		t.Fatal(err)
	}
	unknown, _ := cards.NewCode()
	typo := []byte(alice.Code())
	typo[3] = map[bool]byte{true: 'X', false: 'Y'}[typo[3] != 'X']
	pending, _ := store.Pending(ctx)

	tests := []struct {
		name, card, input, want string
	}{
		{"zero amount", string(alice.Code()), "0", u.lang.T("err.invalid_amount")},
		{"absurd amount", string(alice.Code()), "99999", u.lang.T("err.amount_too_large")},
		{"two separators", string(alice.Code()), "1.2.3", u.lang.T("err.amount_syntax")},
		{"mistyped code", "", string(typo), u.lang.T("err.code_check")},
		{"unknown card", "", string(unknown), u.lang.T("err.unknown_card")},
		{"blocked card", "", string(blocked.Code()), u.lang.T("err.card_blocked")},
		{"debit more than balance", string(alice.Code()), "", u.lang.T("err.not_enough_points")},
		{"not a Merci QR", "", "https://example.com/menu", u.lang.T("counter.no_match", "https://example.com/menu")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.card != "" {
				enter(c, tt.card)
			}
			if tt.name == "debit more than balance" {
				c.input.SetText("100000")
				c.onDebit()
			} else {
				enter(c, tt.input)
			}
			if c.msg.Text != tt.want {
				t.Errorf("message = %q, want %q", c.msg.Text, tt.want)
			}
		})
	}
	if got, _ := store.Pending(ctx); got != pending {
		t.Errorf("outbox went from %d to %d changes: rejected input wrote something", pending, got)
	}
}

func TestSearchByEmailAndPhone(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	c := u.newCounter()
	for query, want := range map[string]string{"compta@petitbureau.example": "Le Petit Bureau", "+55 11 91234": "Bruno Costa"} {
		enter(c, query)
		if c.account == nil || c.account.Customer.Name != want {
			t.Errorf("search %q showed %v, want %s", query, c.account, want)
		}
	}
	enter(c, "example.com") // several matches: a list to pick from
	if len(c.results.Objects) < 3 {
		t.Fatalf("results for a shared domain = %d rows, want a list", len(c.results.Objects))
	}
	test.Tap(c.results.Objects[1].(*widget.Button))
	first := demoAccount(t, store, "alice")
	if c.account == nil || c.account.Customer.ID != first.Customer.ID {
		t.Errorf("picked the first result, card on screen = %v, want Alice's", c.account)
	}
}

func TestCameraScanLoadsCard(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	alice := demoAccount(t, store, "alice")
	png, err := qrcode.Encode(cards.URL("https://cloud.example", alice.Code()), qrcode.Medium, 320)
	if err != nil {
		t.Fatal(err)
	}
	frame, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	u.openCamera = func(string) (scanner.Source, error) {
		return scanner.NewImageSource([]image.Image{frame}, 30*time.Millisecond, true), nil
	}
	// The test goroutine plays the UI goroutine: it runs what the camera hands over.
	calls, stopped := make(chan func()), make(chan struct{})
	u.do = func(f func()) {
		select {
		case calls <- f:
		case <-stopped:
		}
	}
	c := u.newCounter()
	defer c.camera.close()
	defer close(stopped)

	timeout := time.After(time.Minute) // a failure bound only
	for c.shownCustomer() != alice.Customer.ID {
		select {
		case f := <-calls:
			f()
		case <-timeout:
			t.Fatalf("card on screen = %q after a minute of camera frames, want Alice's", c.shownCustomer())
		}
	}
	if !strings.Contains(c.msg.Text, "Alice Martin") {
		t.Errorf("message = %q, want Alice's card loaded", c.msg.Text)
	}
}

func TestNoCameraKeepsTyping(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	u.openCamera = func(string) (scanner.Source, error) { return nil, scanner.ErrNoCamera }
	c := u.newCounter()
	if c.camera.banner.Hidden || c.camera.banner.Text != u.lang.T("camera.none") {
		t.Errorf("camera banner = %q (hidden %v), want the no-camera banner", c.camera.banner.Text, c.camera.banner.Hidden)
	}
	bruno := demoAccount(t, store, "bruno")
	enter(c, bruno.Code().String())
	if c.shownCustomer() != bruno.Customer.ID {
		t.Error("typing a code does not work without a camera")
	}
}
