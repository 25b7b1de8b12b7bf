package localdb

import (
	"context"
	"fmt"
)

// CodeSetAside is the rejection code of a change the sync client set aside: the server
// failed on it again and again while it took other changes, so it left the queue
// rather than stop every change behind it. It is kept in the rejected log like a
// change the server refused.
const CodeSetAside = "set_aside"

// NotSynced returns the changes of this device that will not reach the cloud, newest
// first, at most limit, and how many there are in all: those the server rejected and
// those the sync client set aside. The owner's desk shows them.
func (s *Store) NotSynced(ctx context.Context, limit int) ([]RejectedChange, int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM rejected WHERE source = 'push'`).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("count changes not synced: %w", err)
	}
	if n == 0 {
		return nil, 0, nil
	}
	list, err := s.listRejected(ctx, "push", limit)
	return list, n, err
}
