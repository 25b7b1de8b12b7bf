package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// TypeCustomerNote is the change type of the owner's note to the counter about a
// customer, keyed by the customer's id: a customer has one note, the latest.
const TypeCustomerNote = "customer_note"

// ErrNoteText refuses an empty note, or one too long to read at the counter.
var ErrNoteText = errors.New("a note needs 1 to 500 characters")

// CustomerNote is what the owner leaves for the counter about a customer (an overdrawn
// card to settle): the counter shows it at the customer's next visit until a cashier
// dismisses it or a write-off settles the card.
type CustomerNote struct {
	CustomerID string    `json:"customer_id"`
	Text       string    `json:"text"`
	By         string    `json:"by,omitempty"` // the staff member who wrote it
	At         time.Time `json:"at"`
	// Closed says the counter no longer shows the note: when and by whom, and whether a
	// write-off settled the card rather than a cashier dismissing it.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	ClosedBy string    `json:"closed_by,omitempty"`
	Settled  bool      `json:"settled,omitempty"`
}

// Open reports whether the counter shows n.
func (n CustomerNote) Open() bool { return n.Text != "" && n.ClosedAt.IsZero() }

// LeaveNote writes the owner's note about customerID for the counter, replacing any
// earlier one, and queues it for the shop's other devices.
func (s *Store) LeaveNote(ctx context.Context, o loyalty.Origin, customerID, text string) (CustomerNote, error) {
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > 500 {
		return CustomerNote{}, ErrNoteText
	}
	n := CustomerNote{CustomerID: customerID, Text: text, By: o.Staff, At: o.At}
	return n, inTx(ctx, s.db, func(tx *sql.Tx) error { return s.putNote(ctx, tx, n) })
}

// Note returns the note about customerID, if there is one, open or closed.
func (s *Store) Note(ctx context.Context, customerID string) (CustomerNote, bool, error) {
	return note(ctx, s.db, customerID)
}

// DismissNote closes the open note about customerID on behalf of o, a cashier who
// has read it out. A note already closed stays as it is.
func (s *Store) DismissNote(ctx context.Context, o loyalty.Origin, customerID string) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error { return s.closeNote(ctx, tx, o, customerID, false) })
}

// WriteOff settles the overdrawn card with code for reason: an adjustment bringing
// what is below zero back to zero, and the note about the customer closed, in one
// transaction.
func (s *Store) WriteOff(ctx context.Context, o loyalty.Origin, code cards.Code, reason string) (loyalty.Operation, Account, error) {
	p, err := s.Program(ctx)
	if err != nil {
		return loyalty.Operation{}, Account{}, err
	}
	return s.record(ctx, code, func(a Account) (loyalty.Operation, error) {
		a.Card.Status = loyalty.CardActive // the owner settles a blocked card too
		return loyalty.WriteOff(o, a.Card, a.Balance, p.Currency, reason)
	}, func(tx *sql.Tx, op loyalty.Operation) error {
		return s.closeNote(ctx, tx, o, op.CustomerID, true)
	})
}

func (s *Store) closeNote(ctx context.Context, tx *sql.Tx, o loyalty.Origin, customerID string, settled bool) error {
	n, found, err := note(ctx, tx, customerID)
	if err != nil || !found || !n.Open() {
		return err
	}
	n.ClosedAt, n.ClosedBy, n.Settled = o.At, o.Staff, settled
	return s.putNote(ctx, tx, n)
}

// putNote stores n and queues it.
func (s *Store) putNote(ctx context.Context, tx *sql.Tx, n CustomerNote) error {
	body, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode note about %s: %w", n.CustomerID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO records (type, key, body) VALUES (?, ?, ?)
		ON CONFLICT (type, key) DO UPDATE SET body = excluded.body`, TypeCustomerNote, n.CustomerID, string(body)); err != nil {
		return fmt.Errorf("store note about %s: %w", n.CustomerID, err)
	}
	return s.enqueue(ctx, tx, "", TypeCustomerNote, n.CustomerID, body)
}

func note(ctx context.Context, q queryRower, customerID string) (CustomerNote, bool, error) {
	var body string
	err := q.QueryRowContext(ctx, `SELECT body FROM records WHERE type = ? AND key = ?`, TypeCustomerNote, customerID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return CustomerNote{}, false, nil
	}
	if err != nil {
		return CustomerNote{}, false, fmt.Errorf("read note about %s: %w", customerID, err)
	}
	var n CustomerNote
	if err := json.Unmarshal([]byte(body), &n); err != nil {
		return CustomerNote{}, false, fmt.Errorf("read note about %s: %w", customerID, err)
	}
	return n, true, nil
}
