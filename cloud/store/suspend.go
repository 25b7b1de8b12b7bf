package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrSuspended is a request for a shop that the operator suspended.
var ErrSuspended = errors.New("the shop is suspended")

// Suspend suspends shopID, for an operator whose customer stops paying or leaves:
// its devices are refused with ErrSuspended, its card pages say the card is
// unavailable, its queued emails wait, and nothing of it is deleted. Suspending twice is not an error.
func (db *DB) Suspend(ctx context.Context, shopID string) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.lockShop(ctx, tx, shopID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q("INSERT INTO shop_suspensions (shop_id, suspended_at) VALUES (?, ?) ON CONFLICT (shop_id) DO NOTHING"),
			shopID, db.millis())
		return err
	})
	if err != nil {
		return fmt.Errorf("suspend shop: %w", err)
	}
	// Its waiting pulls end now.
	db.wake(ctx, shopID)
	return nil
}

// Resume ends the suspension of shopID. Resuming a shop that is not suspended is not
// an error.
func (db *DB) Resume(ctx context.Context, shopID string) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.lockShop(ctx, tx, shopID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q("DELETE FROM shop_suspensions WHERE shop_id = ?"), shopID)
		return err
	})
	if err != nil {
		return fmt.Errorf("resume shop: %w", err)
	}
	// Its emails held back are due again.
	db.hub.notify(outboxTopic)
	return nil
}

// Suspensions returns when each suspended shop was suspended, by shop id.
func (db *DB) Suspensions(ctx context.Context) (map[string]time.Time, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT shop_id, suspended_at FROM shop_suspensions")
	if err != nil {
		return nil, fmt.Errorf("list suspensions: %w", err)
	}
	defer rows.Close()
	m := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("list suspensions: %w", err)
		}
		m[id] = fromMillis(at)
	}
	return m, rows.Err()
}

// checkSuspended returns ErrSuspended if shopID is suspended.
func (db *DB) checkSuspended(ctx context.Context, q querier, shopID string) error {
	var n int
	if err := q.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM shop_suspensions WHERE shop_id = ?"), shopID).Scan(&n); err != nil {
		return fmt.Errorf("read suspension: %w", err)
	}
	if n > 0 {
		return ErrSuspended
	}
	return nil
}

// Admit checks that dev may still be served: ErrUnauthorized once it is revoked or
// its shop deleted, ErrSuspended while its shop is suspended.
func (db *DB) Admit(ctx context.Context, dev Device) error {
	var revoked, suspended sql.NullInt64
	err := db.r.QueryRowContext(ctx, db.q(`SELECT d.revoked_at, s.suspended_at FROM devices d
		LEFT JOIN shop_suspensions s ON s.shop_id = d.shop_id WHERE d.id = ? AND d.shop_id = ?`), dev.ID, dev.ShopID).
		Scan(&revoked, &suspended)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && revoked.Valid:
		return ErrUnauthorized
	case err != nil:
		return fmt.Errorf("admit device: %w", err)
	case suspended.Valid:
		return ErrSuspended
	}
	return nil
}

// wake wakes the pulls waiting for shopID, in this process and, through PostgreSQL,
// in the others, so that they see a revocation, suspension or deletion at once.
func (db *DB) wake(ctx context.Context, shopID string) {
	db.hub.notify(shopID)
	if db.dialect != postgres {
		return
	}
	if _, err := db.w.ExecContext(ctx, "SELECT pg_notify('"+notifyChannel+"', $1)", shopID); err != nil {
		// The change is made; pulls elsewhere see it when they next wake.
		slog.Warn("notify other server processes", "shop", shopID, "err", err)
	}
}

// querier reads one row: the reader pool, or a transaction that must see its own writes.
type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}
