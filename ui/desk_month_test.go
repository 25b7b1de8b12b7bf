package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// The owner makes points expire on the program page; the This month page then lists
// the customers whose points expire by the end of the month, and only them, and the
// customers whose birthday is this month.
func TestDeskListsWhatExpiresThisMonth(t *testing.T) {
	ctx := context.Background()
	u := newTestUI(t)
	store := u.store
	p, err := store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := store.Shop(ctx)
	f := u.newProgramForm(p, shop)
	test.NewTempWindow(t, f.build()).Resize(fyne.NewSize(1200, 800))
	f.shop.SetText("Boulangerie Lemoine")
	f.expiryMonths.SetText("12")
	f.expiryRule.SetSelected(u.lang.T("program.expiry_after_earning"))
	test.Tap(f.save)
	if p, err = store.Program(ctx); err != nil || p.ExpiryMonths != 12 || p.ExpiryRule != loyalty.ExpireAfterEarning {
		t.Fatalf("saved program = %+v, %v; want expiry after 12 months (message %q)", p, err, f.message.Text)
	}

	now := u.clock.Now().UTC()
	credit := func(name string, at time.Time) loyalty.Operation {
		a, err := store.NewAccount(ctx, loyalty.Customer{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		op, _, err := store.Record(ctx, a.Code(), func(x localdb.Account) (loyalty.Operation, error) {
			return p.Credit(loyalty.Origin{Device: store.Device(), At: at}, x.Card, 3000)
		})
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	expiring := credit("Yasmine Expiring", time.Date(now.Year()-1, now.Month(), 1, 12, 0, 0, 0, time.UTC))
	credit("Xavier Later", time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC))

	month := int(u.clock.Now().Month())
	if _, err := store.NewAccount(ctx, loyalty.Customer{Name: "Zélie Birthday", BirthDay: 1, BirthMonth: month}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.NewAccount(ctx, loyalty.Customer{Name: "Victor Othermonth", BirthDay: 1, BirthMonth: month%12 + 1}); err != nil {
		t.Fatal(err)
	}

	d := openOwnerDesk(t, u)
	d.show(slices.IndexFunc(d.pages, func(pg deskPage) bool { return pg.key == "owner.nav.month" }))
	var texts []string
	for _, l := range findAll[*widget.Label](d.win.Content()) {
		texts = append(texts, l.Text)
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "Yasmine Expiring") {
		t.Errorf("the month page does not list Yasmine, whose points expire this month:\n%s", all)
	}
	if strings.Contains(all, "Xavier Later") {
		t.Errorf("the month page lists Xavier, whose points expire next year:\n%s", all)
	}
	if !strings.Contains(all, "Zélie Birthday") || !strings.Contains(all, u.lang.T("customers.birthday", loyalty.FormatBirthday(1, month))) {
		t.Errorf("the month page does not list Zélie's birthday on the 1st:\n%s", all)
	}
	if strings.Contains(all, "Victor Othermonth") {
		t.Errorf("the month page lists Victor, born next month:\n%s", all)
	}
	want := u.lang.Expiry(loyalty.Expiry{Points: expiring.Delta.Points, Cashback: expiring.Delta.Cashback, At: endOfMonth(now)}, p.Currency)
	if !strings.Contains(all, want) {
		t.Errorf("the month page does not say %q:\n%s", want, all)
	}
}
