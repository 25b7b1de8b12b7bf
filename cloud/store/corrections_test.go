package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// TestTwoDevicesCancellingOneOperationMakeOneCancellation: a void's id is its
// target's, so the second device's cancellation is the first's, made elsewhere: a
// duplicate, not a conflict, and the balance moves once.
func TestTwoDevicesCancellingOneOperationMakeOneCancellation(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		owner := mustDevice(t, db, "Shop")
		card := loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "c1", Status: loyalty.CardActive}
		at := time.Now()
		prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1}
		purchase, err := prog.Credit(loyalty.Origin{Device: "a", At: at}, card, 5000)
		if err != nil {
			t.Fatal(err)
		}
		push := func(op loyalty.Operation) syncwire.PushResponse {
			c := synctest.Change(t, op.ID, syncwire.TypeOp, op.ID, op)
			return mustPush(t, db, owner, c)
		}
		push(purchase)
		bal := loyalty.Balance(purchase.Delta)
		first, err := loyalty.Cancel(loyalty.Origin{Device: "a", Staff: "owner", At: at}, card, bal, loyalty.Cancellation{Target: purchase}, "typo")
		if err != nil {
			t.Fatal(err)
		}
		second, err := loyalty.Void(loyalty.Origin{Device: "b", Staff: "cashier", At: at.Add(time.Second)}, card, bal, purchase, false)
		if err != nil {
			t.Fatal(err)
		}
		if resp := push(first); len(resp.Accepted) != 1 {
			t.Fatalf("first cancellation = %+v, want it accepted", resp)
		}
		if resp := push(second); len(resp.Duplicate) != 1 {
			t.Errorf("second cancellation = %+v, want a duplicate", resp)
		}
		if b, err := db.Balance(ctx, owner.ShopID, "c1"); err != nil || b.Points != 0 {
			t.Errorf("Balance = %+v, %v; want 0 points: the purchase cancelled once", b, err)
		}
		// Another operation under a void's id is still a conflict.
		forged := second
		forged.Delta.Points = -1
		if resp := push(forged); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeConflict {
			t.Errorf("forged cancellation = %+v, want a conflict", resp)
		}
	})
}

// TestTillDismissesTheOwnersNote: a till may update a note the owner left, not write
// one.
func TestTillDismissesTheOwnersNote(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		owner := mustDevice(t, db, "Shop")
		till := mustTill(t, db, owner, "till")
		note := map[string]any{"customer_id": "c1", "text": "Owes 40 points"}
		if resp := mustPush(t, db, till, synctest.Record(t, "customer_note", "c2", note)); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden {
			t.Errorf("a till's new note = %+v, want it forbidden", resp)
		}
		if resp := mustPush(t, db, owner, synctest.Record(t, "customer_note", "c1", note)); len(resp.Accepted) != 1 {
			t.Fatalf("the owner's note = %+v, want it accepted", resp)
		}
		note["closed_by"] = "cashier"
		if resp := mustPush(t, db, till, synctest.Record(t, "customer_note", "c1", note)); len(resp.Accepted) != 1 {
			t.Errorf("the till's dismissal = %+v, want it accepted", resp)
		}
	})
}

// TestOneBatchAppliesInOrder: a push writes its rows in a few statements at its end,
// yet each change sees those before it in the same batch, as when they came one by one:
// a record's later value supersedes the earlier one, and the cancellation of a spend
// that overdrew a customer clears the flag that spend raised.
func TestOneBatchAppliesInOrder(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		owner := mustDevice(t, db, "Shop")
		card := loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "c1", Status: loyalty.CardActive}
		spend := loyalty.Operation{ID: synctest.NewID(t), CustomerID: "c1", Kind: loyalty.KindAdjust,
			Delta: loyalty.Delta{Points: -5}, Reason: "correction", Device: "a", At: synctest.At}
		void, err := loyalty.Void(loyalty.Origin{Device: "a", At: synctest.At.Add(time.Second)}, card, loyalty.Balance{Points: -5}, spend, false)
		if err != nil {
			t.Fatal(err)
		}
		v1 := synctest.Change(t, synctest.NewID(t), syncwire.TypeCustomer, "cu1", loyalty.Customer{ID: "cu1", Name: "Ana"})
		v2 := synctest.Change(t, synctest.NewID(t), syncwire.TypeCustomer, "cu1", loyalty.Customer{ID: "cu1", Name: "Ana Lima"})
		resp := mustPush(t, db, owner, v1, synctest.Change(t, spend.ID, syncwire.TypeOp, spend.ID, spend),
			synctest.Change(t, void.ID, syncwire.TypeOp, void.ID, void), v2)
		if len(resp.Accepted) != 4 {
			t.Fatalf("push = %+v, want all 4 accepted", resp)
		}
		if list, err := db.Overdrawn(ctx, owner.ShopID); err != nil || len(list) != 0 {
			t.Errorf("Overdrawn = %+v, %v; want none: the spend was cancelled", list, err)
		}
		if b, err := db.Balance(ctx, owner.ShopID, "c1"); err != nil || b.Points != 0 {
			t.Errorf("Balance = %+v, %v; want 0 points", b, err)
		}
		pulled, err := db.Pull(ctx, owner.ShopID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var customers []string
		for _, c := range pulled.Changes {
			if c.Type == syncwire.TypeCustomer {
				customers = append(customers, c.ID)
			}
		}
		if len(customers) != 1 || customers[0] != v2.ID {
			t.Errorf("pulled customer values %v, want only the later %s", customers, v2.ID)
		}
	})
}
