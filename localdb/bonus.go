package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// ErrAlreadyGiven refuses a bonus the customer already had.
var ErrAlreadyGiven = errors.New("already given")

// BirthdayStatus is where a customer stands with this year's birthday reward.
type BirthdayStatus struct {
	Birthday loyalty.Birthday
	Now      bool // o.At is in the reward's period
	Given    bool // the reward of this birthday was given
}

// Birthday reads the birthday reward of account a at o.At.
func (s *Store) Birthday(ctx context.Context, p loyalty.Program, a Account, at time.Time) (BirthdayStatus, error) {
	var st BirthdayStatus
	st.Birthday, st.Now = p.BirthdayAt(a.Customer, at)
	if st.Birthday.Date.IsZero() {
		return st, nil
	}
	op, err := p.BirthdayBonus(loyalty.Origin{Device: s.device, At: at}, a.Card, st.Birthday)
	if err != nil {
		return st, err
	}
	st.Given, err = s.hasOperation(ctx, s.db, op.ID)
	return st, err
}

// hasOperation reports whether the ledger holds the operation id.
func (s *Store) hasOperation(ctx context.Context, q querier, id string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM operations WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("read operation %s: %w", id, err)
	}
	return n > 0, nil
}

// ErrUnknownReferral refuses a referral code that is no card of the shop.
var ErrUnknownReferral = errors.New("no card has this referral code")

// referrer checks the referral code a new customer gave, and returns it as the card
// code it is: "" when none was given.
func (s *Store) referrer(ctx context.Context, tx *sql.Tx, given string) (string, error) {
	if given == "" {
		return "", nil
	}
	code, err := cards.ParseCode(given)
	if err != nil {
		return "", fmt.Errorf("referral code %q: %w", given, ErrUnknownReferral)
	}
	if _, err := s.accountByCode(ctx, tx, code); errors.Is(err, ErrUnknownCard) {
		return "", fmt.Errorf("referral code %q: %w", given, ErrUnknownReferral)
	} else if err != nil {
		return "", err
	}
	return string(code), nil
}

// referralBonuses gives the referral bonuses when purchase is the first of a customer
// who was referred, in the purchase's transaction; the bonuses' ids make them once.
// It returns what they added to a's balance.
func (s *Store) referralBonuses(ctx context.Context, tx *sql.Tx, a Account, purchase loyalty.Operation) (loyalty.Delta, error) {
	if purchase.Kind != loyalty.KindCredit || a.Customer.ReferredBy == "" {
		return loyalty.Delta{}, nil
	}
	p, err := programIn(ctx, tx)
	if err != nil || !p.HasReferralBonus() {
		return loyalty.Delta{}, err
	}
	referrer, err := s.accountByCode(ctx, tx, cards.Code(a.Customer.ReferredBy))
	if errors.Is(err, ErrUnknownCard) {
		return loyalty.Delta{}, nil // the referrer's card was erased with its customer
	}
	if err != nil {
		return loyalty.Delta{}, err
	}
	o := loyalty.Origin{Device: purchase.Device, Staff: purchase.Staff, At: purchase.At}
	ops, err := p.ReferralBonuses(o, a.Customer, a.Card, referrer.Card)
	if err != nil {
		return loyalty.Delta{}, err
	}
	var added loyalty.Delta
	for _, op := range ops {
		given, err := s.hasOperation(ctx, tx, op.ID)
		if err != nil || given {
			return added, err
		}
		if _, err := s.insertOperation(ctx, tx, op, true); err != nil {
			return added, err
		}
		if op.CustomerID == a.Customer.ID {
			added = op.Delta
		}
	}
	return added, nil
}

// BirthdaysIn lists the customers born in month (1 to 12), by day, with their current
// card.
func (s *Store) BirthdaysIn(ctx context.Context, month int) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM customers c
		JOIN cards k ON k.customer_id = c.id AND k.status <> 'replaced'
		WHERE c.birth_month = ? ORDER BY c.birth_day, c.name`, month)
	if err != nil {
		return nil, fmt.Errorf("list birthdays: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("list birthdays: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
