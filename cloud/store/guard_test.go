package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// TestGuardedSpend: a till online has the server check a spend against the balance
// there, atomically; what the balance does not cover is refused and not kept.
func TestGuardedSpend(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		mustPush(t, db, dev, synctest.Op(t, "c1", 10))

		guarded := func(points int64) syncwire.Change {
			c := synctest.Op(t, "c1", points)
			c.Guard = true
			return c
		}
		covered := guarded(-6)
		if resp := mustPush(t, db, dev, covered); !cmp.Equal(resp.Accepted, []string{covered.ID}) {
			t.Errorf("push of a covered spend = %+v, want accepted", resp)
		}
		over := guarded(-6) // 4 points left
		resp := mustPush(t, db, dev, over)
		want := []syncwire.Refusal{{ID: over.ID, Points: 4}}
		if diff := cmp.Diff(want, resp.Refused); diff != "" || len(resp.Accepted)+len(resp.Duplicate)+len(resp.Rejected) != 0 {
			t.Errorf("push of an uncovered spend = %+v, want only refused (-want +got):\n%s", resp, diff)
		}
		if bal, _ := db.Balance(ctx, dev.ShopID, "c1"); bal.Points != 4 {
			t.Errorf("balance after a refusal = %d, want 4", bal.Points)
		}
		// A retry of the covered spend is a duplicate, never a second spend.
		if resp := mustPush(t, db, dev, covered); !cmp.Equal(resp.Duplicate, []string{covered.ID}) {
			t.Errorf("retry of an accepted guarded spend = %+v, want duplicate", resp)
		}
		// Nothing of the refusal was kept: the same change pushed later unguarded, as a
		// till that went on offline would, is accepted and overdraws the customer.
		over.Guard = false
		if resp := mustPush(t, db, dev, over); !cmp.Equal(resp.Accepted, []string{over.ID}) {
			t.Errorf("unguarded push of the refused change = %+v, want accepted", resp)
		}
		if list, _ := db.Overdrawn(ctx, dev.ShopID); len(list) != 1 || list[0].OpID != over.ID {
			t.Fatalf("Overdrawn = %+v, want the unguarded spend", list)
		}
		// Cancelling the spend clears the flag.
		void := voidOf(t, over)
		mustPush(t, db, dev, void)
		if list, _ := db.Overdrawn(ctx, dev.ShopID); len(list) != 0 {
			t.Errorf("Overdrawn after the spend was cancelled = %+v, want none", list)
		}
		// A guarded change in a batch with others: only it is refused.
		credit, spend := synctest.Op(t, "c2", 3), synctest.Op(t, "c2", -5)
		spend.Guard = true
		resp = mustPush(t, db, dev, credit, spend)
		if !cmp.Equal(resp.Accepted, []string{credit.ID}) || len(resp.Refused) != 1 || resp.Refused[0].Points != 3 {
			t.Errorf("batch of a credit and an uncovered spend = %+v, want the credit accepted, the spend refused", resp)
		}
		page, _ := db.Pull(ctx, dev.ShopID, 0, 100)
		for _, c := range page.Changes {
			if c.ID == spend.ID {
				t.Errorf("a refused change is pulled: %+v", c)
			}
		}
	})
}

// A refused cancellation leaves nothing behind: its retry, once the balance covers
// it, applies, rather than meeting its own record as an already cancelled operation.
func TestRefusedCancellationAppliesOnRetry(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		credit := synctest.Op(t, "c1", 5)
		mustPush(t, db, dev, credit)
		mustPush(t, db, dev, synctest.Op(t, "c1", -5)) // spent before the credit is cancelled
		void := voidOf(t, credit)
		void.Guard = true
		if resp := mustPush(t, db, dev, void); len(resp.Refused) != 1 {
			t.Fatalf("push of an uncovered cancellation = %+v, want refused", resp)
		}
		mustPush(t, db, dev, synctest.Op(t, "c1", 5))
		if resp := mustPush(t, db, dev, void); !cmp.Equal(resp.Accepted, []string{void.ID}) {
			t.Errorf("retry of the refused cancellation once covered = %+v, want accepted", resp)
		}
		if bal, _ := db.Balance(ctx, dev.ShopID, "c1"); bal.Points != 0 {
			t.Errorf("balance = %d, want 0", bal.Points)
		}
	})
}

// voidOf returns a change cancelling the operation of c.
func voidOf(t *testing.T, c syncwire.Change) syncwire.Change {
	t.Helper()
	var target loyalty.Operation
	if err := json.Unmarshal(c.Body, &target); err != nil {
		t.Fatal(err)
	}
	id := synctest.NewID(t)
	op := loyalty.Operation{ID: id, CustomerID: target.CustomerID, Kind: loyalty.KindVoid, Delta: target.Delta.Neg(),
		Target: target.ID, Device: target.Device, At: synctest.At}
	return synctest.Change(t, id, syncwire.TypeOp, id, op)
}
