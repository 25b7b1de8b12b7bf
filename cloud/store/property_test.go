package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/api/apitest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// opModel is what the server must make of the operations pushed: it applies the rules
// of the operation and the balance bounds to its own balances.
type opModel struct {
	balances map[string]loyalty.Balance
	kept     map[string]string // change id -> "accepted" or "rejected": what a retry gets
}

// expect returns what the server must answer to c, an operation change, and applies it.
func (m *opModel) expect(c syncwire.Change) string {
	if out, ok := m.kept[c.ID]; ok {
		if out == "accepted" {
			return "duplicate"
		}
		return out
	}
	var op loyalty.Operation
	var body bytes.Buffer
	json.Compact(&body, c.Body)
	out := "rejected"
	switch {
	case body.Len() > store.MaxBodyBytes || json.Unmarshal(c.Body, &op) != nil || op.Validate() != nil || op.ID != c.ID:
	default:
		b := m.balances[op.CustomerID]
		after, err := b.Apply(op.Delta)
		switch {
		case err != nil:
		case c.Guard && (op.Delta.Points < 0 || op.Delta.Cashback < 0) && (after.Points < 0 || after.Cashback < 0):
			return "refused" // not kept
		default:
			m.balances[op.CustomerID], out = after, "accepted"
		}
	}
	m.kept[c.ID] = out
	return out
}

// Random batches of extreme values, garbage and retries never fail a push: every
// change gets its answer in a 2xx, every valid operation applies exactly as the model
// says, and the balances on the server are the model's.
func TestRandomExtremeBatchesNeverFailAPush(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(seed, 7))
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		m := &opModel{balances: map[string]loyalty.Balance{}, kept: map[string]string{}}
		// One customer starts near the bounds, as a server before them may have left it.
		near := loyalty.Balance{Points: loyalty.MaxBalance - loyalty.MaxPoints/2, Cashback: -loyalty.MaxBalance + 1, XP: loyalty.MaxBalance}
		rawExec(t, dsn, "INSERT INTO balances (shop_id, customer_id, points, cashback, xp) VALUES (?, ?, ?, ?, ?)",
			dev.ShopID, apitest.Customers[2], near.Points, int64(near.Cashback), near.XP)
		m.balances[apitest.Customers[2]] = near
		var pushed []syncwire.Change
		for round := range 25 {
			batch := make([]syncwire.Change, 1+r.IntN(40))
			for i := range batch {
				if len(pushed) > 0 && r.IntN(8) == 0 {
					batch[i] = pushed[r.IntN(len(pushed))] // a retry
					continue
				}
				batch[i] = apitest.RandomChange(t, r)
			}
			resp, err := db.Push(ctx, dev, batch)
			if err != nil {
				t.Fatalf("round %d: Push failed: %v", round, err)
			}
			got := map[string][]string{}
			for _, id := range resp.Accepted {
				got[id] = append(got[id], "accepted")
			}
			for _, id := range resp.Duplicate {
				got[id] = append(got[id], "duplicate")
			}
			for _, rej := range resp.Rejected {
				got[rej.ID] = append(got[rej.ID], "rejected")
			}
			for _, ref := range resp.Refused {
				got[ref.ID] = append(got[ref.ID], "refused")
			}
			// A change pushed twice in a batch has two answers, which the lists do not
			// order: compare the answers of each id as a multiset.
			want := map[string][]string{}
			for _, c := range batch {
				w := "any"
				if c.Type == syncwire.TypeOp && json.Valid(c.Body) {
					w = m.expect(c)
				}
				want[c.ID] = append(want[c.ID], w)
			}
			for id, w := range want {
				g := got[id]
				if len(g) != len(w) {
					t.Errorf("round %d: change %.40q answered %v, want %d answers", round, id, g, len(w))
					continue
				}
				slices.Sort(g)
				slices.Sort(w)
				if !slices.Contains(w, "any") && !slices.Equal(g, w) {
					t.Errorf("round %d: operation %s answered %v, want %v", round, id, g, w)
				}
			}
			pushed = append(pushed, batch...)
		}
		outcomes := map[string]int{}
		for _, out := range m.kept {
			outcomes[out]++
		}
		t.Logf("operations: %v", outcomes)
		if outcomes["accepted"] == 0 || outcomes["rejected"] == 0 {
			t.Errorf("operations %v: want some accepted and some rejected", outcomes)
		}
		for _, cu := range apitest.Customers {
			got, err := db.Balance(ctx, dev.ShopID, cu)
			if err != nil {
				t.Fatal(err)
			}
			if want := m.balances[cu]; got != want {
				t.Errorf("balance of %s = %+v, want %+v", cu, got, want)
			}
		}
		// And the shop syncs on.
		last := synctest.Op(t, "c1", 1)
		if resp := mustPush(t, db, dev, last); len(resp.Accepted) != 1 {
			t.Errorf("a plain credit after the storm = %+v, want accepted", resp)
		}
	})
}
