package localdb_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// A purchase's item count is kept in the ledger, so that the operation read back, or
// received again from the cloud, is the one that was made.
func TestPurchaseItemsAreStoredAndSyncOnce(t *testing.T) {
	ctx := context.Background()
	s, other := mustOpen(t), mustOpen(t)
	p, err := s.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.PointsPerItem = 3
	if err := s.SaveProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	a := newAccount(t, s, "yara")
	op, after, err := s.RecordPurchase(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.CreditPurchase(loyalty.Origin{Device: s.Device(), At: s.Now()}, a.Card, loyalty.Purchase{Items: 2, Amount: 1900})
	})
	if err != nil {
		t.Fatal(err)
	}
	// demo: 1/visit + 1/€, and now 3 per item.
	if op.Items != 2 || after.Balance.Points != 1+19+6 {
		t.Errorf("credit = %d items, balance %+v; want 2 items, %d points", op.Items, after.Balance, 1+19+6)
	}
	stored, err := s.Operation(ctx, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(op.Items, stored.Items); diff != "" {
		t.Errorf("stored items (-made +stored):\n%s", diff)
	}
	// The same operation applied twice on another device, as a pull repeated: once,
	// items and all, and no conflict with itself.
	for i, wantNew := range []bool{true, false} {
		tx, err := other.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		isNew, err := other.ApplyRemote(ctx, tx, stored)
		if err != nil {
			t.Fatalf("apply #%d: %v", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if isNew != wantNew {
			t.Errorf("apply #%d new = %v, want %v", i+1, isNew, wantNew)
		}
	}
	if got, err := other.Operation(ctx, op.ID); err != nil || got.Items != 2 {
		t.Errorf("other device's copy = %+v, %v; want 2 items", got, err)
	}
}
