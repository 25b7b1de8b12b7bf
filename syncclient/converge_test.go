package syncclient_test

import (
	"context"
	"testing"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/loyalty"
)

// Two devices work offline, then reconnect: both end with the same ledger, and every
// balance is the sum of the server's ledger. Concurrent credits on one customer all
// count, which a synced balance column would not do.
func TestOfflineCreditsConverge(t *testing.T) {
	c, a, b, made := shopOf(t, server.Config{})
	if len(b.codes()) == 0 {
		t.Fatal("the fresh device pulled no card")
	}
	made = append(made, a.credits(40)...)
	made = append(made, b.credits(40)...)
	a.start()
	b.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
}

// Customers and cards edited on both devices offline end the same everywhere: the
// value pushed last wins.
func TestOfflineRecordsConverge(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	code := a.codes()[0]
	accA, err := a.store.AccountByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	accB, err := b.store.AccountByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	accA.Customer.Name, accB.Customer.Name = "Renamed at the till", "Renamed at the kiosk"
	if err := a.store.SaveCustomer(ctx, accA.Customer); err != nil {
		t.Fatal(err)
	}
	if err := b.store.SaveCustomer(ctx, accB.Customer); err != nil {
		t.Fatal(err)
	}
	if err := b.store.SetCardStatus(ctx, code, loyalty.CardBlocked); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.NewAccount(ctx, loyalty.Customer{Name: "New at the till"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.NewAccount(ctx, loyalty.Customer{Name: "New at the kiosk"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.ReplaceCard(ctx, a.codes()[1]); err != nil {
		t.Fatal(err)
	}
	made = append(made, a.credits(10)...)

	// The till reconnects first, so the kiosk's rename is the last in server order.
	a.start()
	settle(t, c, a)
	b.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
	got, err := a.store.AccountByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if got.Customer.Name != "Renamed at the kiosk" || got.Card.Status != loyalty.CardBlocked {
		t.Errorf("on the till: %q, card %s; want the kiosk's later rename and block", got.Customer.Name, got.Card.Status)
	}
}
