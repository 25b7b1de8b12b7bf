package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// The sync side of the store: what the sync client reads from the outbox, how it
// records the server's answers, and how pulled changes apply.
//
// Records (customers, cards, settings and the generic records) follow one rule: the last
// value in server order wins, and each local row keeps the server version of its value,
// so a pulled value older than the stored one is ignored. A local edit that still waits
// in the outbox wins until it is pushed: a pulled value of the same record meanwhile is
// held back, and once the edit is acknowledged the server order decides. Accepted, the
// edit is newer than anything pulled before, so the held value is dropped; a duplicate or
// a rejection applies the held value, and a rejection without one pulls the record again.
// Operations are never held: they add up, in any order.

// AckedRetention is how long acknowledged changes are kept to push again after the
// server was restored from an older copy.
const AckedRetention = 30 * 24 * time.Hour

// SyncState is where this device stands with its shop's cloud account.
type SyncState struct {
	ServerURL string
	DeviceID  string // the server's id for this device
	ShopID    string
	ShopName  string
	Cursor    int64  // the server version pulled up to
	Epoch     string // the copy of the server database the cursor belongs to
	LastSync  time.Time
}

// SyncState returns the device's sync state; ErrNotFound if it was never enrolled, or
// while it joins a shop (see BeginJoin): nothing is pushed until the shop is pulled.
func (s *Store) SyncState(ctx context.Context) (SyncState, error) {
	return readSyncState(ctx, s.db, `AND NOT EXISTS (SELECT 1 FROM meta WHERE key = '`+metaJoining+`')`)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// syncState reads the sync state, joining or not.
func syncState(ctx context.Context, q queryRower) (SyncState, error) {
	return readSyncState(ctx, q, "")
}

func readSyncState(ctx context.Context, q queryRower, and string) (SyncState, error) {
	var st SyncState
	var last int64
	err := q.QueryRowContext(ctx, `SELECT server_url, device_id, shop_id, shop_name, cursor, epoch, last_sync
		FROM sync_state WHERE id = 1 `+and).Scan(&st.ServerURL, &st.DeviceID, &st.ShopID, &st.ShopName, &st.Cursor, &st.Epoch, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("sync state: %w", ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("read sync state: %w", err)
	}
	if last != 0 {
		st.LastSync = fromMillis(last)
	}
	return st, nil
}

// SaveEnrollment records that the device was enrolled: the server, the device and shop
// ids and the server's epoch. Enrolled again into the same shop (a reconnected device),
// it keeps its cursor. Enrolled into another shop, it pulls that shop from the start;
// what waits in the outbox is pushed there.
// The demo shop is never enrolled: ErrDemo.
func (s *Store) SaveEnrollment(ctx context.Context, st SyncState) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error { return s.saveEnrollment(ctx, tx, st) })
}

func (s *Store) saveEnrollment(ctx context.Context, tx *sql.Tx, st SyncState) error {
	if demo, err := isDemo(ctx, tx); err != nil {
		return err
	} else if demo {
		return ErrDemo
	}
	old, err := syncState(ctx, tx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	cursor, epoch := int64(0), st.Epoch
	if err == nil && old.ShopID == st.ShopID {
		cursor, epoch = old.Cursor, old.Epoch
	} else if err := forgetVersions(ctx, tx); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sync_state (id, server_url, device_id, shop_id, shop_name, cursor, epoch, last_sync)
		VALUES (1, ?, ?, ?, ?, ?, ?, 0)
		ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url, device_id = excluded.device_id,
			shop_id = excluded.shop_id, shop_name = excluded.shop_name, cursor = excluded.cursor, epoch = excluded.epoch`,
		st.ServerURL, st.DeviceID, st.ShopID, st.ShopName, cursor, epoch)
	if err != nil {
		return fmt.Errorf("store enrollment: %w", err)
	}
	return nil
}

// Queued is a change waiting in the outbox.
type Queued struct {
	Seq int64
	syncwire.Change
}

// Outgoing returns the oldest changes of the outbox, at most limit, in the order they
// were made.
func (s *Store) Outgoing(ctx context.Context, limit int) ([]Queued, error) {
	return s.queued(ctx, `SELECT seq, change_id, type, key, body, at FROM outbox ORDER BY seq LIMIT ?`, limit)
}

// OutgoingOps returns the operations of customerID waiting in the outbox, in the order
// they were made: what the cloud lacks of the customer's balance.
func (s *Store) OutgoingOps(ctx context.Context, customerID string) ([]Queued, error) {
	return s.queued(ctx, `SELECT q.seq, q.change_id, q.type, q.key, q.body, q.at
		FROM outbox q JOIN operations o ON o.id = q.key
		WHERE q.type = 'op' AND o.customer_id = ? ORDER BY q.seq`, customerID)
}

func (s *Store) queued(ctx context.Context, query string, args ...any) ([]Queued, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []Queued
	for rows.Next() {
		var q Queued
		var body string
		var at int64
		if err := rows.Scan(&q.Seq, &q.ID, &q.Type, &q.Key, &body, &at); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		q.Body, q.At, q.Device = json.RawMessage(body), fromMillis(at), s.device
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// Acknowledge records the server's answer to a push of batch, in one transaction:
// accepted and duplicate changes leave the outbox for the acknowledged log, rejected
// ones for the rejected log. A change the answer does not mention stays queued. A new
// server epoch queues the acknowledged changes again (see ResetEpoch).
func (s *Store) Acknowledge(ctx context.Context, batch []Queued, resp syncwire.PushResponse) error {
	outcome := make(map[string]string, len(batch))
	for _, id := range resp.Accepted {
		outcome[id] = "accepted"
	}
	for _, id := range resp.Duplicate {
		outcome[id] = "duplicate"
	}
	rejections := make(map[string]syncwire.Rejection, len(resp.Rejected))
	for _, r := range resp.Rejected {
		outcome[r.ID] = "rejected"
		rejections[r.ID] = r
	}
	now := millis(s.Now())
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		last := map[recordKey]string{} // the outcome of the last change of each record
		var acked []int64
		for _, q := range batch {
			out, ok := outcome[q.ID]
			if !ok {
				continue
			}
			if out == "rejected" {
				r := rejections[q.ID]
				if err := logRejected(ctx, tx, q.Change, "push", r.Code, r.Reason, now); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, q.Seq); err != nil {
					return fmt.Errorf("drop rejected change %s: %w", q.ID, err)
				}
			} else {
				acked = append(acked, q.Seq)
			}
			if q.Type != syncwire.TypeOp {
				last[recordKey{q.Type, q.Key}] = out
			}
		}
		if err := moveToAcked(ctx, tx, acked, now); err != nil {
			return err
		}
		for k, out := range last {
			if err := s.settleRecord(ctx, tx, k, out == "accepted", now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM acked WHERE acked_at < ?`, now-AckedRetention.Milliseconds()); err != nil {
			return fmt.Errorf("prune acknowledged changes: %w", err)
		}
		return s.checkEpoch(ctx, tx, resp.Epoch)
	})
}

// moveToAcked moves the outbox rows seqs to the acknowledged log. A batch is usually a
// run of the outbox with nothing else left between its ends: then two statements over
// the range do, instead of two per row.
func moveToAcked(ctx context.Context, tx *sql.Tx, seqs []int64, now int64) error {
	if len(seqs) == 0 {
		return nil
	}
	lo, hi := slices.Min(seqs), slices.Max(seqs)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE seq BETWEEN ? AND ?`, lo, hi).Scan(&n); err != nil {
		return fmt.Errorf("acknowledge: %w", err)
	}
	if n == len(seqs) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO acked (change_id, type, key, body, at, acked_at)
			SELECT change_id, type, key, body, at, ? FROM outbox WHERE seq BETWEEN ? AND ? ORDER BY seq`, now, lo, hi); err != nil {
			return fmt.Errorf("acknowledge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq BETWEEN ? AND ?`, lo, hi); err != nil {
			return fmt.Errorf("acknowledge: %w", err)
		}
		return nil
	}
	for _, seq := range seqs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO acked (change_id, type, key, body, at, acked_at)
			SELECT change_id, type, key, body, at, ? FROM outbox WHERE seq = ?`, now, seq); err != nil {
			return fmt.Errorf("acknowledge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq); err != nil {
			return fmt.Errorf("acknowledge: %w", err)
		}
	}
	return nil
}

type recordKey struct{ typ, key string }

// settleRecord decides a record whose last local edit was just answered, if no other
// edit of it waits: see the rule at the top of this file.
func (s *Store) settleRecord(ctx context.Context, tx *sql.Tx, k recordKey, accepted bool, now int64) error {
	if waiting, err := s.editWaiting(ctx, tx, k); err != nil || waiting {
		return err
	}
	var body string
	var version int64
	err := tx.QueryRowContext(ctx, `DELETE FROM held WHERE type = ? AND key = ? RETURNING body, version`, k.typ, k.key).Scan(&body, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if accepted {
			return nil // the edit is the server's latest value, and comes back with its version
		}
		return s.repull(ctx, tx, k)
	case err != nil:
		return fmt.Errorf("read held %s %s: %w", k.typ, k.key, err)
	case accepted:
		return nil
	}
	return s.applyRecord(ctx, tx, syncwire.Pulled{Change: syncwire.Change{Type: k.typ, Key: k.key, Body: json.RawMessage(body)}, Version: version}, now)
}

// repull makes the next pull bring the server's value of a record again, after a local
// edit of it was refused: the cursor goes back to just before the version stored.
func (s *Store) repull(ctx context.Context, tx *sql.Tx, k recordKey) error {
	table, where := recordTable(k.typ)
	var version int64
	err := tx.QueryRowContext(ctx, `SELECT version FROM `+table+` WHERE `+where, recordArgs(k)...).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) || version == 0 {
		return nil // the server never had it: the local value is all there is
	}
	if err != nil {
		return fmt.Errorf("read version of %s %s: %w", k.typ, k.key, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET version = 0 WHERE `+where, recordArgs(k)...); err != nil {
		return fmt.Errorf("forget version of %s %s: %w", k.typ, k.key, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET cursor = min(cursor, ?) WHERE id = 1`, version-1); err != nil {
		return fmt.Errorf("rewind cursor: %w", err)
	}
	return nil
}

// recordTable returns the table holding records of typ and the condition selecting one,
// whose arguments recordArgs gives.
func recordTable(typ string) (table, where string) {
	switch typ {
	case syncwire.TypeCustomer:
		return "customers", "id = ?"
	case syncwire.TypeCard:
		return "cards", "code = ?"
	case syncwire.TypeSetting:
		return "settings", "key = ?"
	}
	return "records", "type = ? AND key = ?"
}

func recordArgs(k recordKey) []any {
	switch k.typ {
	case syncwire.TypeCustomer, syncwire.TypeCard, syncwire.TypeSetting:
		return []any{k.key}
	}
	return []any{k.typ, k.key}
}

func (s *Store) editWaiting(ctx context.Context, tx *sql.Tx, k recordKey) (bool, error) {
	// type <> 'op' lets SQLite use the partial index outbox_record.
	st, err := s.stmt(ctx, tx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE type = ? AND key = ? AND type <> 'op')`)
	if err != nil {
		return false, fmt.Errorf("look for local edit of %s %s: %w", k.typ, k.key, err)
	}
	var waiting bool
	if err := st.QueryRowContext(ctx, k.typ, k.key).Scan(&waiting); err != nil {
		return false, fmt.Errorf("look for local edit of %s %s: %w", k.typ, k.key, err)
	}
	return waiting, nil
}

func logRejected(ctx context.Context, tx *sql.Tx, c syncwire.Change, source, code, reason string, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rejected (change_id, type, key, body, at, source, code, reason, rejected_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Type, c.Key, string(c.Body), millis(c.At), source, code, reason, now)
	if err != nil {
		return fmt.Errorf("log rejected change %s: %w", c.ID, err)
	}
	return nil
}

// checkEpoch resets the sync state if the server answered from another copy of its
// database than the cursor belongs to.
func (s *Store) checkEpoch(ctx context.Context, tx *sql.Tx, epoch string) error {
	st, err := syncState(ctx, tx)
	if err != nil {
		return err
	}
	if epoch == "" || epoch == st.Epoch {
		return nil
	}
	return s.resetEpoch(ctx, tx, epoch)
}

// resetEpoch starts over with a server restored from an older copy, which may have lost
// changes it had acknowledged: the acknowledged changes go back to the head of the
// outbox, in their order and before anything waiting, and the pull starts from zero.
// Pushes are idempotent, so what the server kept is answered as duplicate.
func (s *Store) resetEpoch(ctx context.Context, tx *sql.Tx, epoch string) error {
	// Below the smallest seq waiting: seq is INTEGER PRIMARY KEY, so new rows still get
	// max+1 and sort after.
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (seq, change_id, type, key, body, at)
		SELECT (SELECT min(coalesce(min(seq), 1), 1) FROM outbox) - (SELECT count(*) FROM acked)
				+ row_number() OVER (ORDER BY seq) - 1,
			change_id, type, key, body, at
		FROM acked ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("queue acknowledged changes again: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM acked`); err != nil {
		return fmt.Errorf("queue acknowledged changes again: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET cursor = 0, epoch = ? WHERE id = 1`, epoch); err != nil {
		return fmt.Errorf("reset sync cursor: %w", err)
	}
	return forgetVersions(ctx, tx)
}

// forgetVersions drops the server versions of every record, which mean nothing to
// another server copy or shop, and the values held back for them.
func forgetVersions(ctx context.Context, tx *sql.Tx) error {
	for _, table := range []string{"customers", "cards", "settings", "records"} {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET version = 0 WHERE version <> 0`); err != nil {
			return fmt.Errorf("forget versions of %s: %w", table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM held`); err != nil {
		return fmt.Errorf("forget held records: %w", err)
	}
	return nil
}

// ApplyPull applies a page of pulled changes and moves the cursor past it, in one
// transaction: a crash leaves either the whole page and its cursor or neither.
// Operations apply once (Store.ApplyRemote) and are never queued again; records follow
// the rule at the top of this file. A change this app cannot read goes to the rejected
// log and does not stop the sync. A page from another server epoch is not applied: the
// sync state is reset instead. Nor is a page pulled from another cursor than the stored
// one, which moved meanwhile: the next pull starts from the stored one.
func (s *Store) ApplyPull(ctx context.Context, from int64, resp syncwire.PullResponse) error {
	now := millis(s.Now())
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		st, err := syncState(ctx, tx)
		if err != nil {
			return err
		}
		if resp.Epoch != "" && resp.Epoch != st.Epoch {
			return s.resetEpoch(ctx, tx, resp.Epoch)
		}
		if from != st.Cursor {
			return nil
		}
		for _, c := range resp.Changes {
			if err := s.applyPulled(ctx, tx, c, now); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE sync_state SET cursor = ?, last_sync = ? WHERE id = 1`, resp.Cursor, now)
		if err != nil {
			return fmt.Errorf("store sync cursor: %w", err)
		}
		return nil
	})
}

// errUnreadable marks a pulled change this app cannot apply.
var errUnreadable = errors.New("unreadable")

func (s *Store) applyPulled(ctx context.Context, tx *sql.Tx, c syncwire.Pulled, now int64) error {
	var err error
	if c.Type == syncwire.TypeOp {
		err = s.applyPulledOp(ctx, tx, c)
	} else {
		err = s.pulledRecord(ctx, tx, c, now)
	}
	switch {
	case errors.Is(err, errUnreadable):
		return logRejected(ctx, tx, c.Change, "pull", "unreadable", err.Error(), now)
	case errors.Is(err, ErrConflict):
		return logRejected(ctx, tx, c.Change, "pull", "conflict", err.Error(), now)
	}
	return err
}

func (s *Store) applyPulledOp(ctx context.Context, tx *sql.Tx, c syncwire.Pulled) error {
	var op loyalty.Operation
	if err := json.Unmarshal(c.Body, &op); err != nil {
		return fmt.Errorf("operation %s: %w: %v", c.ID, errUnreadable, err)
	}
	if err := op.Validate(); err != nil {
		return fmt.Errorf("operation %s: %w: %v", c.ID, errUnreadable, err)
	}
	_, err := s.ApplyRemote(ctx, tx, op)
	return err
}

// pulledRecord applies a pulled record value, or holds it back while a local edit of
// the same record waits in the outbox.
func (s *Store) pulledRecord(ctx context.Context, tx *sql.Tx, c syncwire.Pulled, now int64) error {
	waiting, err := s.editWaiting(ctx, tx, recordKey{c.Type, c.Key})
	if err != nil {
		return err
	}
	if !waiting {
		return s.applyRecord(ctx, tx, c, now)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO held (type, key, body, version) VALUES (?, ?, ?, ?)
		ON CONFLICT (type, key) DO UPDATE SET body = excluded.body, version = excluded.version
		WHERE held.version < excluded.version`, c.Type, c.Key, string(c.Body), c.Version)
	if err != nil {
		return fmt.Errorf("hold %s %s: %w", c.Type, c.Key, err)
	}
	return nil
}

// applyRecord writes a record value of the server's version c.Version, unless the row
// already holds a later one. It queues nothing.
func (s *Store) applyRecord(ctx context.Context, tx *sql.Tx, c syncwire.Pulled, now int64) error {
	var err error
	switch c.Type {
	case syncwire.TypeCustomer:
		var cu loyalty.Customer
		if err := decodeRecord(c, &cu); err != nil {
			return err
		}
		if cu.ID != c.Key {
			return fmt.Errorf("customer %s: %w: the body is customer %q", c.Key, errUnreadable, cu.ID)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO customers (id, name, email, phone, consent, company, tax_id, created_at, version,
				birth_day, birth_month, referred_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone,
				consent = excluded.consent, company = excluded.company, tax_id = excluded.tax_id,
				created_at = excluded.created_at, version = excluded.version, birth_day = excluded.birth_day,
				birth_month = excluded.birth_month, referred_by = excluded.referred_by
			WHERE customers.version < excluded.version`,
			cu.ID, cu.Name, cu.Email, cu.Phone, cu.Consent, cu.Company, cu.TaxID, millis(cu.CreatedAt), c.Version,
			cu.BirthDay, cu.BirthMonth, cu.ReferredBy)
	case syncwire.TypeCard:
		var card loyalty.Card
		if err := decodeRecord(c, &card); err != nil {
			return err
		}
		if card.Code != c.Key || card.CustomerID == "" {
			return fmt.Errorf("card %s: %w: the body is card %q of customer %q", c.Key, errUnreadable, card.Code, card.CustomerID)
		}
		// A card can arrive before its customer, whose later edits come later in server
		// order: a placeholder holds the place, as for operations.
		if _, err := tx.ExecContext(ctx, `INSERT INTO customers (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
			card.CustomerID, millis(card.IssuedAt)); err != nil {
			return fmt.Errorf("create customer %s for card: %w", card.CustomerID, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO cards (code, customer_id, status, replaced_by, issued_at, version)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status,
				replaced_by = excluded.replaced_by, issued_at = excluded.issued_at, version = excluded.version
			WHERE cards.version < excluded.version`,
			card.Code, card.CustomerID, card.Status, card.ReplacedBy, millis(card.IssuedAt), c.Version)
	case syncwire.TypeSetting:
		if !json.Valid(c.Body) {
			return fmt.Errorf("setting %s: %w: the value is not JSON", c.Key, errUnreadable)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value, version) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version
			WHERE settings.version < excluded.version`, c.Key, string(c.Body), c.Version)
	case TypeNPSInvitation, TypeNPSResponse, TypeNPSAction:
		if err := s.applyNPSRecord(ctx, tx, c.Type, c.Key, c.Body); errors.Is(err, errBadNPSRecord) {
			return fmt.Errorf("%w: %v", errUnreadable, err)
		} else if err != nil {
			return err
		}
	case TypeStaff:
		return applyStaff(ctx, tx, c)
	case TypeEmail, syncwire.TypeEmailStatus, TypeCoupon:
		if err := applyFollowUpRecord(ctx, tx, c); err != nil {
			return err
		}
	default:
		_, err = tx.ExecContext(ctx, `INSERT INTO records (type, key, body, version) VALUES (?, ?, ?, ?)
			ON CONFLICT (type, key) DO UPDATE SET body = excluded.body, version = excluded.version
			WHERE records.version < excluded.version`, c.Type, c.Key, string(c.Body), c.Version)
	}
	if err != nil {
		return fmt.Errorf("apply %s %s: %w", c.Type, c.Key, err)
	}
	return nil
}

func decodeRecord(c syncwire.Pulled, v any) error {
	if err := json.Unmarshal(c.Body, v); err != nil {
		return fmt.Errorf("%s %s: %w: %v", c.Type, c.Key, errUnreadable, err)
	}
	return nil
}

// RejectedChange is a change that will never apply, kept for the owner to see.
type RejectedChange struct {
	syncwire.Change
	Source     string // "push": the server refused it; "pull": this app could not apply it
	Code       string
	Reason     string
	RejectedAt time.Time
}

// Rejected returns the rejected changes, newest first, at most limit.
func (s *Store) Rejected(ctx context.Context, limit int) ([]RejectedChange, error) {
	return s.listRejected(ctx, "", limit)
}

// listRejected returns the rejected changes from source ("" for any), newest first, at
// most limit.
func (s *Store) listRejected(ctx context.Context, source string, limit int) ([]RejectedChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT change_id, type, key, body, at, source, code, reason, rejected_at
		FROM rejected WHERE ? IN ('', source) ORDER BY rejected_at DESC, rowid DESC LIMIT ?`, source, limit)
	if err != nil {
		return nil, fmt.Errorf("list rejected changes: %w", err)
	}
	defer rows.Close()
	var out []RejectedChange
	for rows.Next() {
		var r RejectedChange
		var body string
		var at, rejectedAt int64
		if err := rows.Scan(&r.ID, &r.Type, &r.Key, &body, &at, &r.Source, &r.Code, &r.Reason, &rejectedAt); err != nil {
			return nil, fmt.Errorf("list rejected changes: %w", err)
		}
		r.Body, r.At, r.RejectedAt = json.RawMessage(body), fromMillis(at), fromMillis(rejectedAt)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rejected changes: %w", err)
	}
	return out, nil
}

// PutRecord stores v as the record typ/key and queues it for the shop's other devices.
// It is how a feature keeps data of its own in sync without a table or a migration:
// any type of 1 to 40 lower-case letters, digits or _ other than the built-in ones.
func (s *Store) PutRecord(ctx context.Context, typ, key string, v any) error {
	switch typ {
	case syncwire.TypeOp, syncwire.TypeCustomer, syncwire.TypeCard, syncwire.TypeSetting, TypeStaff:
		return fmt.Errorf("record type %q is built in: use its own method", typ)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", typ, key, err)
	}
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO records (type, key, body) VALUES (?, ?, ?)
			ON CONFLICT (type, key) DO UPDATE SET body = excluded.body`, typ, key, string(body)); err != nil {
			return fmt.Errorf("store %s %s: %w", typ, key, err)
		}
		return s.enqueue(ctx, tx, "", typ, key, body)
	})
}

// GetRecord reads the record typ/key into v (a pointer); ErrNotFound if there is none.
func (s *Store) GetRecord(ctx context.Context, typ, key string, v any) error {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM records WHERE type = ? AND key = ?`, typ, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", typ, key, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read %s %s: %w", typ, key, err)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return fmt.Errorf("decode %s %s: %w", typ, key, err)
	}
	return nil
}

// Records returns the bodies of every record of typ, by key.
func (s *Store) Records(ctx context.Context, typ string) (map[string]json.RawMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, body FROM records WHERE type = ?`, typ)
	if err != nil {
		return nil, fmt.Errorf("list %s records: %w", typ, err)
	}
	defer rows.Close()
	out := map[string]json.RawMessage{}
	for rows.Next() {
		var key, body string
		if err := rows.Scan(&key, &body); err != nil {
			return nil, fmt.Errorf("list %s records: %w", typ, err)
		}
		out[key] = json.RawMessage(body)
	}
	return out, rows.Err()
}
