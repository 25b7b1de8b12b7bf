package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// The owner sets a birthday gift and a referral bonus on the program page. At the
// counter a new customer gives their birthday and the card code of the customer who
// referred them; their first purchase gives both the referral points, and in their
// birthday week the counter shows the gift, which the cashier gives once.
func TestCounterBirthdayAndReferral(t *testing.T) {
	ctx := context.Background()
	u, store := newCounterUI(t, i18n.English)
	now := time.Date(2027, 3, 10, 15, 0, 0, 0, time.Local) // a Wednesday
	store.Now = func() time.Time { return now }
	p, err := store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := store.Shop(ctx)
	f := u.newProgramForm(p, shop)
	test.NewTempWindow(t, f.build()).Resize(fyne.NewSize(1200, 800))
	f.shop.SetText("Café Lune")
	f.birthdayPoints.SetText("50")
	f.birthdayGift.SetText("a free coffee")
	f.birthdayPeriod.SetSelected(u.lang.T("program.birthday_week"))
	f.referralPoints.SetText("30")
	test.Tap(f.save)
	if p, err = store.Program(ctx); err != nil || p.BirthdayPoints != 50 || p.BirthdayGift != "a free coffee" || p.ReferralPoints != 30 {
		t.Fatalf("saved program = %+v, %v (message %q)", p, err, f.message.Text)
	}

	alice := demoAccount(t, store, "alice@example.com")
	c := u.newCounter()
	c.onNewCustomer()
	form := topOverlay(t, c.win)
	entries := findAll[*widget.Entry](form)
	name, birthday, referral := entries[0], entries[5], entries[6]
	test.Type(name, "Inès Faure")
	test.Type(birthday, "12/3") // Friday
	test.Type(referral, strings.ToLower(alice.Code().String()))
	test.Tap(button(t, form, u.lang.T("customer.create")))
	if c.account == nil || c.account.Customer.Name != "Inès Faure" {
		t.Fatalf("card on screen = %+v, want Inès's", c.account)
	}
	ines := *c.account
	if ines.Customer.BirthDay != 12 || ines.Customer.BirthMonth != 3 || ines.Customer.ReferredBy != alice.Card.Code {
		t.Errorf("new customer = %+v, want born 12/3, referred by %s", ines.Customer, alice.Card.Code)
	}

	banner := u.lang.T("counter.birthday_week", "a free coffee + "+u.lang.T("counter.points_n", "50"))
	if !saysLabel(c.win.Content(), banner) {
		t.Errorf("the counter does not say %q", banner)
	}
	aliceBefore := balance(t, store, alice.Code())
	enter(c, "10")
	if got := balance(t, store, alice.Code()).Points - aliceBefore.Points; got != 30 {
		t.Errorf("the referrer got %d points from the newcomer's first purchase, want 30", got)
	}
	afterFirst := balance(t, store, ines.Code())
	enter(c, "10")
	if got := balance(t, store, alice.Code()).Points - aliceBefore.Points; got != 30 {
		t.Errorf("after a second purchase the referrer has %d more points, want still 30: once", got)
	}

	test.Tap(button(t, c.win.Content(), u.lang.T("counter.birthday_give")))
	got := balance(t, store, ines.Code())
	if second := got.Points - afterFirst.Points; second <= 50 {
		t.Errorf("points after the second purchase and the gift = +%d, want the purchase's and 50", second)
	}
	if !saysLabel(c.win.Content(), u.lang.T("counter.birthday_given")) {
		t.Errorf("after the gift the counter does not say %q", u.lang.T("counter.birthday_given"))
	}
	if op, _, err := store.Record(ctx, ines.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.GiveBirthday(c.origin(), a.Card, a.Customer)
	}); err == nil {
		t.Errorf("a second birthday gift this year was recorded: %+v", op)
	}
}

// saysLabel reports whether a label under o says text.
func saysLabel(o fyne.CanvasObject, text string) bool {
	for _, l := range findAll[*widget.Label](o) {
		if l.Text == text {
			return true
		}
	}
	return false
}
