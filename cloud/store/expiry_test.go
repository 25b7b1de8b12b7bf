package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// TestExpiryFromTwoTillsAppliesOnce: two tills noticing one expiry push one operation
// under the id both derive; the second is a duplicate even when their ledgers made it
// move differently, and the balance moves once. A till's expiry is refused when the
// program makes nothing expire, or under an id not derived from what expires.
func TestExpiryFromTwoTillsAppliesOnce(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		owner := mustDevice(t, db, "Shop")
		a, b := mustTill(t, db, owner, "a"), mustTill(t, db, owner, "b")
		push := func(dev store.Device, op loyalty.Operation) syncwire.PushResponse {
			return mustPush(t, db, dev, synctest.Change(t, op.ID, syncwire.TypeOp, op.ID, op))
		}
		prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1}
		setProgram := func(p loyalty.Program) {
			if resp := mustPush(t, db, owner, synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, p)); len(resp.Accepted) != 1 {
				t.Fatalf("program = %+v, want it accepted", resp)
			}
		}
		setProgram(prog)
		card := loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "c1", Status: loyalty.CardActive}
		earned := time.Now().AddDate(-2, 0, 0)
		purchase, err := prog.Credit(loyalty.Origin{Device: "a", At: earned}, card, 5000)
		if err != nil {
			t.Fatal(err)
		}
		push(a, purchase)
		e := loyalty.Expiry{At: earned.AddDate(1, 0, 0), Points: 50, Key: "earned:test"}
		first, err := prog.Expire(loyalty.Origin{Device: "a", At: time.Now()}, "c1", e)
		if err != nil {
			t.Fatal(err)
		}
		if resp := push(a, first); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden {
			t.Errorf("an expiry the program does not give = %+v, want it forbidden", resp)
		}
		prog.ExpiryMonths = 12
		setProgram(prog)
		e.Key = "earned:test2" // the refusal is kept under the first id
		first, _ = prog.Expire(loyalty.Origin{Device: "a", At: time.Now()}, "c1", e)
		forged := first
		forged.ID = synctest.NewID(t)
		if resp := push(a, forged); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden {
			t.Errorf("an expiry under another id = %+v, want it forbidden", resp)
		}
		if resp := push(a, first); len(resp.Accepted) != 1 {
			t.Fatalf("first expiry = %+v, want it accepted", resp)
		}
		e.Points = 30 // till b's ledger held a spend till a had not seen
		second, _ := prog.Expire(loyalty.Origin{Device: "b", Staff: "cashier", At: time.Now()}, "c1", e)
		if resp := push(b, second); len(resp.Duplicate) != 1 {
			t.Errorf("second expiry = %+v, want a duplicate", resp)
		}
		if bal, err := db.Balance(ctx, owner.ShopID, "c1"); err != nil || bal.Points != 0 {
			t.Errorf("Balance = %+v, %v; want 0 points: the expiry applied once", bal, err)
		}
	})
}

// An owner's computer that is also the counter may push a program that makes points
// expire and the first expiry it noticed in one batch: the expiry is checked against
// the program before it in the batch, as it was made.
func TestExpiryAfterItsProgramInOneBatch(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		owner := mustDevice(t, db, "Shop")
		prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1, ExpiryMonths: 12}
		e := loyalty.Expiry{At: time.Now().AddDate(0, -1, 0), Points: 5, Key: "earned:batch"}
		op, err := prog.Expire(loyalty.Origin{Device: "desk", At: time.Now()}, "c1", e)
		if err != nil {
			t.Fatal(err)
		}
		resp := mustPush(t, db, owner,
			synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, prog),
			synctest.Change(t, op.ID, syncwire.TypeOp, op.ID, op))
		if len(resp.Accepted) != 2 {
			t.Errorf("program and expiry in one batch = %+v, want both accepted", resp)
		}
	})
}
