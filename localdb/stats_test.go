package localdb_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

func TestStats(t *testing.T) {
	s := mustOpen(t) // the demo: 5 purchases by 3 customers, 4 cards
	ctx := context.Background()
	p, _ := s.Program(ctx)
	o := loyalty.Origin{Device: s.Device(), At: time.Now()}
	a := newAccount(t, s, "stella")
	big, _ := credit(t, s, a.Code(), 10000) // 1 + 100 points, 200 cashback
	small, _ := credit(t, s, a.Code(), 500) // 1 + 5 points, 10 cashback
	if _, _, err := s.Void(ctx, o, small.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, a.Code(), func(acc localdb.Account) (loyalty.Operation, error) {
		return p.Redeem(o, acc.Card, acc.Balance, "coffee")
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, a.Code(), func(acc localdb.Account) (loyalty.Operation, error) {
		return loyalty.Refund(o, acc.Card, acc.Balance, big, 5000, 0)
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, a.Code(), func(acc localdb.Account) (loyalty.Operation, error) {
		return loyalty.Adjust(o, acc.Card, acc.Balance, 1000, "import") // leave out: before Merci
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	got, err := s.Stats(ctx, from, from.AddDate(0, 0, 1), 3)
	if err != nil {
		t.Fatal(err)
	}
	// Demo purchases: 450 + 1290 + 380 + 2450 + 15800 = 20370, earning 5 visits of 1
	// point plus 4 + 12 + 3 + 24 + 158 points.
	want := localdb.Stats{
		ActiveCustomers: 4,
		Visits:          5 + 1,
		Sales:           20370 + 10000 - 5000,
		PointsIssued:    5 + 201 + 101 - 50,
		PointsRedeemed:  10, // the demo coffee
		RewardsRedeemed: 1,
		NewCards:        5,
		CashbackOwed:    9 + 25 + 7 + 49 + 316 + 200 - 100,
		Top: []localdb.TopCustomer{
			{Name: "Le Petit Bureau", Spent: 15800, Visits: 1},
			{Name: "stella", Spent: 10000 + 500 - 5000, Visits: 2}, // the cancelled purchase still counts here
			{Name: "Bruno Costa", Spent: 2450, Visits: 1},
		},
		Days: []localdb.DayStats{{Day: from, Visits: 6, PointsIssued: 5 + 201 + 101 - 50, PointsRedeemed: 10}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(localdb.TopCustomer{}, "CustomerID")); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
	if got, err := s.Stats(ctx, from.AddDate(0, 0, -7), from, 3); err != nil || got.Visits != 0 || len(got.Days) != 7 || got.CashbackOwed != want.CashbackOwed {
		t.Errorf("Stats(last week) = %+v, %v; want no activity over 7 days, the same cashback owed", got, err)
	}
}

// BenchmarkDashboard refreshes the dashboard's figures for the last 30 days over a
// ledger of 1,000,000 operations made over those days by 50,000 customers (built once
// and kept in the system's temp folder). Baseline, in the same run: a bare count(*) of
// the whole ledger. Target: a refresh under 150 ms.
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), "merci-bench-1m-ops-v1.db")
	now := millionOperations(b, path)
	s, err := localdb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	from, to := now.AddDate(0, 0, -30), now.AddDate(0, 0, 1)
	var bare, full time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM operations`).Scan(&n); err != nil || n < 1_000_000 {
			b.Fatalf("count = %d, %v", n, err)
		}
		bare += time.Since(start)
		start = time.Now()
		st, err := s.Stats(ctx, from, to, 10)
		if err != nil || st.Visits == 0 {
			b.Fatalf("Stats = %+v, %v", st.Visits, err)
		}
		full += time.Since(start)
	}
	b.ReportMetric(float64(full.Milliseconds())/float64(b.N), "refresh-ms")
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "count-ms")
	b.ReportMetric(float64(full)/float64(bare), "ratio")
}

// millionOperations makes (once) a store at path whose ledger has 1,000,000 operations
// spread over the 30 days before the time it returns.
func millionOperations(b *testing.B, path string) time.Time {
	b.Helper()
	ctx := context.Background()
	const total, customers = 1_000_000, 50_000
	s, err := localdb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	var n int
	var last int64
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*), coalesce(max(at), 0) FROM operations`).Scan(&n, &last); err != nil {
		b.Fatal(err)
	}
	if n >= total {
		return time.UnixMilli(last)
	}
	b.Logf("building %d operations in %s", total, path)
	end := time.Now()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	insertCustomer, _ := tx.PrepareContext(ctx, `INSERT INTO customers (id, name, created_at, cashback) VALUES (?, ?, 0, ?)`)
	insertCard, _ := tx.PrepareContext(ctx, `INSERT INTO cards (code, customer_id, status, issued_at) VALUES (?, ?, 'active', ?)`)
	insertOp, _ := tx.PrepareContext(ctx, `INSERT INTO operations (id, customer_id, kind, points, cashback, xp, amount, currency, reward_id, target, reason, device, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'EUR', ?, '', '', 'bench', ?)`)
	span := int64(30 * 24 * time.Hour / time.Millisecond)
	for c := range customers {
		issued := end.UnixMilli() - span + int64(c)*span/customers
		if _, err := insertCustomer.ExecContext(ctx, fmt.Sprintf("c%06d", c), fmt.Sprintf("Customer %d", c), c%700); err != nil {
			b.Fatal(err)
		}
		if _, err := insertCard.ExecContext(ctx, fmt.Sprintf("BENCH%06d", c), fmt.Sprintf("c%06d", c), issued); err != nil {
			b.Fatal(err)
		}
	}
	for i := range total {
		at := end.UnixMilli() - span + int64(i)*span/total
		kind, points, amount, reward := "credit", int64(1+i%40), int64(100+i%4000), ""
		switch i % 10 {
		case 7:
			kind, points, amount, reward = "redeem", -10, 0, "coffee"
		case 8:
			kind, points, amount = "visit", 2, 0
		}
		if _, err := insertOp.ExecContext(ctx, v7(at), fmt.Sprintf("c%06d", (i*7919)%customers), kind, points, amount/50, points, amount, reward, at); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return end
}

// v7 returns a UUIDv7 stamped at ms.
func v7(ms int64) string {
	var u [16]byte
	rand.Read(u[:])
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}
