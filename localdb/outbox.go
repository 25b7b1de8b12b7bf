package localdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"
)

// enqueue queues a change for the cloud inside tx, so that the change and the data it
// describes commit together or not at all. An empty id gets a fresh UUIDv7.
func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, id, typ, key string, body []byte) error {
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("new change id: %w", err)
		}
		id = u.String()
	}
	insert, err := s.stmt(ctx, tx, `INSERT INTO outbox (change_id, type, key, body, at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("queue %s %s: %w", typ, key, err)
	}
	_, err = insert.ExecContext(ctx, id, typ, key, string(body), millis(s.Now()))
	if err != nil {
		return fmt.Errorf("queue %s %s: %w", typ, key, err)
	}
	return nil
}

// Pending returns how many changes wait for the cloud.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return n, nil
}
