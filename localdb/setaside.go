package localdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/merci-loyalty/merci/syncwire"
)

// CodeSetAside is the rejection code of a change the sync client set aside: the server
// failed on it again and again while it took other changes, so it left the queue
// rather than stop every change behind it. It is kept in the rejected log like a
// change the server refused.
const CodeSetAside = "set_aside"

// NotSyncedList is what NotSynced returns.
type NotSyncedList struct {
	Changes     []RejectedChange // the newest, at most the limit asked
	Total       int              // all of them
	SetAsideOps int              // the operations among them that QueueSetAsideAgain would queue
}

// NotSynced returns the changes of this device that will not reach the cloud, newest
// first, at most limit, and how many there are in all: those the server rejected and
// those the sync client set aside. The owner's desk shows them.
func (s *Store) NotSynced(ctx context.Context, limit int) (NotSyncedList, error) {
	var l NotSyncedList
	err := s.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE code = ? AND type = ?) FROM rejected WHERE source = 'push'`,
		CodeSetAside, syncwire.TypeOp).Scan(&l.Total, &l.SetAsideOps)
	if err != nil {
		return l, fmt.Errorf("count changes not synced: %w", err)
	}
	if l.Total == 0 {
		return l, nil
	}
	l.Changes, err = s.listRejected(ctx, "push", limit)
	return l, err
}

// QueueSetAsideAgain puts the operations the sync client set aside back in the
// outbox, after the changes waiting there, for the server to try once more (a fixed
// server may take them now), and returns how many. Operations add up in any order,
// so a late one is safe; a set-aside record is not queued again, since a later edit of
// it may have reached the cloud meanwhile and must not be overwritten.
func (s *Store) QueueSetAsideAgain(ctx context.Context) (int, error) {
	var n int
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (change_id, type, key, body, at)
			SELECT change_id, type, key, body, at FROM rejected
			WHERE source = 'push' AND code = ? AND type = ? ORDER BY rowid`, CodeSetAside, syncwire.TypeOp)
		if err != nil {
			return fmt.Errorf("queue set-aside operations again: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM rejected WHERE source = 'push' AND code = ? AND type = ?`,
			CodeSetAside, syncwire.TypeOp); err != nil {
			return fmt.Errorf("queue set-aside operations again: %w", err)
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	return n, err
}
