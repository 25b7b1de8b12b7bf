package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// Batch is one write transaction for bulk changes, such as an import: everything it
// writes commits together or not at all, with its outbox entries.
type Batch struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
}

// InBatch runs fn in a write transaction and commits if fn returns nil; any error rolls
// everything back.
func (s *Store) InBatch(ctx context.Context, fn func(*Batch) error) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		// A bulk write touches pages all over the tables' B-trees (ids are random): with
		// SQLite's default 2 MB page cache it spills to disk again and again, and the
		// cost per row grows with the table. The connection's cache grows for the batch
		// and shrinks back after it.
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -131072`); err != nil {
			return fmt.Errorf("grow page cache: %w", err)
		}
		defer tx.ExecContext(ctx, `PRAGMA cache_size = -2000`)
		return fn(&Batch{s: s, ctx: ctx, tx: tx})
	})
}

// Account returns the account of the card with code, as the transaction sees it.
func (b *Batch) Account(code cards.Code) (Account, error) {
	return b.s.accountByCode(b.ctx, b.tx, code)
}

// PutCustomer inserts or updates c.
func (b *Batch) PutCustomer(c loyalty.Customer) error { return b.s.putCustomer(b.ctx, b.tx, c) }

// PutCard inserts or updates card.
func (b *Batch) PutCard(card loyalty.Card) error { return b.s.putCard(b.ctx, b.tx, card) }

// Operation returns the operation with id, or ErrNotFound.
func (b *Batch) Operation(id string) (loyalty.Operation, error) {
	st, err := b.s.stmt(b.ctx, b.tx, `SELECT `+opColumns+` FROM operations WHERE id = ?`)
	if err != nil {
		return loyalty.Operation{}, fmt.Errorf("read operation %s: %w", id, err)
	}
	op, err := scanOperation(st.QueryRowContext(b.ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return op, fmt.Errorf("operation %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return op, fmt.Errorf("read operation %s: %w", id, err)
	}
	return op, nil
}

// AddOperation stores op, adds it to its customer's balance and queues it, once: it
// reports whether op was new.
func (b *Batch) AddOperation(op loyalty.Operation) (bool, error) {
	return b.s.insertOperation(b.ctx, b.tx, op, true)
}
