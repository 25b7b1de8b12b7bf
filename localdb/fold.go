package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// The dashboard's figures are folded from the ledger when they are read, not when an
// operation commits: the counter's commit stays what it was without them (migration
// 0006). A fold adds each operation once to op_hourly (sums by UTC hour and kind) and to
// customer_months (what the top customers read), and the survey invitation that followed
// it, if any, to nps_invitation_quarters: an invitation is made in its purchase's
// transaction, so it is there when the purchase is folded. One pulled from another
// device after its purchase was folded is counted as it is stored (countInvitation).
//
// Which operations are folded is kept in op_fold, op_unfolded and op_folded_ahead: those
// not in op_unfolded that are at or below the watermark or in op_folded_ahead. A fold
// takes the operations above the watermark (but not ahead) and those unfolded, then
// moves the watermark up to the clock: the counter's next operations get ids above it.
// One that gets an id at or below it all the same (pulled from another device, made
// after the clock stepped back, or by a process whose id was made before the fold) is
// added to op_unfolded by the trigger op_late, in its own transaction; the operations
// already above the new watermark (made in the fold's millisecond, or pulled from a
// device whose clock is ahead) go to op_folded_ahead.

// foldBatch is the most operations one fold transaction takes: the counter waits for the
// write lock while a fold holds it. A variable for tests.
var foldBatch = 50_000

// fold brings the dashboard's figures up to date with the ledger, in transactions of at
// most foldBatch operations.
func (s *Store) fold(ctx context.Context) error {
	lastLate := ""
	for {
		more := false
		err := inTx(ctx, s.db, func(tx *sql.Tx) error {
			var err error
			more, err = s.foldOnce(ctx, tx, &lastLate)
			return err
		})
		if err != nil {
			return fmt.Errorf("fold ledger into dashboard figures: %w", err)
		}
		if !more {
			return nil
		}
	}
}

// foldOnce folds up to foldBatch operations: first those unfolded after *lastLate, whose
// last it records there, then those above the watermark. It reports whether some are
// left.
func (s *Store) foldOnce(ctx context.Context, tx *sql.Tx, lastLate *string) (bool, error) {
	var watermark string
	if err := tx.QueryRowContext(ctx, `SELECT watermark FROM op_fold WHERE id = 1`).Scan(&watermark); err != nil {
		return false, fmt.Errorf("read watermark: %w", err)
	}
	f := newFolder()
	// Voids whose cancelled operation has not arrived yet: they count against its kind,
	// unknown until then, so they stay unfolded.
	var waiting []string
	late, err := f.read(ctx, tx, `op_unfolded u JOIN operations o ON o.id = u.id`,
		`u.id > ? ORDER BY u.id LIMIT ?`, *lastLate, foldBatch)
	if err != nil {
		return false, err
	}
	lateFolded := 0
	for _, op := range late {
		if f.add(op) {
			lateFolded++
		} else {
			waiting = append(waiting, op.id)
		}
	}
	if len(late) > 0 {
		after := *lastLate
		*lastLate = late[len(late)-1].id
		if lateFolded == 0 {
			waiting = nil // all still waiting: leave them be
		} else if _, err := tx.ExecContext(ctx, `DELETE FROM op_unfolded WHERE id > ? AND id <= ?`, after, *lastLate); err != nil {
			return false, fmt.Errorf("mark late operations folded: %w", err)
		}
	}
	var fresh []foldOp
	room := foldBatch - len(late)
	if room > 0 {
		fresh, err = f.read(ctx, tx, `operations o`,
			`o.id > ? AND o.id NOT IN (SELECT id FROM op_folded_ahead) ORDER BY o.id LIMIT ?`, watermark, room)
		if err != nil {
			return false, err
		}
	}
	if len(fresh) == 0 && lateFolded == 0 {
		return room == 0, nil // nothing new: nothing to write
	}
	for _, op := range fresh {
		if !f.add(op) {
			waiting = append(waiting, op.id)
		}
	}
	for _, id := range waiting {
		if _, err := tx.ExecContext(ctx, `INSERT INTO op_unfolded (id) VALUES (?)`, id); err != nil {
			return false, fmt.Errorf("keep %s unfolded: %w", id, err)
		}
	}

	next := watermark
	switch {
	case room == 0: // more late ones first
	case len(fresh) == room:
		next = fresh[len(fresh)-1].id // the rest, above it, in the next transaction
	default:
		// All folded: up to the clock, which stamps the ids (uuid.NewV7, not s.Now).
		next = max(watermark, idFloor(time.Now()))
		if _, err := tx.ExecContext(ctx, `INSERT INTO op_folded_ahead (id)
			SELECT id FROM operations WHERE id > ? ON CONFLICT DO NOTHING`, next); err != nil {
			return false, fmt.Errorf("mark operations ahead of the clock: %w", err)
		}
	}
	if next != watermark {
		if _, err := tx.ExecContext(ctx, `DELETE FROM op_folded_ahead WHERE id <= ?`, next); err != nil {
			return false, fmt.Errorf("move watermark: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE op_fold SET watermark = ? WHERE id = 1`, next); err != nil {
			return false, fmt.Errorf("move watermark: %w", err)
		}
	}
	return room == 0 || len(fresh) == room, f.write(ctx, tx)
}

// foldOp is what a fold reads of an operation, and of the one it cancels for a void.
type foldOp struct {
	id, customerID     string
	kind               loyalty.Kind
	reason             string
	points, amount, at int64
	target             *foldTarget // nil: not a void, or its target has not arrived
	invited            *int64      // when the invitation that followed it was made, Unix ms
}

type foldTarget struct {
	kind           loyalty.Kind
	points, amount int64
}

type hourKind struct {
	hour int64
	kind loyalty.Kind
}

type hourSums struct{ n, points, amount int64 }

type monthBucket struct{ month, bucket int64 }

// folder adds up a fold's operations before writing them.
type folder struct {
	hours       map[hourKind]hourSums
	months      map[monthBucket]map[string][]custOp
	invitations map[int64]int64 // by quarter of an hour
}

func newFolder() *folder {
	return &folder{hours: make(map[hourKind]hourSums), months: make(map[monthBucket]map[string][]custOp),
		invitations: make(map[int64]int64)}
}

// read returns the operations that source (a FROM clause over operations o) and rest
// (its WHERE clause and what follows) select, with their arguments.
func (f *folder) read(ctx context.Context, tx *sql.Tx, source, rest string, args ...any) ([]foldOp, error) {
	rows, err := tx.QueryContext(ctx, `SELECT o.id, o.customer_id, o.kind, o.reason, o.points, o.amount, o.at,
			t.kind, t.points, t.amount, i.created_at
		FROM `+source+` LEFT JOIN operations t ON o.kind = 'void' AND t.id = o.target
			LEFT JOIN nps_invitations i ON i.purchase_op_id = o.id
		WHERE `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("read operations to fold: %w", err)
	}
	defer rows.Close()
	var out []foldOp
	for rows.Next() {
		var op foldOp
		var tKind sql.NullString
		var tPoints, tAmount, invited sql.NullInt64
		if err := rows.Scan(&op.id, &op.customerID, &op.kind, &op.reason, &op.points, &op.amount, &op.at,
			&tKind, &tPoints, &tAmount, &invited); err != nil {
			return nil, fmt.Errorf("read operations to fold: %w", err)
		}
		if tKind.Valid {
			op.target = &foldTarget{kind: loyalty.Kind(tKind.String), points: tPoints.Int64, amount: tAmount.Int64}
		}
		if invited.Valid {
			op.invited = &invited.Int64
		}
		out = append(out, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read operations to fold: %w", err)
	}
	return out, nil
}

// add counts op, as the triggers of migration 0004 did: imported history (opening
// balances and past visits, reason "import") is left out, and a void counts against the
// kind of the operation it cancels. It reports false for a void whose target is unknown.
func (f *folder) add(op foldOp) bool {
	if op.kind == loyalty.KindVoid && op.target == nil {
		return false
	}
	if op.invited != nil {
		f.invitations[*op.invited/quarterMs]++
	}
	hour := op.at / 3_600_000
	switch {
	case op.reason == "import" && (op.kind == loyalty.KindAdjust || op.kind == loyalty.KindVisit):
		return true
	case op.kind == loyalty.KindVoid:
		k := hourKind{hour, op.target.kind}
		h := f.hours[k]
		f.hours[k] = hourSums{h.n - 1, h.points - op.target.points, h.amount - op.target.amount}
	default:
		k := hourKind{hour, op.kind}
		h := f.hours[k]
		f.hours[k] = hourSums{h.n + 1, h.points + op.points, h.amount + op.amount}
	}
	// The top customers do not net cancellations out: a void is an operation of the
	// customer's like any other, spending nothing.
	c := custOp{at: op.at, visit: op.kind == loyalty.KindCredit || op.kind == loyalty.KindVisit}
	switch op.kind {
	case loyalty.KindCredit:
		c.spent = op.amount
	case loyalty.KindRefund:
		c.spent = -op.amount
	}
	mb := monthBucket{monthOf(op.at), bucketOf(op.customerID)}
	if f.months[mb] == nil {
		f.months[mb] = make(map[string][]custOp)
	}
	f.months[mb][op.customerID] = append(f.months[mb][op.customerID], c)
	return true
}

// write adds the fold's sums to op_hourly and nps_invitation_quarters, and its operations
// to customer_months.
func (f *folder) write(ctx context.Context, tx *sql.Tx) error {
	for q, n := range f.invitations {
		if err := addInvitations(ctx, tx, q, n); err != nil {
			return err
		}
	}
	for k, h := range f.hours {
		if _, err := tx.ExecContext(ctx, `INSERT INTO op_hourly (hour, kind, n, points, amount) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (hour, kind) DO UPDATE SET n = n + excluded.n, points = points + excluded.points,
				amount = amount + excluded.amount`, k.hour, k.kind, h.n, h.points, h.amount); err != nil {
			return fmt.Errorf("add to hourly sums: %w", err)
		}
	}
	for mb, added := range f.months {
		var data []byte
		err := tx.QueryRowContext(ctx, `SELECT data FROM customer_months WHERE month = ? AND bucket = ?`,
			mb.month, mb.bucket).Scan(&data)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read customer month %d/%d: %w", mb.month, mb.bucket, err)
		}
		m, err := decodeCustMonth(data)
		if err != nil {
			return fmt.Errorf("customer month %d/%d: %w", mb.month, mb.bucket, err)
		}
		for id, ops := range added {
			m[id] = append(m[id], ops...)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_months (month, bucket, data) VALUES (?, ?, ?)
			ON CONFLICT (month, bucket) DO UPDATE SET data = excluded.data`, mb.month, mb.bucket, encodeCustMonth(m)); err != nil {
			return fmt.Errorf("write customer month %d/%d: %w", mb.month, mb.bucket, err)
		}
	}
	return nil
}

func addInvitations(ctx context.Context, tx *sql.Tx, quarter, n int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO nps_invitation_quarters (quarter, n) VALUES (?, ?)
		ON CONFLICT (quarter) DO UPDATE SET n = n + excluded.n`, quarter, n); err != nil {
		return fmt.Errorf("count invitations: %w", err)
	}
	return nil
}

// countInvitation counts an invitation pulled from another device, just stored, if its
// purchase is folded already: otherwise the purchase's fold counts it.
func countInvitation(ctx context.Context, tx *sql.Tx, inv nps.Invitation) error {
	var folded bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM operations o JOIN op_fold f ON f.id = 1
		WHERE o.id = ? AND (o.id <= f.watermark OR o.id IN (SELECT id FROM op_folded_ahead))
			AND o.id NOT IN (SELECT id FROM op_unfolded))`, inv.PurchaseOpID).Scan(&folded)
	if err != nil {
		return fmt.Errorf("look for folded purchase %s: %w", inv.PurchaseOpID, err)
	}
	if !folded {
		return nil
	}
	return addInvitations(ctx, tx, millis(inv.CreatedAt)/quarterMs, 1)
}
