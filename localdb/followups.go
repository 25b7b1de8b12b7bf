package localdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Change types of the owner's follow-ups, as they travel to the cloud.
const (
	TypeEmail  = syncwire.TypeEmail // an Email to send; the cloud server sends it
	TypeCoupon = "coupon"           // a Coupon, issued or redeemed
)

// EmailStatus says where an email stands.
type EmailStatus string

// Email statuses: queued here, then sent or failed as the cloud server reports.
const (
	EmailQueued EmailStatus = "queued"
	EmailSent   EmailStatus = "sent"
	EmailFailed EmailStatus = "failed"
)

// Errors of follow-ups.
var (
	ErrBadRecipient  = errors.New("the customer has no valid email address")
	ErrEmptyEmail    = errors.New("an email needs a subject and a text")
	ErrEmptyOffer    = errors.New("a coupon needs an offer")
	ErrCouponUsed    = errors.New("this coupon was already used")
	ErrNoCoupon      = errors.New("no coupon has this code")
	ErrCouponExpired = errors.New("this coupon has expired")
)

// Email is a message to a customer about their answer.
type Email struct {
	ID         string      `json:"id"`
	ResponseID string      `json:"response_id"`
	To         string      `json:"to"`
	Subject    string      `json:"subject"`
	Text       string      `json:"text"`
	Status     EmailStatus `json:"-"`
	Error      string      `json:"-"`
	Staff      string      `json:"staff"`
	At         time.Time   `json:"at"`
}

// QueueEmail stores e and queues it for the cloud server, which sends it. ID, At and
// Status are filled in.
func (s *Store) QueueEmail(ctx context.Context, e Email) (Email, error) {
	e.To, e.Subject, e.Text = loyalty.NormalizeEmail(e.To), strings.TrimSpace(e.Subject), strings.TrimSpace(e.Text)
	if loyalty.CheckEmail(e.To) != nil {
		return Email{}, ErrBadRecipient
	}
	if e.Subject == "" || e.Text == "" {
		return Email{}, ErrEmptyEmail
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Email{}, fmt.Errorf("new email id: %w", err)
	}
	e.ID, e.At, e.Status = id.String(), s.Now(), EmailQueued
	body, err := json.Marshal(e)
	if err != nil {
		return Email{}, fmt.Errorf("encode email: %w", err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO emails (id, response_id, to_addr, subject, body, status, staff, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.ResponseID, e.To, e.Subject, e.Text, e.Status, e.Staff, millis(e.At)); err != nil {
			return fmt.Errorf("store email: %w", err)
		}
		// The email's id is the change id: the server sends each email once, however
		// often the change is pushed.
		return s.enqueue(ctx, tx, e.ID, TypeEmail, e.ID, body)
	})
	return e, err
}

// SetEmailStatus records what the cloud server reported about the email id.
func (s *Store) SetEmailStatus(ctx context.Context, id string, status EmailStatus, reason string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE emails SET status = ?, error = ? WHERE id = ?`, status, reason, id)
	if err != nil {
		return fmt.Errorf("update email %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("email %s: %w", id, ErrNotFound)
	}
	return nil
}

// Emails returns the emails written about the answer responseID, oldest first.
func (s *Store) Emails(ctx context.Context, responseID string) ([]Email, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, response_id, to_addr, subject, body, status, error, staff, at
		FROM emails WHERE response_id = ? ORDER BY at, id`, responseID)
	if err != nil {
		return nil, fmt.Errorf("list emails: %w", err)
	}
	defer rows.Close()
	var out []Email
	for rows.Next() {
		var e Email
		var at int64
		if err := rows.Scan(&e.ID, &e.ResponseID, &e.To, &e.Subject, &e.Text, &e.Status, &e.Error, &e.Staff, &at); err != nil {
			return nil, fmt.Errorf("list emails: %w", err)
		}
		e.At = fromMillis(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Coupon is a thank-you offer for a promoter, redeemable once at the counter.
type Coupon struct {
	Code       string    `json:"code"`
	ResponseID string    `json:"response_id"`
	CustomerID string    `json:"customer_id,omitempty"`
	Offer      string    `json:"offer"` // "A free coffee"
	CreatedAt  time.Time `json:"created_at"`
	RedeemedAt time.Time `json:"redeemed_at,omitzero"`
	RedeemedBy string    `json:"redeemed_by,omitempty"`
	// ExpiresAt is the first instant the coupon can no longer be used; zero: no end.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Expired reports whether the coupon can no longer be used at now.
func (c Coupon) Expired(now time.Time) bool { return !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) }

// couponAlphabet has no 0/O, 1/I/L or U: a code read aloud or copied by hand survives.
const couponAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// CouponPrefix starts every coupon code, so that the counter tells it from a card code
// or a search.
const CouponPrefix = "MERCI-"

func newCouponCode() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new coupon code: %w", err)
	}
	return couponCode(b), nil
}

// couponCode spells 8 bytes of randomness as a coupon code.
func couponCode(random []byte) string {
	b := make([]byte, len(random))
	for i := range random {
		b[i] = couponAlphabet[int(random[i])%len(couponAlphabet)]
	}
	return CouponPrefix + string(b[:4]) + "-" + string(b[4:])
}

// IssueCoupon gives the answer responseID a coupon for offer; an answer has one coupon
// at most, so asking again returns the one already issued.
func (s *Store) IssueCoupon(ctx context.Context, responseID, customerID, offer string) (Coupon, error) {
	offer = strings.TrimSpace(offer)
	if offer == "" {
		return Coupon{}, ErrEmptyOffer
	}
	if c, err := s.CouponFor(ctx, responseID); err == nil || !errors.Is(err, ErrNotFound) {
		return c, err
	}
	code, err := newCouponCode()
	if err != nil {
		return Coupon{}, err
	}
	c := Coupon{Code: code, ResponseID: responseID, CustomerID: customerID, Offer: offer, CreatedAt: s.Now()}
	return c, inTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO coupons (code, response_id, customer_id, offer, created_at)
			VALUES (?, ?, ?, ?, ?)`, c.Code, c.ResponseID, c.CustomerID, c.Offer, millis(c.CreatedAt)); err != nil {
			return fmt.Errorf("store coupon: %w", err)
		}
		return s.queueCoupon(ctx, tx, c)
	})
}

func (s *Store) queueCoupon(ctx context.Context, tx *sql.Tx, c Coupon) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode coupon: %w", err)
	}
	return s.enqueue(ctx, tx, "", TypeCoupon, c.Code, body)
}

const couponColumns = `code, response_id, customer_id, offer, created_at, redeemed_at, redeemed_by, expires_at`

func scanCoupon(row scanner) (Coupon, error) {
	var c Coupon
	var created, redeemed, expires int64
	err := row.Scan(&c.Code, &c.ResponseID, &c.CustomerID, &c.Offer, &created, &redeemed, &c.RedeemedBy, &expires)
	c.CreatedAt = fromMillis(created)
	if redeemed != 0 {
		c.RedeemedAt = fromMillis(redeemed)
	}
	if expires != 0 {
		c.ExpiresAt = fromMillis(expires)
	}
	return c, err
}

// CouponFor returns the coupon of the answer responseID, or ErrNotFound.
func (s *Store) CouponFor(ctx context.Context, responseID string) (Coupon, error) {
	c, err := scanCoupon(s.db.QueryRowContext(ctx, `SELECT `+couponColumns+` FROM coupons WHERE response_id = ?`, responseID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("coupon of %s: %w", responseID, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read coupon of %s: %w", responseID, err)
	}
	return c, nil
}

// RedeemCoupon uses the coupon with code, once, on behalf of staff. Codes are read
// without regard to case or spaces.
func (s *Store) RedeemCoupon(ctx context.Context, code, staff string) (Coupon, error) {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	var c Coupon
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		c, err = scanCoupon(tx.QueryRowContext(ctx, `SELECT `+couponColumns+` FROM coupons WHERE code = ?`, code))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoCoupon
		}
		if err != nil {
			return fmt.Errorf("read coupon %s: %w", code, err)
		}
		if !c.RedeemedAt.IsZero() {
			return ErrCouponUsed
		}
		if c.Expired(s.Now()) {
			return ErrCouponExpired
		}
		c.RedeemedAt, c.RedeemedBy = s.Now(), staff
		if _, err := tx.ExecContext(ctx, `UPDATE coupons SET redeemed_at = ?, redeemed_by = ? WHERE code = ?`,
			millis(c.RedeemedAt), staff, code); err != nil {
			return fmt.Errorf("redeem coupon %s: %w", code, err)
		}
		return s.queueCoupon(ctx, tx, c)
	})
	return c, err
}

// applyFollowUpRecord stores a follow-up pulled from the cloud, queueing nothing: an
// email another device wrote, what the server reports of an email it sent, or a coupon
// issued or redeemed elsewhere. Of two offline redemptions of one coupon, every device
// keeps the earlier.
func applyFollowUpRecord(ctx context.Context, tx *sql.Tx, c syncwire.Pulled) error {
	var err error
	switch c.Type {
	case TypeEmail:
		var e Email
		if err := decodeRecord(c, &e); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO emails (id, response_id, to_addr, subject, body, status, staff, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			c.Key, e.ResponseID, e.To, e.Subject, e.Text, EmailQueued, e.Staff, millis(e.At))
	case syncwire.TypeEmailStatus:
		var st syncwire.EmailStatus
		if err := decodeRecord(c, &st); err != nil {
			return err
		}
		status := EmailStatus(st.Status)
		if st.Status == syncwire.EmailUnknown {
			status = EmailFailed // the server cannot tell: the owner should check and resend by hand
		}
		_, err = tx.ExecContext(ctx, `UPDATE emails SET status = ?, error = ? WHERE id = ?`, status, st.Error, c.Key)
	case TypeCoupon:
		var cp Coupon
		if err := decodeRecord(c, &cp); err != nil {
			return err
		}
		if cp.Code != c.Key {
			return fmt.Errorf("coupon %s: %w: the body is coupon %q", c.Key, errUnreadable, cp.Code)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO coupons (code, response_id, customer_id, offer, created_at, redeemed_at, redeemed_by, expires_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
			ON CONFLICT (code) DO UPDATE SET redeemed_at = ?6, redeemed_by = ?7
			WHERE ?6 <> 0 AND (coupons.redeemed_at = 0 OR ?6 < coupons.redeemed_at)`,
			cp.Code, cp.ResponseID, cp.CustomerID, cp.Offer, millis(cp.CreatedAt), optMillis(cp.RedeemedAt), cp.RedeemedBy,
			optMillis(cp.ExpiresAt))
	}
	if err != nil {
		return fmt.Errorf("apply %s %s: %w", c.Type, c.Key, err)
	}
	return nil
}
