package localdb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// folded returns the dashboard's figures as stored: op_hourly's rows and every
// customer's operations in customer_months.
func folded(t *testing.T, s *Store) (hours map[hourKind]hourSums, ops map[string][]custOp) {
	t.Helper()
	hours, ops = make(map[hourKind]hourSums), make(map[string][]custOp)
	rows, err := s.db.Query(`SELECT hour, kind, n, points, amount FROM op_hourly`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k hourKind
		var h hourSums
		if err := rows.Scan(&k.hour, &k.kind, &h.n, &h.points, &h.amount); err != nil {
			t.Fatal(err)
		}
		hours[k] = h
	}
	rows, err = s.db.Query(`SELECT data FROM customer_months`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		m, err := decodeCustMonth(data)
		if err != nil {
			t.Fatal(err)
		}
		for id, o := range m {
			ops[id] = append(ops[id], o...)
		}
	}
	return hours, ops
}

// TestFoldInBatches folds a ledger three operations at a time, some of them pulled late
// and voids among them, and compares the result with one fold of everything.
func TestFoldInBatches(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer func(n int) { foldBatch = n }(foldBatch)
	foldBatch = 3
	start := time.Date(2026, 1, 30, 22, 0, 0, 0, time.UTC) // across a month's end
	var ids []string
	insert := func(i int, kind, target string) {
		t.Helper()
		at := start.Add(time.Duration(i) * 47 * time.Minute)
		u, err := uuid.NewV7()
		if err != nil {
			t.Fatal(err)
		}
		ms := at.UnixMilli()
		for j := range 6 {
			u[j] = byte(ms >> (40 - 8*j))
		}
		ids = append(ids, u.String())
		reason := ""
		if i%7 == 0 {
			reason = "import"
		}
		if _, err := s.db.Exec(`INSERT INTO operations (id, customer_id, kind, points, cashback, xp, amount, target, reason, device, at)
			VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?, 'till', ?)`, u.String(), fmt.Sprint("c", i%5), kind, i, 100*i, target, reason, ms); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		insert(i, []string{"credit", "visit", "adjust", "refund"}[i%4], "")
	}
	if err := s.fold(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 20; i < 40; i++ { // older than the watermark now: late
		switch {
		case i%3 == 0:
			insert(i-40, "void", ids[i-20])
		case i == 38:
			insert(i-40, "void", "not-arrived-yet")
		default:
			insert(i-40, "credit", "")
		}
	}
	if err := s.fold(ctx); err != nil {
		t.Fatal(err)
	}
	hours, ops := folded(t, s)
	if _, err := s.db.Exec(`DELETE FROM op_hourly; DELETE FROM customer_months; DELETE FROM nps_invitation_quarters;
		DELETE FROM op_unfolded; DELETE FROM op_folded_ahead; UPDATE op_fold SET watermark = ''`); err != nil {
		t.Fatal(err)
	}
	foldBatch = 1000
	if err := s.fold(ctx); err != nil {
		t.Fatal(err)
	}
	wantHours, wantOps := folded(t, s)
	opts := cmp.AllowUnexported(hourKind{}, hourSums{}, custOp{})
	if diff := cmp.Diff(wantHours, hours, opts); diff != "" {
		t.Errorf("op_hourly folded 3 at a time (-all at once +by 3):\n%s", diff)
	}
	if diff := cmp.Diff(wantOps, ops, opts); diff != "" {
		t.Errorf("customer_months folded 3 at a time (-all at once +by 3):\n%s", diff)
	}
	var waiting int
	if err := s.db.QueryRow(`SELECT count(*) FROM op_unfolded`).Scan(&waiting); err != nil || waiting != 1 {
		t.Errorf("unfolded = %d, %v; want the void whose target has not arrived", waiting, err)
	}
}
