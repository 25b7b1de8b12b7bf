package localdb_test

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncwire"
)

// hourlyRow is a row of op_hourly.
type hourlyRow struct {
	Hour, N, Points, Amount int64
	Kind                    string
}

func queryHourly(tb testing.TB, s *localdb.Store, query string) []hourlyRow {
	tb.Helper()
	rows, err := s.DB().Query(query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []hourlyRow
	for rows.Next() {
		var r hourlyRow
		if err := rows.Scan(&r.Hour, &r.Kind, &r.N, &r.Points, &r.Amount); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkHourly compares op_hourly with the sums of the whole ledger as migration 0004
// defined them.
func checkHourly(tb testing.TB, s *localdb.Store, step string) {
	tb.Helper()
	want := queryHourly(tb, s, `SELECT hour, kind, sum(n), sum(points), sum(amount) FROM (
		SELECT o.at / 3600000 AS hour, o.kind AS kind, 1 AS n, o.points AS points, o.amount AS amount
		FROM operations o
		WHERE o.kind <> 'void' AND NOT (o.reason = 'import' AND o.kind IN ('adjust', 'visit'))
		UNION ALL
		SELECT v.at / 3600000, t.kind, -1, -t.points, -t.amount
		FROM operations v JOIN operations t ON t.id = v.target
		WHERE v.kind = 'void'
	) GROUP BY hour, kind ORDER BY hour, kind`)
	got := queryHourly(tb, s, `SELECT hour, kind, n, points, amount FROM op_hourly ORDER BY hour, kind`)
	if diff := gocmp.Diff(want, got); diff != "" {
		tb.Errorf("%s: op_hourly against the whole ledger (-want +got):\n%s", step, diff)
	}
}

// checkTop compares the top customers and the active count of st, the Stats of
// [from, to), with a scan of the whole ledger.
func checkTop(tb testing.TB, s *localdb.Store, step string, st localdb.Stats, from, to time.Time, n int) {
	tb.Helper()
	rows, err := s.DB().Query(`SELECT o.customer_id, coalesce(c.name, ''),
			sum(CASE o.kind WHEN 'credit' THEN o.amount WHEN 'refund' THEN -o.amount ELSE 0 END),
			sum(o.kind IN ('credit', 'visit'))
		FROM operations o LEFT JOIN customers c ON c.id = o.customer_id
		WHERE o.at >= ? AND o.at < ? AND NOT (o.reason = 'import' AND o.kind IN ('adjust', 'visit'))
		GROUP BY o.customer_id`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var all []localdb.TopCustomer
	for rows.Next() {
		var c localdb.TopCustomer
		if err := rows.Scan(&c.CustomerID, &c.Name, &c.Spent, &c.Visits); err != nil {
			tb.Fatal(err)
		}
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	slices.SortFunc(all, func(a, b localdb.TopCustomer) int {
		return cmp.Or(cmp.Compare(b.Spent, a.Spent), cmp.Compare(b.Visits, a.Visits), cmp.Compare(a.CustomerID, b.CustomerID))
	})
	if got, want := st.ActiveCustomers, len(all); got != want {
		tb.Errorf("%s: ActiveCustomers = %d, want %d", step, got, want)
	}
	if diff := gocmp.Diff(all[:min(n, len(all))], st.Top); diff != "" {
		tb.Errorf("%s: Top against the whole ledger (-want +got):\n%s", step, diff)
	}
}

// refolded returns the Stats of [from, to) folded again from the whole ledger.
func refolded(tb testing.TB, s *localdb.Store, from, to time.Time, n int) localdb.Stats {
	tb.Helper()
	if _, err := s.DB().Exec(`DELETE FROM op_hourly; DELETE FROM customer_months; DELETE FROM nps_invitation_quarters;
		DELETE FROM op_unfolded; DELETE FROM op_folded_ahead; UPDATE op_fold SET watermark = ''`); err != nil {
		tb.Fatal(err)
	}
	st, err := s.Stats(context.Background(), from, to, n)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// applyRemote stores op as pulled from another device.
func applyRemote(tb testing.TB, s *localdb.Store, op loyalty.Operation) {
	tb.Helper()
	ctx := context.Background()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := s.ApplyRemote(ctx, tx, op); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// remoteCredit is a purchase of amount made at at on another device, whose clock stamped
// its id at stamp.
func remoteCredit(customerID string, amount loyalty.Money, at, stamp time.Time) loyalty.Operation {
	return loyalty.Operation{ID: v7(stamp.UnixMilli()), CustomerID: customerID, Kind: loyalty.KindCredit,
		Delta: loyalty.Delta{Points: int64(amount / 100)}, Amount: amount, Currency: "EUR", Device: "till-2", At: at}
}

func TestStatsFoldLazily(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "merci.db")
	s, err := localdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	from, to := today.AddDate(0, 0, -7), today.AddDate(0, 0, 2)
	const top = 3
	stats := func(step string) localdb.Stats {
		t.Helper()
		st, err := s.Stats(ctx, from, to, top)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		checkHourly(t, s, step)
		checkTop(t, s, step, st, from, to, top)
		return st
	}
	before := stats("first refresh")
	a := newAccount(t, s, "zoe")

	op, _ := credit(t, s, a.Code(), 20000)
	st := stats("a purchase after a refresh")
	if got, want := st.Visits, before.Visits+1; got != want {
		t.Errorf("Visits after a purchase = %d, want %d", got, want)
	}
	if got, want := st.Sales, before.Sales+20000; got != want {
		t.Errorf("Sales after a purchase = %d, want %d", got, want)
	}
	if got, want := st.Top[0].Name, "zoe"; got != want {
		t.Errorf("best customer after a purchase = %q, want %q", got, want)
	}

	if _, _, err := s.Void(ctx, loyalty.Origin{Device: s.Device(), At: s.Now()}, op.ID); err != nil {
		t.Fatal(err)
	}
	st = stats("its void, later")
	if st.Visits != before.Visits || st.Sales != before.Sales || st.PointsIssued != before.PointsIssued {
		t.Errorf("after the void: %d visits, %d sales, %d points; want %d, %d, %d as before the purchase",
			st.Visits, st.Sales, st.PointsIssued, before.Visits, before.Sales, before.PointsIssued)
	}

	// Another till's purchases, pulled after the refresh: three days old, and one whose
	// clock runs two hours ahead.
	old := remoteCredit(a.Customer.ID, 5000, now.AddDate(0, 0, -3), now.AddDate(0, 0, -3))
	ahead := remoteCredit(a.Customer.ID, 700, now.Add(2*time.Hour), now.Add(2*time.Hour))
	applyRemote(t, s, old)
	applyRemote(t, s, ahead)
	st = stats("remote operations with older and newer ids")
	if got, want := st.Sales, before.Sales+5000+700; got != want {
		t.Errorf("Sales with remote purchases = %d, want %d", got, want)
	}
	if st = stats("a refresh with nothing new"); st.Sales != before.Sales+5000+700 {
		t.Errorf("Sales refreshed again = %d, want %d: the purchase ahead of the clock counted once", st.Sales, before.Sales+5000+700)
	}

	// A remote void pulled before the purchase it cancels: it waits for it.
	bought := remoteCredit(a.Customer.ID, 3000, now.AddDate(0, 0, -2), now.AddDate(0, 0, -2))
	void := loyalty.Operation{ID: v7(now.AddDate(0, 0, -2).Add(time.Minute).UnixMilli()), CustomerID: a.Customer.ID,
		Kind: loyalty.KindVoid, Delta: loyalty.Delta{Points: -bought.Delta.Points}, Target: bought.ID, Device: "till-2",
		At: now.AddDate(0, 0, -2).Add(time.Minute)}
	applyRemote(t, s, void)
	if st, err = s.Stats(ctx, from, to, top); err != nil {
		t.Fatal(err)
	}
	checkHourly(t, s, "a void before its purchase")
	applyRemote(t, s, bought)
	st = stats("the purchase after its void")
	if got, want := st.Sales, before.Sales+5000+700; got != want {
		t.Errorf("Sales with a purchase and its void = %d, want %d", got, want)
	}

	// Folded state survives a restart; what was recorded meanwhile is folded after it.
	credit(t, s, a.Code(), 1000)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = localdb.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	st = stats("after reopening")
	if got, want := st.Sales, before.Sales+5000+700+1000; got != want {
		t.Errorf("Sales after reopening = %d, want %d", got, want)
	}
	if diff := gocmp.Diff(refolded(t, s, from, to, top), st); diff != "" {
		t.Errorf("Stats folded bit by bit against folded at once (-want +got):\n%s", diff)
	}
}

func TestInvitationsCounted(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	a, b := newAccount(t, s, "ida"), newAccount(t, s, "ugo")
	check := func(step string) {
		t.Helper()
		for _, r := range [][2]time.Time{
			{t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 3)},
			{t0.Add(7 * time.Minute), t0.Add(2*time.Hour + 3*time.Minute)}, // off the quarters
			{t0.Add(time.Minute), t0.Add(2 * time.Minute)},
		} {
			var want int
			if err := s.DB().QueryRow(`SELECT count(*) FROM nps_invitations WHERE created_at >= ? AND created_at < ?`,
				r[0].UnixMilli(), r[1].UnixMilli()).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Invitations(ctx, r[0], r[1]); err != nil || got != want {
				t.Errorf("%s: Invitations(%v, %v) = %d, %v; want %d", step, r[0], r[1], got, err, want)
			}
		}
	}
	purchase(t, s, a.Code(), t0)
	purchase(t, s, b.Code(), t0.Add(time.Minute+30*time.Second))
	check("invited at the counter")
	purchase(t, s, b.Code(), t0.Add(2*time.Hour)) // throttled: no invitation
	check("a throttled purchase")

	// Another till's purchases and their invitations, pulled in either order.
	invite := func(op loyalty.Operation) syncwire.Change {
		t.Helper()
		inv, err := nps.Policy{}.Invite(op.ID, op.CustomerID, "", op.Device, op.At)
		if err != nil {
			t.Fatal(err)
		}
		return change(t, localdb.TypeNPSInvitation, inv.ID, inv)
	}
	first := remoteCredit(a.Customer.ID, 900, t0.Add(time.Hour), t0.Add(time.Hour))
	applyRemote(t, s, first)
	check("a remote purchase")
	pull(t, s, 1, invite(first))
	check("its invitation pulled after it was folded")
	pull(t, s, 2, invite(first))
	check("the same invitation pulled again")
	second := remoteCredit(b.Customer.ID, 400, t0.Add(26*time.Hour), t0.Add(26*time.Hour))
	before, err := s.Invitations(ctx, t0, t0.AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	pull(t, s, 3, invite(second))
	if got, err := s.Invitations(ctx, t0, t0.AddDate(0, 0, 2)); err != nil || got != before {
		t.Errorf("Invitations with one pulled before its purchase = %d, %v; want %d until the purchase is there", got, err, before)
	}
	applyRemote(t, s, second)
	check("the purchase after its invitation")
}
