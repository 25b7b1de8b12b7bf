package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
)

// setCardPage gives the shop's cards a web page address, as the owner does in Loyalty
// program › Shop.
func setCardPage(t *testing.T, store *localdb.Store, base string) {
	t.Helper()
	ctx := context.Background()
	shop, err := store.Shop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop.CloudURL = base
	if err := store.SaveSetting(ctx, localdb.SettingShop, shop); err != nil {
		t.Fatal(err)
	}
}

// cardEmails returns the emails queued that no survey answer asked for.
func cardEmails(t *testing.T, store *localdb.Store) []localdb.Email {
	t.Helper()
	es, err := store.Emails(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// At the counter, "Send the card" says why it cannot for a shop without card pages and
// for a customer who did not consent, and emails a consenting customer their link.
func TestCounterSendsTheCard(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	c := u.newCounter()
	l := u.lang
	alice := demoAccount(t, store, "alice@example.com")

	enter(c, alice.Code().String())
	if b := buttons(c.panel, l.T("sendcard.button")); len(b) != 1 || !b[0].Disabled() {
		t.Fatalf("send buttons without card pages = %v, want one, off", b)
	}
	if want := l.T("err.no_card_page"); !strings.Contains(texts(c.panel), want) {
		t.Errorf("the panel does not say %q:\n%s", want, texts(c.panel))
	}

	const base = "https://cloud.example.com/c/cafe"
	setCardPage(t, store, base)
	chloe := demoAccount(t, store, "chloe@example.com")
	enter(c, chloe.Code().String())
	if b := buttons(c.panel, l.T("sendcard.button")); len(b) != 1 || !b[0].Disabled() {
		t.Fatalf("send buttons for a customer without consent = %v, want one, off", b)
	}
	if want := l.T("err.no_consent"); !strings.Contains(texts(c.panel), want) {
		t.Errorf("the panel does not say %q:\n%s", want, texts(c.panel))
	}

	enter(c, alice.Code().String())
	b := buttons(c.panel, l.T("sendcard.button"))
	if len(b) != 1 || b[0].Disabled() {
		t.Fatalf("send buttons for Alice = %v, want one, on", b)
	}
	test.Tap(b[0])
	if want := l.T("sendcard.sent", "alice@example.com"); !strings.Contains(c.msg.Text, want) {
		t.Errorf("counter message = %q, want %q", c.msg.Text, want)
	}
	es := cardEmails(t, store)
	if len(es) != 1 || es[0].To != "alice@example.com" || !strings.Contains(es[0].Text, cards.URL(base, alice.Code())) ||
		!strings.Contains(es[0].Text, "Alice") || es[0].Status != localdb.EmailQueued {
		t.Fatalf("emails = %+v, want one to Alice holding her card's link", es)
	}
}

// On the desk's customer page, "Send the card" emails the customer their link.
func TestDeskSendsTheCard(t *testing.T) {
	u := newTestUI(t)
	u.lang = i18n.French
	const base = "https://cloud.example.com/c/cafe"
	setCardPage(t, u.store, base)
	d := openOwnerDesk(t, u)
	w := d.win
	w.Resize(fyne.NewSize(1366, 768))
	findAll[*widget.List](w.Content())[0].Select(2) // Customers
	test.Type(findAll[*widget.Entry](w.Content())[0], "bruno")
	findAll[*widget.Table](w.Content())[0].Select(widget.TableCellID{Row: 0, Col: 0})

	test.Tap(button(t, w.Content(), "Envoyer la carte"))
	if got, want := texts(topOverlay(t, w)), "Carte envoyée à bruno@example.com."; !strings.Contains(got, want) {
		t.Errorf("after sending: %q, want %q", got, want)
	}
	bruno := demoAccount(t, u.store, "bruno@example.com")
	es := cardEmails(t, u.store)
	if len(es) != 1 || es[0].To != "bruno@example.com" || !strings.Contains(es[0].Text, cards.URL(base, bruno.Code())) ||
		!strings.HasPrefix(es[0].Text, "Bonjour Bruno,") || es[0].Subject != "Votre carte de fidélité Café Merci (demo)" {
		t.Fatalf("emails = %+v, want one in French to Bruno holding his card's link", es)
	}
}

// The owner sets the card page address in Loyalty program › Shop; a typo is refused
// before anything is saved.
func TestProgramSetsTheCardPage(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	p, err := u.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := u.store.Shop(ctx)
	f := u.newProgramForm(p, shop)
	w := test.NewTempWindow(t, f.build())
	w.Resize(fyne.NewSize(1200, 800))

	f.cardPage.SetText("cloud.example.com/c/cafe")
	test.Tap(f.save)
	if want := "Card page address: enter a web address"; !strings.Contains(f.message.Text, want) {
		t.Errorf("message = %q, want %q", f.message.Text, want)
	}
	if got, _ := u.store.Shop(ctx); got.CloudURL != "" {
		t.Errorf("a typo was saved: %q", got.CloudURL)
	}
	f.cardPage.SetText(" https://cloud.example.com/c/cafe ")
	test.Tap(f.save)
	if got, _ := u.store.Shop(ctx); got.CloudURL != "https://cloud.example.com/c/cafe" {
		t.Errorf("card page address saved = %q (message %q)", got.CloudURL, f.message.Text)
	}
}
