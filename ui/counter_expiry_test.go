package ui

import (
	"context"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
	"github.com/merci-loyalty/merci/loyalty"
)

// TestCounterExpiresAndSaysWhatExpiresNext: loading a card records what expired under
// the program's rule, shows the balance after it, and says what expires next.
func TestCounterExpiresAndSaysWhatExpiresNext(t *testing.T) {
	ctx := context.Background()
	u, store := newCounterUI(t, i18n.English)
	now := time.Date(2027, 3, 10, 15, 0, 0, 0, time.Local)
	store.Now = func() time.Time { return now }
	p := localdbtest.EditProgram(t, store, func(p *loyalty.Program) { p.ExpiryMonths, p.CashbackBasisPoints = 12, 0 })
	a, err := store.NewAccount(ctx, loyalty.Customer{Name: "Zoé Lambert"})
	if err != nil {
		t.Fatal(err)
	}
	credit := func(at time.Time, amount loyalty.Money) loyalty.Operation {
		op, _, err := store.Record(ctx, a.Code(), func(x localdb.Account) (loyalty.Operation, error) {
			return p.Credit(loyalty.Origin{Device: store.Device(), At: at}, x.Card, amount)
		})
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	old := credit(time.Date(2026, 1, 20, 12, 0, 0, 0, time.UTC), 2000)   // expired on Feb 1, 2027
	recent := credit(time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC), 1500) // expires on Apr 1, 2027

	c := u.newCounter()
	enter(c, a.Code().String())

	if got, want := c.points.Text, u.lang.Number(recent.Delta.Points); got != want {
		t.Errorf("points on screen = %q, want %q: the old purchase's %d expired", got, want, old.Delta.Points)
	}
	want := u.lang.T("expiry.points", u.lang.Number(recent.Delta.Points),
		u.lang.Date(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)))
	if got := c.expiry.Text; got != want {
		t.Errorf("expiry line = %q, want %q", got, want)
	}
	entries, err := store.Entries(ctx, time.Time{}, a.Customer.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	expiries := 0
	for _, e := range entries {
		if e.Kind == loyalty.KindExpire {
			expiries++
		}
	}
	if expiries != 1 {
		t.Errorf("expiries in the ledger = %d, want 1", expiries)
	}
	enter(c, a.Code().String()) // shown again: nothing more expires
	if got := balance(t, store, a.Code()); got.Points != recent.Delta.Points {
		t.Errorf("balance after a second look = %+v, want %d points", got, recent.Delta.Points)
	}
}
