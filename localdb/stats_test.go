package localdb_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris, also on machines without a zoneinfo database

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
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

// TestNPSFigures compares the counted figures with those made of the answers themselves,
// in zones whose days start on the hour or not, over bounds on and off the quarters the
// counts are kept by, after answers were replaced or changed.
func TestNPSFigures(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	base := time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 1800 {
		// Every 11 hours for five months, and every 10 minutes from January 19th on, so
		// that bounds off the quarters have answers beside them.
		at := base.Add(time.Duration(i) * 11 * time.Hour)
		if i >= 300 {
			at = time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC).Add(time.Duration(i-300) * (10*time.Minute + 7*time.Second))
		}
		id := v7(at.UnixMilli())
		ids = append(ids, id)
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO nps_responses (id, invitation_id, purchase_op_id, score, lang, at, status)
			VALUES (?, ?, ?, ?, 'en', ?, 'untreated')`, id, "inv-"+id, "op-"+id, i%11, at.UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[:10] { // replaced by another kiosk's earlier answer, as sync does
		if _, err := s.DB().ExecContext(ctx, `DELETE FROM nps_responses WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE nps_responses SET score = 10, at = at + 600000 WHERE id IN (?, ?)`, ids[20], ids[21]); err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []*time.Location{time.UTC, paris, time.FixedZone("IST", 5*3600+1800), time.FixedZone("NPT", 5*3600+2700)} {
		for _, tt := range []struct {
			p          nps.Period
			days       int
			off1, off2 time.Duration
		}{
			{nps.Day, 14, 0, 0},
			{nps.Week, 30, 0, 0},
			{nps.Month, 150, 0, 0},
			{nps.Week, 30, 7*time.Minute + 13*time.Second, -3 * time.Minute},
			{nps.Day, 1, 20 * time.Hour, -3*time.Hour - time.Second},
			{nps.Day, 2, 5 * time.Minute, -17 * time.Minute},
			{nps.Day, 0, 10*time.Hour + 2*time.Minute, 10*time.Hour + 31*time.Minute}, // inside a quarter and its neighbour
			{nps.Day, 0, 10*time.Hour + 2*time.Minute, 10*time.Hour + 11*time.Minute},
		} {
			from := time.Date(2026, 1, 20, 0, 0, 0, 0, loc).Add(tt.off1)
			to := time.Date(2026, 1, 20+tt.days, 0, 0, 0, 0, loc).Add(tt.off2)
			rs, err := s.Responses(ctx, localdb.ResponseFilter{From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			want, err := nps.Summarize(rs)
			if err != nil {
				t.Fatal(err)
			}
			wantBuckets, err := nps.Aggregate(rs, tt.p, loc)
			if err != nil {
				t.Fatal(err)
			}
			got, buckets, err := s.NPSFigures(ctx, from, to, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NPSFigures(%v, %v, %s) summary (-answers +counts):\n%s", from, to, tt.p, diff)
			}
			if diff := cmp.Diff(wantBuckets, buckets, cmpTimes); diff != "" {
				t.Errorf("NPSFigures(%v, %v, %s) buckets (-answers +counts):\n%s", from, to, tt.p, diff)
			}
		}
	}
	if sum, buckets, err := s.NPSFigures(ctx, base.AddDate(1, 0, 0), base.AddDate(1, 1, 0), nps.Week); err != nil || sum.N != 0 || buckets != nil {
		t.Errorf("NPSFigures(a month without answers) = %+v, %v, %v; want nothing", sum, buckets, err)
	}
}

// BenchmarkDashboard times one full refresh of the dashboard for the last 30 days, all
// that ui/desk_dashboard.go asks of the store (Stats, NPSFigures, Invitations), over a ledger
// of 1,000,000 operations made over those days by 50,000 customers and 200,000 survey
// answers (built once and kept in the system's temp folder). Before each refresh, the
// counter records the minute's 25 purchases that such a shop makes, which the refresh
// folds into the figures. Baseline, in the same run: a bare count(*) of the whole
// ledger. Target: a refresh under 150 ms. Each part is reported too.
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), "merci-bench-1m-ops-v4.db")
	now := millionOperations(b, path)
	s, err := localdb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// The dashboard's "30 days": whole local days up to the end of today, by week.
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.Local)
	from, to := tomorrow.AddDate(0, 0, -30), tomorrow
	p, err := s.Program(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var bare, stats, answers, invitations time.Duration
	b.ResetTimer()
	for i := range b.N {
		for j := range 25 {
			code := cards.Code(fmt.Sprintf("BENCH%06d", (i*25+j)*7919%50_000))
			if _, _, err := s.Record(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
				return p.Credit(loyalty.Origin{Device: s.Device(), At: time.Now()}, a.Card, 1250)
			}); err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM operations`).Scan(&n); err != nil || n < 1_000_000 {
			b.Fatalf("count = %d, %v", n, err)
		}
		bare += time.Since(start)
		start = time.Now()
		st, err := s.Stats(ctx, from, to, 8)
		if err != nil || st.Visits == 0 {
			b.Fatalf("Stats = %+v, %v", st.Visits, err)
		}
		stats += time.Since(start)
		start = time.Now()
		if sum, _, err := s.NPSFigures(ctx, from, to, nps.Week); err != nil || sum.N == 0 {
			b.Fatalf("NPSFigures = %d answers, %v", sum.N, err)
		}
		answers += time.Since(start)
		start = time.Now()
		if n, err := s.Invitations(ctx, from, to); err != nil || n == 0 {
			b.Fatalf("Invitations = %d, %v", n, err)
		}
		invitations += time.Since(start)
	}
	full := stats + answers + invitations
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(full), "refresh-ms")
	b.ReportMetric(ms(stats), "stats-ms")
	b.ReportMetric(ms(answers), "nps-ms")
	b.ReportMetric(ms(invitations), "invitations-ms")
	b.ReportMetric(ms(bare), "count-ms")
	b.ReportMetric(float64(full)/float64(bare), "ratio")
}

// millionOperations makes (once) a store at path whose ledger has 1,000,000 operations
// spread over the 30 days before the time it returns, with 250,000 survey invitations
// and 200,000 answers over the same days.
func millionOperations(b *testing.B, path string) time.Time {
	b.Helper()
	ctx := context.Background()
	const total, customers, invitations, answers = 1_000_000, 50_000, 250_000, 200_000
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
	b.Logf("building %d operations and %d answers in %s", total, answers, path)
	end := time.Now()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	prepare := func(query string) *sql.Stmt {
		st, err := tx.PrepareContext(ctx, query)
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	insertCustomer := prepare(`INSERT INTO customers (id, name, created_at, cashback) VALUES (?, ?, 0, ?)`)
	insertCard := prepare(`INSERT INTO cards (code, customer_id, status, issued_at) VALUES (?, ?, 'active', ?)`)
	insertOp := prepare(`INSERT INTO operations (id, customer_id, kind, points, cashback, xp, amount, currency, reward_id, target, reason, device, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'EUR', ?, '', '', 'bench', ?)`)
	insertInvitation := prepare(`INSERT INTO nps_invitations (id, purchase_op_id, customer_id, device, created_at, expires_at)
		VALUES (?, ?, ?, 'bench', ?, ?)`)
	insertAnswer := prepare(`INSERT INTO nps_responses (id, invitation_id, purchase_op_id, customer_id, score, comment, lang, at, status)
		VALUES (?, ?, ?, ?, ?, ?, 'fr', ?, ?)`)
	exec := func(st *sql.Stmt, args ...any) {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			b.Fatal(err)
		}
	}
	span := int64(30 * 24 * time.Hour / time.Millisecond)
	for c := range customers {
		issued := end.UnixMilli() - span + int64(c)*span/customers
		exec(insertCustomer, fmt.Sprintf("c%06d", c), fmt.Sprintf("Customer %d", c), c%700)
		exec(insertCard, fmt.Sprintf("BENCH%06d", c), fmt.Sprintf("c%06d", c), issued)
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
		id, customer := v7(at), fmt.Sprintf("c%06d", (i*7919)%customers)
		exec(insertOp, id, customer, kind, points, amount/50, points, amount, reward, at)
		// Every fourth purchase is invited to the survey; four in five answer, a
		// minute later, one in three with a comment.
		if j := i / 4; i%4 == 0 && j < invitations {
			inv := v7(at)
			exec(insertInvitation, inv, id, customer, at, at+int64(time.Hour/time.Millisecond))
			if j%5 != 4 {
				comment := ""
				if j%3 == 0 {
					comment = "Très bon accueil, mais un peu d'attente à la caisse ce matin."
				}
				status := []nps.Status{nps.Untreated, nps.InProgress, nps.Closed}[j%3]
				exec(insertAnswer, v7(at+60_000), inv, id, customer, j%11, comment, at+60_000, status)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// The app folds operations into the dashboard's figures at each refresh, a few at a
	// time; these arrived at once, like a big sync.
	start := time.Now()
	if _, err := s.Stats(ctx, end.AddDate(0, 0, -30), end, 8); err != nil {
		b.Fatal(err)
	}
	b.Logf("folded them in %v", time.Since(start))
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
