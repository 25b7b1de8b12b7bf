package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
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
