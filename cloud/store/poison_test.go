package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// adjustChange returns an adjustment of customer's points by points: no rule of the
// operation limits its sign.
func adjustChange(t *testing.T, customer string, points int64) syncwire.Change {
	t.Helper()
	id := synctest.NewID(t)
	op := loyalty.Operation{ID: id, CustomerID: customer, Kind: loyalty.KindAdjust, Delta: loyalty.Delta{Points: points},
		Reason: "correction", Device: "till-1", At: synctest.At}
	return synctest.Change(t, id, syncwire.TypeOp, id, op)
}

// rawExec runs a statement on the database behind dsn directly: the state a server
// before the bounds could have left.
func rawExec(t *testing.T, dsn, query string, args ...any) {
	t.Helper()
	driver, name := "sqlite", "file:"+dsn
	if strings.HasPrefix(dsn, "postgres") {
		driver, name = "pgx", dsn
		for n := 1; strings.Contains(query, "?"); n++ {
			query = strings.Replace(query, "?", fmt.Sprintf("$%d", n), 1)
		}
	}
	db, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func rejectedIDs(resp syncwire.PushResponse) []string {
	out := []string{}
	for _, r := range resp.Rejected {
		out = append(out, r.ID)
	}
	return out
}

// Finding: an operation of math.MaxInt64 points was accepted, and the next operation
// on the customer overflowed the balance and failed every push of the shop.
func TestPoisonMaxPointsOperationIsRejectedAtTheEdge(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		poison := synctest.Op(t, "c1", math.MaxInt64)
		next := synctest.Op(t, "c1", 1)
		resp := mustPush(t, db, dev, poison, next)
		if len(resp.Rejected) != 1 || resp.Rejected[0].ID != poison.ID || resp.Rejected[0].Code != syncwire.CodeInvalid {
			t.Errorf("push of %d points = %+v, want it rejected as invalid", int64(math.MaxInt64), resp.Rejected)
		}
		if !cmp.Equal(resp.Accepted, []string{next.ID}) {
			t.Errorf("accepted %v, want the next operation %s", resp.Accepted, next.ID)
		}
		if b, err := db.Balance(ctx, dev.ShopID, "c1"); err != nil || b.Points != 1 {
			t.Errorf("balance = %d, %v; want 1", b.Points, err)
		}
		// Just within the bounds is a real operation.
		edge := synctest.Op(t, "c1", loyalty.MaxPoints)
		if resp := mustPush(t, db, dev, edge); !cmp.Equal(resp.Accepted, []string{edge.ID}) {
			t.Errorf("push of %d points = %+v, want accepted", loyalty.MaxPoints, resp)
		}
		over := synctest.Op(t, "c1", loyalty.MaxPoints+1)
		if resp := mustPush(t, db, dev, over); !cmp.Equal(rejectedIDs(resp), []string{over.ID}) {
			t.Errorf("push of %d points = %+v, want rejected", loyalty.MaxPoints+1, resp)
		}
	})
}

// Finding: an adjustment of math.MinInt64 then one of -1 wrapped the balance around.
func TestPoisonAdjustMinInt64ThenMinusOneIsRejected(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		low, minusOne := adjustChange(t, "c1", math.MinInt64), adjustChange(t, "c1", -1)
		resp := mustPush(t, db, dev, low, minusOne)
		if !cmp.Equal(rejectedIDs(resp), []string{low.ID}) || !cmp.Equal(resp.Accepted, []string{minusOne.ID}) {
			t.Errorf("push = %+v, want %s rejected and %s accepted", resp, low.ID, minusOne.ID)
		}
		if b, err := db.Balance(ctx, dev.ShopID, "c1"); err != nil || b.Points != -1 {
			t.Errorf("balance = %d, %v; want -1", b.Points, err)
		}
	})
}

// Finding: the guarded-spend check added without checking, so a balance near the
// int64 minimum wrapped around into one that "covers" the spend. A server before the
// bounds could have stored such a balance.
func TestPoisonGuardCheckDoesNotWrap(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		rawExec(t, dsn, "INSERT INTO balances (shop_id, customer_id, points, cashback, xp) VALUES (?, ?, ?, 0, 0)",
			dev.ShopID, "low", int64(math.MinInt64))
		spend := synctest.Op(t, "low", -1)
		spend.Guard = true
		other := synctest.Op(t, "c2", 5)
		resp := mustPush(t, db, dev, spend, other)
		if len(resp.Refused) != 0 || !cmp.Equal(rejectedIDs(resp), []string{spend.ID}) {
			t.Errorf("guarded spend of 1 point from %d = %+v, want it rejected (out of range)", int64(math.MinInt64), resp)
		}
		if !cmp.Equal(resp.Accepted, []string{other.ID}) {
			t.Errorf("accepted %v, want the other change %s", resp.Accepted, other.ID)
		}
		if b, err := db.Balance(ctx, dev.ShopID, "low"); err != nil || b.Points != math.MinInt64 {
			t.Errorf("balance = %d, %v; want it untouched", b.Points, err)
		}
	})
}

// Finding: the next operation on a balance at the int64 maximum failed the whole
// push with 500 ("bigint out of range" on PostgreSQL, a float on SQLite), forever.
// Now it is rejected alone and the rest of the batch applies.
func TestPoisonOverflowingBalanceRejectsOnlyThatChange(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		rawExec(t, dsn, "INSERT INTO balances (shop_id, customer_id, points, cashback, xp) VALUES (?, ?, ?, 0, 0)",
			dev.ShopID, "high", int64(math.MaxInt64))
		before, after := synctest.Op(t, "c2", 3), synctest.Op(t, "c2", 4)
		overflow := synctest.Op(t, "high", 1)
		resp := mustPush(t, db, dev, before, overflow, after)
		if !cmp.Equal(resp.Accepted, []string{before.ID, after.ID}) || !cmp.Equal(rejectedIDs(resp), []string{overflow.ID}) {
			t.Errorf("push = %+v, want only %s rejected", resp, overflow.ID)
		}
		if b, _ := db.Balance(ctx, dev.ShopID, "c2"); b.Points != 7 {
			t.Errorf("balance of c2 = %d, want 7", b.Points)
		}
		page, err := db.Pull(ctx, dev.ShopID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Changes) != 2 || page.Cursor != 2 {
			t.Errorf("pulled %d changes up to %d, want the 2 accepted at versions 1 and 2", len(page.Changes), page.Cursor)
		}
		// A retry gets the same answer.
		if again := mustPush(t, db, dev, overflow); !cmp.Equal(rejectedIDs(again), []string{overflow.ID}) {
			t.Errorf("retry = %+v, want rejected again", again)
		}
	})
}

// A change that fails in the database after part of it was written is undone alone:
// here a stray row makes the overdrawn flag of a spend fail after its balance moved.
func TestPoisonFailureMidChangeIsUndoneAndRejectedAlone(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		spend := synctest.Op(t, "c1", -5) // takes c1 below zero: flagged as overdrawn
		rawExec(t, dsn, "INSERT INTO overdrawn (shop_id, op_id, customer_id, points, cashback, at) VALUES (?, ?, 'someone', 0, 0, 0)",
			dev.ShopID, spend.ID)
		credit := synctest.Op(t, "c2", 2)
		resp := mustPush(t, db, dev, spend, credit)
		if len(resp.Rejected) != 1 || resp.Rejected[0].ID != spend.ID || resp.Rejected[0].Code != syncwire.CodeFailed {
			t.Errorf("rejected %+v, want %s as %q", resp.Rejected, spend.ID, syncwire.CodeFailed)
		}
		if !cmp.Equal(resp.Accepted, []string{credit.ID}) {
			t.Errorf("accepted %v, want %s", resp.Accepted, credit.ID)
		}
		if b, _ := db.Balance(ctx, dev.ShopID, "c1"); b.Points != 0 {
			t.Errorf("balance of c1 = %d, want 0: the failed change's write undone", b.Points)
		}
		if resp.Version != 1 {
			t.Errorf("version = %d, want 1", resp.Version)
		}
	})
}

// Amounts and cashback are bounded like points.
func TestPushRejectsAmountsBeyondTheBounds(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		op := func(mod func(*loyalty.Operation)) syncwire.Change {
			id := synctest.NewID(t)
			o := loyalty.Operation{ID: id, CustomerID: "c1", Kind: loyalty.KindCredit, Delta: loyalty.Delta{Points: 1},
				Amount: 1000, Currency: "EUR", Device: "till-1", At: synctest.At}
			mod(&o)
			return synctest.Change(t, id, syncwire.TypeOp, id, o)
		}
		bad := []syncwire.Change{
			op(func(o *loyalty.Operation) { o.Amount = loyalty.MaxMoney + 1 }),
			op(func(o *loyalty.Operation) { o.Delta.Cashback = loyalty.MaxMoney + 1 }),
			op(func(o *loyalty.Operation) { o.Delta.XP = math.MaxInt64 }),
			op(func(o *loyalty.Operation) {
				o.Kind, o.Amount, o.Delta = loyalty.KindVoid, 0, loyalty.Delta{Points: math.MinInt64}
				o.Target = "x"
			}),
		}
		resp := mustPush(t, db, dev, bad...)
		if len(resp.Rejected) != len(bad) {
			t.Errorf("push = %+v, want all %d rejected", resp, len(bad))
		}
		prog := loyalty.Program{Currency: "EUR", PointsPerUnit: math.MaxInt64}
		setting := synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, prog)
		if resp := mustPush(t, db, dev, setting); len(resp.Rejected) != 1 {
			t.Errorf("push of a program of %d points per unit = %+v, want rejected", prog.PointsPerUnit, resp)
		}
	})
}
