package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Record makes an operation on the card with code and stores it. build receives the
// account as it is inside the write transaction, so the balance it checks against cannot
// change before the operation commits. The operation, the cached balance and the outbox
// entry are written in one transaction. It returns the operation and the account after it.
func (s *Store) Record(ctx context.Context, code cards.Code, build func(Account) (loyalty.Operation, error)) (loyalty.Operation, Account, error) {
	return s.record(ctx, code, build, nil)
}

// record is Record with then, if not nil, run in the same transaction once the operation
// is written: what must commit with the operation or not at all (a survey invitation).
func (s *Store) record(ctx context.Context, code cards.Code, build func(Account) (loyalty.Operation, error),
	then func(*sql.Tx, loyalty.Operation) error) (loyalty.Operation, Account, error) {
	var op loyalty.Operation
	var after Account
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := s.accountByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		p, err := programIn(ctx, tx)
		if err != nil {
			return err
		}
		if a.Tier, err = tierStatus(ctx, tx, p, a, s.Now()); err != nil {
			return err
		}
		if op, err = build(a); err != nil {
			return err
		}
		if err := s.checkRights(ctx, tx, op); err != nil {
			return err
		}
		if _, err := s.insertOperation(ctx, tx, op, true); err != nil {
			return err
		}
		bonus, err := s.referralBonuses(ctx, tx, a, op)
		if err != nil {
			return err
		}
		if then != nil {
			if err := then(tx, op); err != nil {
				return err
			}
		}
		after = a
		after.Balance = a.Balance.Add(op.Delta).Add(bonus)
		return nil
	})
	return op, after, err
}

// Void cancels the operation id on behalf of origin, as the counter's Undo does.
// The counter's rules decide whether the staff member may cancel anything but the card's
// last operation.
func (s *Store) Void(ctx context.Context, o loyalty.Origin, id string) (loyalty.Operation, Account, error) {
	return s.cancel(ctx, id, func(a Account, x loyalty.Cancellation) (loyalty.Operation, error) {
		return loyalty.Void(o, a.Card, a.Balance, x.Target, x.Voided)
	})
}

// Cancel is the owner's cancellation of any past operation id, for reason: the
// customer's balance becomes what it would be had the operation never happened.
func (s *Store) Cancel(ctx context.Context, o loyalty.Origin, id, reason string) (loyalty.Operation, Account, error) {
	return s.cancel(ctx, id, func(a Account, x loyalty.Cancellation) (loyalty.Operation, error) {
		return loyalty.Cancel(o, a.Card, a.Balance, x, reason)
	})
}

// cancel records the void that build makes of the operation id, given what the ledger
// holds about it inside the write transaction, if the counter's rules let its author
// make it (an owner always may).
func (s *Store) cancel(ctx context.Context, id string, build func(Account, loyalty.Cancellation) (loyalty.Operation, error)) (loyalty.Operation, Account, error) {
	target, err := s.Operation(ctx, id)
	if err != nil {
		return loyalty.Operation{}, Account{}, err
	}
	var op loyalty.Operation
	var after Account
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := s.accountByCode(ctx, tx, cards.Code(target.CardCode))
		if err != nil {
			return err
		}
		x, err := cancellation(ctx, tx, target)
		if err != nil {
			return err
		}
		if op, err = build(a, x); err != nil {
			return err
		}
		if err := s.checkRights(ctx, tx, op); err != nil {
			return err
		}
		if _, err := s.insertOperation(ctx, tx, op, true); err != nil {
			return err
		}
		after = a
		after.Balance = a.Balance.Add(op.Delta)
		return nil
	})
	return op, after, err
}

// cancellation reads what the ledger holds about target that its cancellation needs.
func cancellation(ctx context.Context, tx *sql.Tx, target loyalty.Operation) (loyalty.Cancellation, error) {
	x := loyalty.Cancellation{Target: target}
	err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM operations WHERE target = ?1 AND kind = 'void'),
			coalesce((SELECT sum(r.points) FROM operations r WHERE r.target = ?1 AND r.kind = 'refund'
				AND NOT EXISTS (SELECT 1 FROM operations v WHERE v.target = r.id AND v.kind = 'void')), 0),
			coalesce((SELECT sum(r.cashback) FROM operations r WHERE r.target = ?1 AND r.kind = 'refund'
				AND NOT EXISTS (SELECT 1 FROM operations v WHERE v.target = r.id AND v.kind = 'void')), 0),
			coalesce((SELECT sum(r.xp) FROM operations r WHERE r.target = ?1 AND r.kind = 'refund'
				AND NOT EXISTS (SELECT 1 FROM operations v WHERE v.target = r.id AND v.kind = 'void')), 0),
			?2 = 'refund' AND EXISTS (SELECT 1 FROM operations WHERE target = ?3 AND kind = 'void')`,
		target.ID, target.Kind, target.Target).Scan(&x.Voided, &x.Refunded.Points, &x.Refunded.Cashback, &x.Refunded.XP, &x.PurchaseVoided)
	if err != nil {
		return x, fmt.Errorf("read the ledger about %s: %w", target.ID, err)
	}
	return x, nil
}

// ApplyRemote stores an operation made on another device, once: it reports whether it
// was new. The same id with other content is ErrConflict.
func (s *Store) ApplyRemote(ctx context.Context, tx *sql.Tx, op loyalty.Operation) (bool, error) {
	if err := op.Validate(); err != nil {
		return false, err
	}
	return s.insertOperation(ctx, tx, op, false)
}

// insertOperation writes op to the ledger and adds its delta to the customer's cached
// balance, once; queue also puts it in the outbox. It reports whether op was new.
func (s *Store) insertOperation(ctx context.Context, tx *sql.Tx, op loyalty.Operation, queue bool) (bool, error) {
	if err := op.Validate(); err != nil {
		return false, err
	}
	insert, err := s.stmt(ctx, tx, `INSERT INTO operations (id, customer_id, card_code, kind, points, cashback, xp,
			amount, currency, reward_id, target, reason, device, staff, at, items)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return false, fmt.Errorf("store operation %s: %w", op.ID, err)
	}
	res, err := insert.ExecContext(ctx, op.ID, op.CustomerID, op.CardCode, op.Kind, op.Delta.Points, op.Delta.Cashback, op.Delta.XP,
		op.Amount, op.Currency, op.RewardID, op.Target, op.Reason, op.Device, op.Staff, millis(op.At), op.Items)
	if err != nil {
		return false, fmt.Errorf("store operation %s: %w", op.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return false, fmt.Errorf("store operation %s: %w", op.ID, err)
		}
		stored, err := scanOperation(tx.QueryRowContext(ctx, `SELECT `+opColumns+` FROM operations WHERE id = ?`, op.ID))
		if err != nil {
			return false, fmt.Errorf("read operation %s: %w", op.ID, err)
		}
		if queue && loyalty.SameDerived(stored, op) {
			// Made here again (a birthday gift twice): the first stands.
			return false, fmt.Errorf("operation %s: %w", op.ID, ErrAlreadyGiven)
		}
		if sameOperation(stored, op) {
			return false, nil
		}
		if loyalty.SameDerived(stored, op) {
			return false, s.takeDerived(ctx, tx, stored, op)
		}
		if !sameVoid(stored, op) {
			return false, fmt.Errorf("operation %s: %w", op.ID, ErrConflict)
		}
		if queue {
			return false, fmt.Errorf("operation %s: %w", op.Target, loyalty.ErrAlreadyVoided)
		}
		// Two devices cancelled the same operation at once (a void's id is its target's):
		// one cancellation, whose who and why are the server's, the first it took. Its
		// time stays: the dashboard counted it in its hour.
		if _, err := tx.ExecContext(ctx, `UPDATE operations SET card_code = ?, reason = ?, device = ?, staff = ? WHERE id = ?`,
			op.CardCode, op.Reason, op.Device, op.Staff, op.ID); err != nil {
			return false, fmt.Errorf("store cancellation %s: %w", op.ID, err)
		}
		return false, nil
	}
	update, err := s.stmt(ctx, tx, `UPDATE customers SET points = points + ?, cashback = cashback + ?, xp = xp + ? WHERE id = ?`)
	if err != nil {
		return false, fmt.Errorf("update balance of %s: %w", op.CustomerID, err)
	}
	res, err = update.ExecContext(ctx, op.Delta.Points, op.Delta.Cashback, op.Delta.XP, op.CustomerID)
	if err != nil {
		return false, fmt.Errorf("update balance of %s: %w", op.CustomerID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// An operation synced before its customer: keep the balance on a placeholder that
		// the customer record fills in when it arrives.
		if _, err := tx.ExecContext(ctx, `INSERT INTO customers (id, created_at, points, cashback, xp) VALUES (?, ?, ?, ?, ?)`,
			op.CustomerID, millis(op.At), op.Delta.Points, op.Delta.Cashback, op.Delta.XP); err != nil {
			return false, fmt.Errorf("create customer %s for operation: %w", op.CustomerID, err)
		}
	}
	if !queue {
		return true, nil
	}
	body, err := json.Marshal(op)
	if err != nil {
		return false, fmt.Errorf("encode operation: %w", err)
	}
	return true, s.enqueue(ctx, tx, op.ID, syncwire.TypeOp, op.ID, body)
}

// takeDerived settles an operation that the ledger implies (an expiry, a bonus) made
// on two devices: op, the server's, replaces the one stored, the balance moving by
// the difference, so that every device holds what the server took first.
func (s *Store) takeDerived(ctx context.Context, tx *sql.Tx, stored, op loyalty.Operation) error {
	if _, err := tx.ExecContext(ctx, `UPDATE operations SET card_code = ?, points = ?, cashback = ?, currency = ?,
			reason = ?, device = ?, staff = ?, at = ? WHERE id = ?`,
		op.CardCode, op.Delta.Points, op.Delta.Cashback, op.Currency, op.Reason, op.Device, op.Staff, millis(op.At), op.ID); err != nil {
		return fmt.Errorf("store operation %s: %w", op.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE customers SET points = points + ?, cashback = cashback + ? WHERE id = ?`,
		op.Delta.Points-stored.Delta.Points, op.Delta.Cashback-stored.Delta.Cashback, op.CustomerID); err != nil {
		return fmt.Errorf("update balance of %s: %w", op.CustomerID, err)
	}
	return nil
}

// sameVoid reports whether a and b are the same cancellation made on two devices: they
// move the same for the same customer, and differ only in who made them, when and why.
func sameVoid(a, b loyalty.Operation) bool {
	return a.Kind == loyalty.KindVoid && b.Kind == loyalty.KindVoid && a.ID == b.ID && a.Target == b.Target &&
		a.CustomerID == b.CustomerID && a.Delta == b.Delta && a.Amount == b.Amount && a.Currency == b.Currency
}

// sameOperation compares two operations as stored: times to the millisecond.
func sameOperation(a, b loyalty.Operation) bool {
	a.At, b.At = fromMillis(millis(a.At)), fromMillis(millis(b.At))
	return a == b
}

const opColumns = `id, customer_id, card_code, kind, points, cashback, xp, amount, currency, reward_id, target, reason, device, staff, at, items`

// scanOperation reads the opColumns of row, then any extra columns into extra.
func scanOperation(row scanner, extra ...any) (loyalty.Operation, error) {
	var op loyalty.Operation
	var at int64
	err := row.Scan(append([]any{&op.ID, &op.CustomerID, &op.CardCode, &op.Kind, &op.Delta.Points, &op.Delta.Cashback, &op.Delta.XP,
		&op.Amount, &op.Currency, &op.RewardID, &op.Target, &op.Reason, &op.Device, &op.Staff, &at, &op.Items}, extra...)...)
	op.At = fromMillis(at)
	return op, err
}

// Operation returns the operation with id.
func (s *Store) Operation(ctx context.Context, id string) (loyalty.Operation, error) {
	op, err := scanOperation(s.db.QueryRowContext(ctx, `SELECT `+opColumns+` FROM operations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return op, fmt.Errorf("operation %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return op, fmt.Errorf("read operation %s: %w", id, err)
	}
	return op, nil
}

// Entry is an operation as the counter lists it.
type Entry struct {
	loyalty.Operation
	CustomerName string
	StaffName    string // who made it; "" when nobody was signed in at the till
	Voided       bool
}

// entrySelect reads the opColumns of operations o, then what scanEntry adds: the
// customer's name, the staff member's (kept in their record once they left) and
// whether a void cancels the operation.
var entrySelect = `SELECT o.` + strings.ReplaceAll(opColumns, ", ", ", o.") + `, c.name,
		coalesce(st.name, json_extract(r.body, '$.name'), ''),
		EXISTS (SELECT 1 FROM operations v WHERE v.target = o.id AND v.kind = 'void')
	FROM operations o LEFT JOIN customers c ON c.id = o.customer_id
		LEFT JOIN staff st ON st.id = o.staff
		LEFT JOIN records r ON r.type = 'staff' AND r.key = o.staff AND o.staff <> ''`

func scanEntry(row scanner) (Entry, error) {
	var e Entry
	var name sql.NullString
	op, err := scanOperation(row, &name, &e.StaffName, &e.Voided)
	e.Operation, e.CustomerName = op, name.String
	return e, err
}

// Entries returns operations at or after since, newest first, at most limit; a
// customerID limits them to one customer.
func (s *Store) Entries(ctx context.Context, since time.Time, customerID string, limit int) ([]Entry, error) {
	// UUIDv7 ids sort by time: the primary key serves the range. A cancellation's id
	// has the time of the operation it cancels (loyalty.VoidID): it is found by its own.
	where := `(o.id >= ?1 AND o.kind <> 'void') OR (o.kind = 'void' AND o.at >= ?3)`
	if customerID != "" {
		where = `o.customer_id = ?2 AND o.at >= ?3`
	}
	rows, err := s.db.QueryContext(ctx, entrySelect+` WHERE `+where+` ORDER BY o.at DESC, o.id DESC LIMIT ?4`,
		idFloor(since), customerID, millis(since), limit)
	if err != nil {
		return nil, fmt.Errorf("list operations: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("list operations: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// idFloor returns the smallest UUIDv7 made at t or later: its first 48 bits are t in
// Unix milliseconds.
func idFloor(t time.Time) string {
	ms := max(t.UnixMilli(), 0)
	return fmt.Sprintf("%08x-%04x-0000-0000-000000000000", ms>>16, ms&0xffff)
}
