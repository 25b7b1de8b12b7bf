package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/merci-loyalty/merci/loyalty"
)

// SettingCounter is the key of the shop's CounterRules, synced like the program.
const SettingCounter = "counter"

// PINMode says when the counter asks who is at the till.
type PINMode string

// PIN modes.
const (
	PINNever      PINMode = "never" // nobody signs in unless they choose to
	PINAtStart    PINMode = "start" // the counter opens locked; it stays open until locked
	PINWhenIdle   PINMode = "idle"  // as at start, and it locks again after IdleMinutes untouched
	PINEverySpend PINMode = "spend" // each spend (reward, points taken off, cashback) asks for a PIN
)

// PINModes lists the modes in the order the owner's desk offers them.
var PINModes = []PINMode{PINNever, PINAtStart, PINWhenIdle, PINEverySpend}

// CashierRights are what the owner lets a cashier do at the counter beyond crediting
// purchases, giving rewards and undoing their last operation. Owners may do everything.
type CashierRights struct {
	TakeOffPoints bool `json:"take_off_points"` // debit points by hand
	SpendCashback bool `json:"spend_cashback"`
	CancelOlder   bool `json:"cancel_older"` // cancel an operation that is not the card's last
}

// CounterRules are the owner's rules for the counter.
type CounterRules struct {
	PIN         PINMode       `json:"pin"`
	IdleMinutes int           `json:"idle_minutes"` // PINWhenIdle only
	Cashiers    CashierRights `json:"cashiers"`
}

// DefaultCounterRules apply until the owner chooses: what the counter did before it knew
// who was at the till, so that no shop finds its cashiers suddenly refused.
var DefaultCounterRules = CounterRules{
	PIN:         PINNever,
	IdleMinutes: 5,
	Cashiers:    CashierRights{TakeOffPoints: true, SpendCashback: true},
}

// Errors of the counter's rules. Each refusal names the right, so that the cashier is
// told what only an owner may do.
var (
	ErrBadCounterRules = errors.New("unknown PIN mode, or idle minutes out of 1 to 240")
	ErrNoTakeOffPoints = errors.New("cashiers may not take points off")
	ErrNoSpendCashback = errors.New("cashiers may not spend cashback")
	ErrNoCancelOlder   = errors.New("cashiers may cancel only a card's last operation")
)

// Validate checks that r can be applied.
func (r CounterRules) Validate() error {
	known := false
	for _, m := range PINModes {
		known = known || r.PIN == m
	}
	if !known || r.IdleMinutes < 1 || r.IdleMinutes > 240 {
		return ErrBadCounterRules
	}
	return nil
}

// Allows reports whether someone of role may make op. last says whether the operation a
// void cancels is the newest of its card; it matters for voids only. A role of "" is
// nobody signed in: the counter then has a cashier's rights.
func (r CounterRules) Allows(role Role, op loyalty.Operation, last bool) error {
	if role == RoleOwner {
		return nil
	}
	switch {
	case op.Kind == loyalty.KindDebit && !r.Cashiers.TakeOffPoints:
		return ErrNoTakeOffPoints
	case op.Kind == loyalty.KindSpendCashback && !r.Cashiers.SpendCashback:
		return ErrNoSpendCashback
	case op.Kind == loyalty.KindVoid && !last && !r.Cashiers.CancelOlder:
		return ErrNoCancelOlder
	}
	return nil
}

// CounterRules returns the shop's rules for the counter, DefaultCounterRules where the
// owner has not chosen.
func (s *Store) CounterRules(ctx context.Context) (CounterRules, error) {
	return s.counterRules(ctx, nil)
}

func (s *Store) counterRules(ctx context.Context, tx *sql.Tx) (CounterRules, error) {
	r := DefaultCounterRules
	st, err := s.stmt(ctx, tx, `SELECT value FROM settings WHERE key = ?`)
	if err != nil {
		return r, fmt.Errorf("read counter rules: %w", err)
	}
	var raw string
	switch err := st.QueryRowContext(ctx, SettingCounter).Scan(&raw); {
	case errors.Is(err, sql.ErrNoRows):
		return r, nil
	case err != nil:
		return r, fmt.Errorf("read counter rules: %w", err)
	}
	// Fields a later version adds keep their defaults.
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("decode counter rules: %w", err)
	}
	return r, nil
}

// SaveCounterRules validates r and stores it for every device of the shop.
func (s *Store) SaveCounterRules(ctx context.Context, r CounterRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.SaveSetting(ctx, SettingCounter, r)
}

// checkRights refuses op, about to be written in tx, if the rules do not let the staff
// member who makes it do so. Only the kinds the rules restrict cost a look-up.
func (s *Store) checkRights(ctx context.Context, tx *sql.Tx, op loyalty.Operation) error {
	switch op.Kind {
	case loyalty.KindDebit, loyalty.KindSpendCashback, loyalty.KindVoid:
	default:
		return nil
	}
	rules, err := s.counterRules(ctx, tx)
	if err != nil {
		return err
	}
	var role Role
	err = tx.QueryRowContext(ctx, `SELECT role FROM staff WHERE id = ?`, op.Staff).Scan(&role)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read role of staff %s: %w", op.Staff, err)
	}
	last := false
	if op.Kind == loyalty.KindVoid {
		var newest string
		err := tx.QueryRowContext(ctx, `SELECT id FROM operations WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT 1`,
			op.CustomerID).Scan(&newest)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read last operation of %s: %w", op.CustomerID, err)
		}
		last = newest == op.Target
	}
	return rules.Allows(role, op, last)
}

// StaffNames returns the name of every staff member the shop ever had, by id: history
// names who did what, also after they left.
func (s *Store) StaffNames(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM staff
		UNION ALL SELECT key, coalesce(json_extract(body, '$.name'), '') FROM records
		WHERE type = ? AND key NOT IN (SELECT id FROM staff)`, TypeStaff)
	if err != nil {
		return nil, fmt.Errorf("read staff names: %w", err)
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("read staff names: %w", err)
		}
		if name != "" {
			names[id] = name
		}
	}
	return names, rows.Err()
}
