package localdb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// EachOperation calls fn with every operation made in [from, to), oldest first, with
// its customer's name, for exports. It stops at fn's first error.
func (s *Store) EachOperation(ctx context.Context, from, to time.Time, fn func(Entry) error) error {
	rows, err := s.db.QueryContext(ctx, entrySelect+`
		WHERE (o.id >= ?1 AND o.id < ?2 AND o.kind <> 'void') OR (o.kind = 'void' AND o.at >= ?3 AND o.at < ?4)
		ORDER BY o.id`, idFloor(from), idFloor(to), millis(from), millis(to))
	if err != nil {
		return fmt.Errorf("list operations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return fmt.Errorf("list operations: %w", err)
		}
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

// Stats returns the loyalty figures of [from, to), by local day in from's time zone. It
// first folds into the figures what the ledger gained since the last call (fold.go).
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
	if err := s.fold(ctx); err != nil {
		return st, err
	}
	// Whole hours: a day starts on the hour in most time zones.
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
// customers were active in it, from the customer_months rows of its months. Ties go to
// the smaller customer id. Cancellations are not netted out: a cancelled purchase still
// made its customer active.
func (s *Store) topCustomers(ctx context.Context, from, to time.Time, n int) ([]TopCustomer, int, error) {
	lo, hi := millis(from), millis(to)
	if hi <= lo {
		return nil, 0, nil
	}
	first := monthOf(lo)
	months := make([][customerBuckets][]byte, monthOf(hi-1)-first+1)
	rows, err := s.db.QueryContext(ctx, `SELECT month, bucket, data FROM customer_months WHERE month >= ? AND month < ?`,
		first, first+int64(len(months)))
	if err != nil {
		return nil, 0, fmt.Errorf("top customers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var month, bucket int64
		var data []byte
		if err := rows.Scan(&month, &bucket, &data); err != nil {
			return nil, 0, fmt.Errorf("top customers: %w", err)
		}
		if bucket < 0 || bucket >= customerBuckets {
			return nil, 0, fmt.Errorf("top customers: %w", errBadCustomerMonth)
		}
		months[month-first][bucket] = data
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("top customers: %w", err)
	}
	rows.Close()

	var best []custSum // sorted, best first, at most n
	active := 0
	var merged, month []custSum
	for bucket := range customerBuckets {
		// A customer is in one bucket, but in a row of each month: merge the months'
		// customers, in id order in each row.
		merged = merged[:0]
		for i := range months {
			if month, err = sumCustMonth(month[:0], months[i][bucket], lo, hi); err != nil {
				return nil, 0, fmt.Errorf("top customers: %w", err)
			}
			merged = mergeCustSums(merged, month)
		}
		active += len(merged)
		for _, t := range merged {
			if len(best) == n && (n == 0 || !t.better(best[n-1])) {
				continue
			}
			i := len(best)
			for i > 0 && t.better(best[i-1]) {
				i--
			}
			best = slices.Insert(best, i, t)
			if len(best) > n {
				best = best[:n]
			}
		}
	}
	top := make([]TopCustomer, len(best))
	for i, b := range best {
		top[i] = TopCustomer{CustomerID: string(b.id), Spent: loyalty.Money(b.spent), Visits: int(b.visits)}
		err := s.db.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, top[i].CustomerID).Scan(&top[i].Name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("top customers: %w", err)
		}
	}
	return top, active, nil
}

// custSum is what a customer spent and how often they came in a period.
type custSum struct {
	id            []byte
	spent, visits int64
}

// better ranks the top customers: by purchases, then visits, then the smaller id.
func (c custSum) better(d custSum) bool {
	if c.spent != d.spent {
		return c.spent > d.spent
	}
	if c.visits != d.visits {
		return c.visits > d.visits
	}
	return bytes.Compare(c.id, d.id) < 0
}

// sumCustMonth appends to out the sums in [lo, hi) of the customers of a customer_months
// row active then, in id order.
func sumCustMonth(out []custSum, data []byte, lo, hi int64) ([]custSum, error) {
	r := custMonthReader{data: data}
	var c custMonth
	for r.next(&c) {
		spent, visits, active, err := c.sum(lo, hi)
		if err != nil {
			return nil, err
		}
		if active {
			out = append(out, custSum{c.id, spent, visits})
		}
	}
	return out, r.err
}

// mergeCustSums merges b into a, both in id order, adding up the sums of an id in both.
func mergeCustSums(a, b []custSum) []custSum {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return append(a, b...)
	}
	out := make([]custSum, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch c := bytes.Compare(a[0].id, b[0].id); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out = append(out, custSum{a[0].id, a[0].spent + b[0].spent, a[0].visits + b[0].visits})
			a, b = a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Invitations counts the survey invitations made in [from, to): the denominator of the
// answer rate. It folds the ledger first: an invitation is counted with its purchase
// (fold.go), so one pulled before its purchase counts once the purchase is there too.
func (s *Store) Invitations(ctx context.Context, from, to time.Time) (int, error) {
	if err := s.fold(ctx); err != nil {
		return 0, err
	}
	lo, hi := millis(from), millis(to)
	qlo, qhi := (lo+quarterMs-1)/quarterMs, hi/quarterMs
	count := func(query string, args ...any) (int, error) {
		var n int
		if err := s.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("count invitations: %w", err)
		}
		return n, nil
	}
	// The invitations themselves only where a bound falls inside a quarter.
	const made = `SELECT count(*) FROM nps_invitations WHERE created_at >= ? AND created_at < ?`
	if qlo >= qhi {
		return count(made, lo, hi)
	}
	total, err := count(`SELECT coalesce(sum(n), 0) FROM nps_invitation_quarters WHERE quarter >= ? AND quarter < ?`, qlo, qhi)
	if err != nil {
		return 0, err
	}
	for _, r := range [][2]int64{{lo, qlo * quarterMs}, {qhi * quarterMs, hi}} {
		if r[0] < r[1] {
			n, err := count(made, r[0], r[1])
			if err != nil {
				return 0, err
			}
			total += n
		}
	}
	return total, nil
}

// NPSFigures returns what the answers given in [from, to) say, in total and by period p
// in from's time zone, as nps.Summarize and nps.Aggregate make them of the answers: the
// buckets run from the first answer's period to the last's. It reads the counts that
// nps_quarters keeps by quarter of an hour, and the answers themselves only where a
// bound falls inside a quarter.
func (s *Store) NPSFigures(ctx context.Context, from, to time.Time, p nps.Period) (nps.Summary, []nps.Bucket, error) {
	var total nps.Summary
	var buckets []nps.Bucket
	loc := from.Location()
	start, end, err := p.Bounds(from, loc)
	for ; err == nil && start.Before(to); start, end, err = p.Bounds(end, loc) {
		b := nps.Bucket{Start: start, End: end}
		if err := s.countAnswers(ctx, max(millis(start), millis(from)), min(millis(end), millis(to)), &b.Summary); err != nil {
			return nps.Summary{}, nil, err
		}
		for score, n := range b.Summary.Distribution {
			if err := total.AddN(score, n); err != nil {
				return nps.Summary{}, nil, err
			}
		}
		buckets = append(buckets, b)
	}
	if err != nil {
		return nps.Summary{}, nil, fmt.Errorf("survey figures: %w", err)
	}
	empty := func(b nps.Bucket) bool { return b.Summary.N == 0 }
	if i := slices.IndexFunc(buckets, func(b nps.Bucket) bool { return !empty(b) }); i >= 0 {
		buckets = buckets[i:]
	} else {
		buckets = nil
	}
	for len(buckets) > 0 && empty(buckets[len(buckets)-1]) {
		buckets = buckets[:len(buckets)-1]
	}
	return total, buckets, nil
}

// quarterMs is the span of an nps_quarters row.
const quarterMs = 900_000

// countAnswers adds to sum the answers given in [lo, hi), Unix ms.
func (s *Store) countAnswers(ctx context.Context, lo, hi int64, sum *nps.Summary) error {
	qlo, qhi := (lo+quarterMs-1)/quarterMs, hi/quarterMs
	if qlo >= qhi {
		return s.addScores(ctx, sum, `SELECT score, count(*) FROM nps_responses WHERE at >= ? AND at < ? GROUP BY score`, lo, hi)
	}
	if err := s.addScores(ctx, sum, `SELECT score, sum(n) FROM nps_quarters WHERE quarter >= ? AND quarter < ? GROUP BY score`,
		qlo, qhi); err != nil {
		return err
	}
	for _, r := range [][2]int64{{lo, qlo * quarterMs}, {qhi * quarterMs, hi}} {
		if r[0] < r[1] {
			if err := s.addScores(ctx, sum, `SELECT score, count(*) FROM nps_responses WHERE at >= ? AND at < ? GROUP BY score`,
				r[0], r[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// addScores adds to sum the (score, count) rows of query.
func (s *Store) addScores(ctx context.Context, sum *nps.Summary, query string, args ...any) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("count answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var score, n int
		if err := rows.Scan(&score, &n); err != nil {
			return fmt.Errorf("count answers: %w", err)
		}
		if err := sum.AddN(score, n); err != nil {
			return fmt.Errorf("count answers: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count answers: %w", err)
	}
	return nil
}
