package syncclient_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Two devices cancel the same purchase while neither has heard of the other's
// cancellation (the owner's desk and a till's Undo), then sync with the real server:
// the purchase ends cancelled once, on the server and on both devices, and both hold
// the cancellation the server took first, with its reason.
func TestConcurrentCancelsConvergeToOne(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	purchase := a.credits(1)[0]
	made = append(made, purchase)
	a.start()
	b.start()
	settle(t, c, a, b)
	a.stop()
	b.stop()

	voidA, _, err := a.store.Cancel(ctx, loyalty.Origin{Device: a.store.Device(), Staff: "owner", At: a.store.Now()}, purchase.ID, "keyed twice")
	if err != nil {
		t.Fatal(err)
	}
	voidB, _, err := b.store.Void(ctx, loyalty.Origin{Device: b.store.Device(), Staff: "cashier", At: b.store.Now()}, purchase.ID)
	if err != nil {
		t.Fatal(err)
	}
	made = append(made, voidA, voidB)
	a.start()
	settle(t, c, a) // the owner's reaches the server first
	b.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)

	var onServer []loyalty.Operation
	for _, ch := range c.log() {
		var op loyalty.Operation
		if ch.Type == syncwire.TypeOp && json.Unmarshal(ch.Body, &op) == nil && op.Target == purchase.ID {
			onServer = append(onServer, op)
		}
	}
	if len(onServer) != 1 || onServer[0].Reason != "keyed twice" {
		t.Fatalf("cancellations of the purchase on the server = %+v, want the owner's alone", onServer)
	}
	for _, d := range []*device{a, b} {
		got, err := d.store.Operation(ctx, voidA.ID)
		if err != nil || got.Reason != "keyed twice" || got.Staff != "owner" {
			t.Errorf("%s's cancellation = %+v, %v; want the owner's", d.name, got, err)
		}
		rejected, err := d.store.Rejected(ctx, 10)
		if err != nil || len(rejected) != 0 {
			t.Errorf("%s's rejected changes = %+v, %v; want none", d.name, rejected, err)
		}
	}
}
