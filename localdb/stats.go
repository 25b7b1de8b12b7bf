package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
)

// EachOperation calls fn with every operation made in [from, to), oldest first, with
// its customer's name, for exports. It stops at fn's first error.
func (s *Store) EachOperation(ctx context.Context, from, to time.Time, fn func(Entry) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT o.`+strings.ReplaceAll(opColumns, ", ", ", o.")+`, c.name,
			EXISTS (SELECT 1 FROM operations v WHERE v.target = o.id AND v.kind = 'void')
		FROM operations o LEFT JOIN customers c ON c.id = o.customer_id
		WHERE o.id >= ? AND o.id < ? ORDER BY o.id`, idFloor(from), idFloor(to))
	if err != nil {
		return fmt.Errorf("list operations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var name sql.NullString
		op, err := scanOperation(rows, &name, &e.Voided)
		if err != nil {
			return fmt.Errorf("list operations: %w", err)
		}
		e.Operation, e.CustomerName = op, name.String
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Stats are the loyalty figures of a period, for the owner's dashboard. Operations
// recorded by an import (reason "import") happened before Merci and are left out.
type Stats struct {
	ActiveCustomers int           // customers with at least one operation in the period
	Visits          int           // purchases and kiosk visits, less those cancelled
	Sales           loyalty.Money // purchase amounts, less refunds and cancellations
	PointsIssued    int64         // points earned or added, less those cancelled
	PointsRedeemed  int64         // points spent on rewards or taken off, less those cancelled
	RewardsRedeemed int           // catalogue rewards given, less those cancelled
	NewCards        int           // cards issued in the period, replacements included
	CashbackOwed    loyalty.Money // now: what the shop owes in cashback, all customers together
	Top             []TopCustomer // best customers of the period by purchases
	Days            []DayStats    // one per day of the period, oldest first
}

// TopCustomer is one of the period's best customers.
type TopCustomer struct {
	CustomerID string
	Name       string
	Spent      loyalty.Money // purchases less refunds; cancellations are not netted out
	Visits     int
}

// DayStats is one day's activity.
type DayStats struct {
	Day            time.Time // local midnight
	Visits         int
	PointsIssued   int64
	PointsRedeemed int64
}

// Stats returns the loyalty figures of [from, to), by local day in from's time zone.
func (s *Store) Stats(ctx context.Context, from, to time.Time, top int) (Stats, error) {
	var st Stats
	loc := from.Location()
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	for d := start; d.Before(to); d = d.AddDate(0, 0, 1) {
		st.Days = append(st.Days, DayStats{Day: d})
	}
	dayOf := func(t time.Time) *DayStats {
		t = t.In(loc)
		i := int(time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, loc).Sub(start).Hours() / 24)
		if i < 0 || i >= len(st.Days) {
			return &DayStats{} // counted in the totals only
		}
		return &st.Days[i]
	}
	// The hourly sums kept by the triggers of migration 0004.
	rows, err := s.db.QueryContext(ctx, `SELECT hour, kind, n, points, amount FROM op_hourly
		WHERE hour >= ? AND hour < ?`, from.Unix()/3600, (to.Unix()+3599)/3600)
	if err != nil {
		return st, fmt.Errorf("dashboard figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind loyalty.Kind
		var hour, n, pts int64
		var amt loyalty.Money
		if err := rows.Scan(&hour, &kind, &n, &pts, &amt); err != nil {
			return st, fmt.Errorf("dashboard figures: %w", err)
		}
		d := dayOf(time.Unix(hour*3600, 0))
		switch kind {
		case loyalty.KindCredit, loyalty.KindVisit:
			st.Visits += int(n)
			d.Visits += int(n)
			st.PointsIssued += pts
			d.PointsIssued += pts
			if kind == loyalty.KindCredit {
				st.Sales += amt
			}
		case loyalty.KindRefund:
			st.Sales -= amt
			st.PointsIssued += pts // negative: points taken back
			d.PointsIssued += pts
		case loyalty.KindAdjust:
			st.PointsIssued += pts
			d.PointsIssued += pts
		case loyalty.KindRedeem, loyalty.KindDebit:
			st.PointsRedeemed -= pts
			d.PointsRedeemed -= pts
			if kind == loyalty.KindRedeem {
				st.RewardsRedeemed += int(n)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("dashboard figures: %w", err)
	}
	rows.Close()

	if st.Top, st.ActiveCustomers, err = s.topCustomers(ctx, from, to, top); err != nil {
		return st, err
	}
	err = s.db.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM cards WHERE issued_at >= ? AND issued_at < ?),
			(SELECT coalesce(sum(cashback), 0) FROM customers WHERE cashback > 0)`,
		millis(from), millis(to)).Scan(&st.NewCards, &st.CashbackOwed)
	if err != nil {
		return st, fmt.Errorf("dashboard cards and cashback: %w", err)
	}
	return st, nil
}

// topCustomers returns the n customers who spent most in [from, to), and how many
// customers were active in it. It reads the index operations_customer alone: its rows
// come in customer order, so grouping needs no sort. The best n are kept here as the
// groups stream by, which costs less than sorting them all in SQL. Cancellations are not
// netted out: a cancelled purchase still made its customer active.
func (s *Store) topCustomers(ctx context.Context, from, to time.Time, n int) ([]TopCustomer, int, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT o.customer_id, sum(CASE o.kind WHEN 'credit' THEN o.amount WHEN 'refund' THEN -o.amount ELSE 0 END),
			sum(o.kind IN ('credit', 'visit'))
		FROM operations o INDEXED BY operations_customer
		WHERE o.at >= ? AND o.at < ? AND NOT (o.reason = 'import' AND o.kind IN ('adjust', 'visit'))
		GROUP BY o.customer_id`, millis(from), millis(to))
	if err != nil {
		return nil, 0, fmt.Errorf("top customers: %w", err)
	}
	defer rows.Close()
	better := func(a, b TopCustomer) bool { return a.Spent > b.Spent || a.Spent == b.Spent && a.Visits > b.Visits }
	var best []TopCustomer // sorted, best first, at most n
	active := 0
	for rows.Next() {
		var t TopCustomer
		if err := rows.Scan(&t.CustomerID, &t.Spent, &t.Visits); err != nil {
			return nil, 0, fmt.Errorf("top customers: %w", err)
		}
		active++
		if len(best) == n && !better(t, best[n-1]) {
			continue
		}
		i := len(best)
		for i > 0 && better(t, best[i-1]) {
			i--
		}
		best = slices.Insert(best, i, t)
		if len(best) > n {
			best = best[:n]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("top customers: %w", err)
	}
	for i := range best {
		err := s.db.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, best[i].CustomerID).Scan(&best[i].Name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("top customers: %w", err)
		}
	}
	return best, active, nil
}

// Invitations counts the survey invitations made in [from, to): the denominator of the
// answer rate.
func (s *Store) Invitations(ctx context.Context, from, to time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM nps_invitations WHERE created_at >= ? AND created_at < ?`,
		millis(from), millis(to)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count invitations: %w", err)
	}
	return n, nil
}
