package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/syncwire"
)

// outboxTopic is the hub topic that wakes the mailer; shop ids are never empty.
const outboxTopic = ""

// ServerDevice is the Device of the changes the server writes itself.
const ServerDevice = "server"

// OutboxEmail is an email waiting in the outbox.
type OutboxEmail struct {
	ShopID   string
	ID       string
	To       string
	Subject  string
	Text     string
	Attempts int // tries so far
	// Unsubscribe is the one-click unsubscribe URL of a survey email, or "".
	Unsubscribe string
}

// WaitOutbox returns a channel that receives a value when an email is queued, and a
// function to call when done waiting.
func (db *DB) WaitOutbox() (<-chan struct{}, func()) { return db.Subscribe(outboxTopic) }

// DueEmails returns up to limit queued emails whose next try is due. Those of a
// suspended shop wait until it is resumed.
func (db *DB) DueEmails(ctx context.Context, limit int) ([]OutboxEmail, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT shop_id, id, recipient, subject, body, attempts, unsubscribe FROM outbox
		WHERE status = ? AND next_at <= ? AND shop_id NOT IN (SELECT shop_id FROM shop_suspensions)
		ORDER BY next_at LIMIT ?`), syncwire.EmailQueued, db.millis(), limit)
	if err != nil {
		return nil, fmt.Errorf("list due emails: %w", err)
	}
	defer rows.Close()
	var list []OutboxEmail
	for rows.Next() {
		var e OutboxEmail
		if err := rows.Scan(&e.ShopID, &e.ID, &e.To, &e.Subject, &e.Text, &e.Attempts, &e.Unsubscribe); err != nil {
			return nil, fmt.Errorf("list due emails: %w", err)
		}
		list = append(list, e)
	}
	return list, rows.Err()
}

// statusSending is the outbox status of an email being handed to the mail server.
const statusSending = "sending"

// ClaimEmail marks e as being sent by this process until lease has passed, and counts
// the try. It reports false if another process claimed it first.
func (db *DB) ClaimEmail(ctx context.Context, e OutboxEmail, lease time.Duration) (bool, error) {
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE outbox SET status = ?, attempts = attempts + 1, lease_until = ?
		WHERE shop_id = ? AND id = ? AND status = ? AND attempts = ?`),
		statusSending, db.Now().Add(lease).UnixMilli(), e.ShopID, e.ID, syncwire.EmailQueued, e.Attempts)
	if err != nil {
		return false, fmt.Errorf("claim email %s: %w", e.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim email %s: %w", e.ID, err)
	}
	return n == 1, nil
}

// FinishEmail records what became of a claimed email: st.Status is syncwire.EmailSent,
// syncwire.EmailFailed, or syncwire.EmailQueued to try again at next. Devices pull the status as
// a change of type syncwire.TypeEmailStatus keyed by the email's id.
func (db *DB) FinishEmail(ctx context.Context, e OutboxEmail, st syncwire.EmailStatus, next time.Time) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE outbox SET status = ?, next_at = ?, last_error = ?
			WHERE shop_id = ? AND id = ? AND status = ?`),
			st.Status, next.UnixMilli(), st.Error, e.ShopID, e.ID, statusSending)
		if err != nil {
			return fmt.Errorf("update outbox: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			// The lease ran out and ExpireSending already settled it.
			return fmt.Errorf("email %s is no longer being sent: %w", e.ID, errors.Join(ErrNotFound, err))
		}
		return db.appendStatus(ctx, tx, e.ShopID, e.ID, st)
	})
	if err != nil {
		return fmt.Errorf("finish email: %w", err)
	}
	db.hub.notify(e.ShopID)
	return nil
}

// ExpireSending settles the emails whose sender stopped before recording the result:
// the mail server may have accepted them, so they are marked syncwire.EmailUnknown and never
// tried again. An email is sent at most once.
func (db *DB) ExpireSending(ctx context.Context) (int, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT shop_id, id, attempts FROM outbox WHERE status = ? AND lease_until < ?`),
		statusSending, db.millis())
	if err != nil {
		return 0, fmt.Errorf("list stale emails: %w", err)
	}
	var stale []OutboxEmail
	for rows.Next() {
		var e OutboxEmail
		if err := rows.Scan(&e.ShopID, &e.ID, &e.Attempts); err != nil {
			rows.Close()
			return 0, fmt.Errorf("list stale emails: %w", err)
		}
		stale = append(stale, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list stale emails: %w", err)
	}
	for _, e := range stale {
		st := syncwire.EmailStatus{Status: syncwire.EmailUnknown, Attempts: e.Attempts, Error: "the server stopped while sending; not retried so that it is never sent twice"}
		if err := db.FinishEmail(ctx, e, st, db.Now()); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// appendStatus appends an email_status change to the shop's log in tx.
func (db *DB) appendStatus(ctx context.Context, tx *sql.Tx, shopID, emailID string, st syncwire.EmailStatus) error {
	p, err := db.newPusher(ctx, tx, Device{ID: ServerDevice, ShopID: shopID})
	if err != nil {
		return err
	}
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("new change id: %w", err)
	}
	c := syncwire.Change{ID: id.String(), Type: syncwire.TypeEmailStatus, Key: emailID, Body: body, Device: ServerDevice, At: db.Now()}
	b, hash, _ := canonical(c)
	p.append(c, b, hash)
	if err := p.flush(ctx); err != nil {
		return err
	}
	return db.setVersion(ctx, tx, shopID, p.version, nil)
}
