package localdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// Check says what the cloud said of a spend made at this till.
type Check int

// Checks.
const (
	// Confirmed: the cloud accepted the spend against the card's balance there.
	Confirmed Check = iota
	// Unchecked: the cloud was not reached; nothing was sent.
	Unchecked
	// Unanswered: the spend was sent but no answer came back, so the cloud may have
	// accepted it.
	Unanswered
)

// NotConfirmedReason is the reason of the cancellation stored with a spend that was
// sent to the cloud unanswered and is over the offline allowance.
const NotConfirmedReason = "not confirmed by the cloud"

// RecordSpend stores op, a spend built at this till, as the cloud's check allows.
//
// A Confirmed spend is stored as it is: the cloud has it. Otherwise the card's balance
// here must cover it, and the program's offline allowance must allow what the card has
// then spent without confirmation (its spends still in the outbox). Over the
// allowance, an Unchecked spend is refused and nothing is written; an Unanswered one is
// stored together with its cancellation, so that every device ends up with the spend
// undone, whether or not the cloud had it; it returns the account as it is then and
// the allowance error.
func (s *Store) RecordSpend(ctx context.Context, op loyalty.Operation, check Check) (Account, error) {
	p, err := s.Program(ctx)
	if err != nil {
		return Account{}, err
	}
	var after Account
	var refusal error
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := s.accountByCode(ctx, tx, cards.Code(op.CardCode))
		if err != nil {
			return err
		}
		after = a
		after.Balance = a.Balance.Add(op.Delta)
		if check != Confirmed {
			switch {
			case after.Balance.Points < 0:
				return loyalty.ErrNotEnoughPoints
			case after.Balance.Cashback < 0:
				return loyalty.ErrNotEnoughCashback
			}
			unconfirmed, err := s.unconfirmedSpend(ctx, tx, op.CustomerID)
			if err != nil {
				return err
			}
			if refusal = p.AllowOffline(unconfirmed, op); refusal != nil && check == Unchecked {
				return refusal
			}
		}
		if _, err := s.insertOperation(ctx, tx, op, true); err != nil {
			return err
		}
		if refusal == nil {
			return nil
		}
		void, err := loyalty.Void(loyalty.Origin{Device: op.Device, Staff: op.Staff, At: s.Now()}, a.Card, after.Balance, op, false)
		if err != nil {
			return fmt.Errorf("cancel unconfirmed spend %s: %w", op.ID, err)
		}
		void.Reason = NotConfirmedReason
		after.Balance = a.Balance
		_, err = s.insertOperation(ctx, tx, void, true)
		return err
	})
	if err != nil {
		return Account{}, err
	}
	return after, refusal
}

// unconfirmedSpend returns what the customer spent at this till that the cloud has
// not acknowledged yet (the spends still in the outbox, less those cancelled), as
// positive amounts.
func (s *Store) unconfirmedSpend(ctx context.Context, tx *sql.Tx, customerID string) (loyalty.Balance, error) {
	var b loyalty.Balance
	err := tx.QueryRowContext(ctx, `SELECT coalesce(-sum(o.points), 0), coalesce(-sum(o.cashback), 0)
		FROM outbox q JOIN operations o ON o.id = q.key
		WHERE q.type = 'op' AND o.customer_id = ? AND o.kind IN (?, ?, ?)
			AND NOT EXISTS (SELECT 1 FROM operations v WHERE v.target = o.id AND v.kind = 'void')`,
		customerID, loyalty.KindRedeem, loyalty.KindDebit, loyalty.KindSpendCashback).Scan(&b.Points, &b.Cashback)
	if err != nil {
		return b, fmt.Errorf("unconfirmed spending of %s: %w", customerID, err)
	}
	return b, nil
}
