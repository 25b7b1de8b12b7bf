package localdb

import (
	"context"
	"errors"
	"strings"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// Why a customer's card page link cannot be emailed to them.
var (
	ErrNoConsent  = errors.New("the customer has not agreed to be contacted")
	ErrNoCardPage = errors.New("the shop has no card page address: set its cloud address")
)

// CardLink returns the address of the page of a's card, to email the customer: it needs
// the shop's card page address, and a customer with a valid email address who agreed to
// be contacted, and a card in use. The error says which is missing.
func (s *Store) CardLink(ctx context.Context, a Account) (string, error) {
	switch {
	case a.Card.Usable() != nil:
		return "", a.Card.Usable()
	case loyalty.CheckEmail(strings.TrimSpace(a.Customer.Email)) != nil:
		return "", ErrBadRecipient
	case !a.Customer.Consent:
		return "", ErrNoConsent
	}
	shop, err := s.Shop(ctx)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(shop.CloudURL) == "" {
		return "", ErrNoCardPage
	}
	return cards.URL(shop.CloudURL, a.Code()), nil
}
