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

// A referred customer makes a purchase on each of two devices while neither hears of
// the other's: both devices give the referral bonuses, and after syncing with the real
// server each customer has had them once, on the server and on both devices.
func TestReferralBonusesFromTwoDevicesApplyOnce(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	p := localdbtest.EditProgram(t, a.store, func(p *loyalty.Program) { p.ReferralPoints = 30 })
	referrer, err := a.store.NewAccount(ctx, loyalty.Customer{Name: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	newcomer, err := a.store.NewAccount(ctx, loyalty.Customer{Name: "Bea", ReferredBy: referrer.Code().String()})
	if err != nil {
		t.Fatal(err)
	}
	if newcomer.Customer.ReferredBy != referrer.Card.Code {
		t.Fatalf("newcomer referred by %q, want %q", newcomer.Customer.ReferredBy, referrer.Card.Code)
	}
	a.start()
	b.start()
	settle(t, c, a, b)
	a.stop()
	b.stop()

	for _, d := range []*device{a, b} {
		op, after, err := d.store.Record(ctx, cards.Code(newcomer.Card.Code), func(x localdb.Account) (loyalty.Operation, error) {
			return p.Credit(loyalty.Origin{Device: d.store.Device(), At: time.Now()}, x.Card, 1000)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := op.Delta.Points + 30; after.Balance.Points != want {
			t.Errorf("%s: the newcomer's balance after the purchase = %d, want %d with the bonus", d.name, after.Balance.Points, want)
		}
		made = append(made, op)
	}
	a.start()
	b.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)

	bonuses := map[string]int{}
	for _, ch := range c.log() {
		var op loyalty.Operation
		if ch.Type == syncwire.TypeOp && json.Unmarshal(ch.Body, &op) == nil && op.Kind == loyalty.KindBonus {
			bonuses[op.CustomerID]++
		}
	}
	if bonuses[referrer.Customer.ID] != 1 || bonuses[newcomer.Customer.ID] != 1 || len(bonuses) != 2 {
		t.Errorf("referral bonuses on the server by customer = %v, want one each for Ana and Bea", bonuses)
	}
	for _, d := range []*device{a, b} {
		got, err := d.store.AccountByCode(ctx, cards.Code(referrer.Card.Code))
		if err != nil || got.Balance.Points != 30 {
			t.Errorf("%s: the referrer's balance = %+v, %v; want the 30 points of one bonus", d.name, got.Balance, err)
		}
		rejected, err := d.store.Rejected(ctx, 10)
		if err != nil || len(rejected) != 0 {
			t.Errorf("%s's rejected changes = %+v, %v; want none", d.name, rejected, err)
		}
	}
}
