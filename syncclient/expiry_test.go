package syncclient_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Two devices notice the same expiry of a customer's points, each from its own ledger
// (the second's holds a spend the first has not heard of yet, so it finds less to
// expire), then sync with the real server: the expiry is on the server once, both
// devices hold the one the server took first, and their balances agree with the
// server's.
func TestExpiryNoticedOnTwoDevicesConvergesToOne(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	p := localdbtest.EditProgram(t, a.store, func(p *loyalty.Program) { p.ExpiryMonths = 12 })
	acct, err := a.store.NewAccount(ctx, loyalty.Customer{Name: "Inès"})
	if err != nil {
		t.Fatal(err)
	}
	earned := time.Now().AddDate(-2, 0, 0)
	record := func(d *device, at time.Time, build func(loyalty.Origin, localdb.Account) (loyalty.Operation, error)) loyalty.Operation {
		t.Helper()
		op, _, err := d.store.Record(ctx, cards.Code(acct.Card.Code), func(x localdb.Account) (loyalty.Operation, error) {
			return build(loyalty.Origin{Device: d.store.Device(), At: at}, x)
		})
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	purchase := record(a, earned, func(o loyalty.Origin, x localdb.Account) (loyalty.Operation, error) {
		return p.Credit(o, x.Card, 4000)
	})
	made = append(made, purchase)
	a.start()
	b.start()
	settle(t, c, a, b)
	a.stop()
	b.stop()

	debit := record(b, earned.Add(24*time.Hour), func(o loyalty.Origin, x localdb.Account) (loyalty.Operation, error) {
		return loyalty.Debit(o, x.Card, x.Balance, 1)
	})
	made = append(made, debit)
	now := loyalty.Origin{At: time.Now()}
	for _, d := range []*device{a, b} {
		o := now
		o.Device = d.store.Device()
		if _, n, err := d.store.SettleExpiries(ctx, o, acct.Customer.ID); err != nil || n != 1 {
			t.Fatalf("%s recorded %d expiries, %v; want 1", d.name, n, err)
		}
	}
	a.start()
	settle(t, c, a) // a's expiry reaches the server first
	b.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)

	var expiries []loyalty.Operation
	for _, ch := range c.log() {
		var op loyalty.Operation
		if ch.Type == syncwire.TypeOp && json.Unmarshal(ch.Body, &op) == nil && op.Kind == loyalty.KindExpire {
			expiries = append(expiries, op)
		}
	}
	if len(expiries) != 1 || expiries[0].Device != a.store.Device() || expiries[0].Delta.Points != -purchase.Delta.Points {
		t.Fatalf("expiries on the server = %+v, want a's alone, of %d points", expiries, purchase.Delta.Points)
	}
	for _, d := range []*device{a, b} {
		got, err := d.store.Operation(ctx, expiries[0].ID)
		if err != nil || got.Delta != expiries[0].Delta || got.Device != a.store.Device() {
			t.Errorf("%s's expiry = %+v, %v; want the server's %+v", d.name, got, err, expiries[0])
		}
		if next, n, err := d.store.SettleExpiries(ctx, loyalty.Origin{Device: d.store.Device(), At: time.Now()}, acct.Customer.ID); err != nil || next != nil || n != 0 {
			t.Errorf("%s: next expiry = %+v, %d recorded, %v; want none, nothing new due", d.name, next, n, err)
		}
		if n, err := d.store.Pending(ctx); err != nil || n != 0 {
			t.Errorf("%s: %d changes pending, %v; want none: the expiry is not made twice", d.name, n, err)
		}
	}
}
