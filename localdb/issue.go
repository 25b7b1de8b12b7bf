package localdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// IssueCards creates n cards for customers not known yet (printed cards handed over the
// counter), each with an opening balance when opening is above zero, all in one
// transaction: either every card of the batch exists, or none.
func (s *Store) IssueCards(ctx context.Context, n int, opening loyalty.Money, o loyalty.Origin) ([]cards.Code, error) {
	if n <= 0 {
		return nil, fmt.Errorf("issue cards: %w", loyalty.ErrInvalidAmount)
	}
	codes := make([]cards.Code, n)
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		for i := range codes {
			code, err := cards.NewCode()
			if err != nil {
				return err
			}
			c := loyalty.Customer{ID: uuid.NewString(), CreatedAt: s.Now()}
			card := loyalty.Card{Code: string(code), CustomerID: c.ID, Status: loyalty.CardActive, IssuedAt: c.CreatedAt}
			if err := s.putCustomer(ctx, tx, c); err != nil {
				return err
			}
			if err := s.putCard(ctx, tx, card); err != nil {
				return err
			}
			if opening > 0 {
				op, err := loyalty.Opening(o, card, opening)
				if err != nil {
					return err
				}
				if _, err := s.insertOperation(ctx, tx, op, true); err != nil {
					return err
				}
			}
			codes[i] = code
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("issue %d cards: %w", n, err)
	}
	return codes, nil
}
