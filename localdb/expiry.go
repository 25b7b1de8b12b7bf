package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
)

// SettleExpiries records the expiries of customerID's points and cashback that the
// program's rule makes due at o.At and the ledger does not hold yet, and returns the
// next one to come, if any, and how many it recorded. Every device computes them the same from the ledger: two
// that both notice one record the same operation, kept once.
func (s *Store) SettleExpiries(ctx context.Context, o loyalty.Origin, customerID string) (*loyalty.Expiry, int, error) {
	p, err := s.Program(ctx)
	if errors.Is(err, ErrNotFound) || err == nil && !p.Expires() {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var next *loyalty.Expiry
	recorded := 0
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		ops, err := customerOperations(ctx, tx, customerID)
		if err != nil {
			return err
		}
		var due []loyalty.Expiry
		due, next = p.Expiries(customerID, ops, o.At)
		for _, e := range due {
			op, err := p.Expire(o, customerID, e)
			if err != nil {
				return fmt.Errorf("expire %s of %s: %w", e.Key, customerID, err)
			}
			added, err := s.insertOperation(ctx, tx, op, true)
			if err != nil {
				return err
			}
			if added {
				recorded++
			}
		}
		return nil
	})
	return next, recorded, err
}

// customerOperations returns the ledger of customerID.
func customerOperations(ctx context.Context, q querier, customerID string) ([]loyalty.Operation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+opColumns+` FROM operations WHERE customer_id = ? ORDER BY at, id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("read the ledger of %s: %w", customerID, err)
	}
	defer rows.Close()
	var ops []loyalty.Operation
	for rows.Next() {
		op, err := scanOperation(rows)
		if err != nil {
			return nil, fmt.Errorf("read the ledger of %s: %w", customerID, err)
		}
		ops = append(ops, op)
	}
	return ops, rows.Err()
}

// Expiring is a customer's points and cashback that expire soon.
type Expiring struct {
	Account
	loyalty.Expiry
}

// ExpiringBefore lists what the customers with a balance have expiring after now and
// up to until, soonest first: what the desk lists for the month.
func (s *Store) ExpiringBefore(ctx context.Context, now, until time.Time) ([]Expiring, error) {
	p, err := s.Program(ctx)
	if errors.Is(err, ErrNotFound) || err == nil && !p.Expires() {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM customers c
		JOIN cards k ON k.customer_id = c.id AND k.status <> 'replaced'
		WHERE c.points > 0 OR c.cashback > 0 ORDER BY c.name, c.id`)
	if err != nil {
		return nil, fmt.Errorf("list balances: %w", err)
	}
	var accounts []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list balances: %w", err)
		}
		accounts = append(accounts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list balances: %w", err)
	}
	var out []Expiring
	for _, a := range accounts {
		ops, err := customerOperations(ctx, s.db, a.Customer.ID)
		if err != nil {
			return nil, err
		}
		due, next := p.Expiries(a.Customer.ID, ops, now)
		for _, e := range due { // not settled yet: they expire when next seen
			out = append(out, Expiring{a, e})
		}
		if next != nil && !next.At.After(until) {
			out = append(out, Expiring{a, *next})
		}
	}
	slices.SortStableFunc(out, func(a, b Expiring) int { return a.At.Compare(b.At) })
	return out, nil
}
