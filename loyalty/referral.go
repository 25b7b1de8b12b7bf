package loyalty

import (
	"fmt"
	"strings"
)

// HasReferralBonus reports whether p rewards referrals.
func (p Program) HasReferralBonus() bool { return p.ReferralPoints > 0 }

// ReferralReason is the reason of the referral bonuses of newcomerID, both the
// newcomer's and their referrer's.
func ReferralReason(newcomerID string) string { return ReasonReferral + ":" + newcomerID }

// ReferralOf reads the newcomer a referral bonus's reason names.
func ReferralOf(reason string) (newcomerID string, ok bool) {
	id, ok := strings.CutPrefix(reason, ReasonReferral+":")
	return id, ok && id != ""
}

// ReferralBonuses makes the two bonuses of a referral, after the newcomer's first
// purchase: the program's points to the newcomer, on their card, and to the customer
// who referred them, on theirs. Their ids derive from the newcomer, so that they are
// given once, whichever till and however many first purchases.
func (p Program) ReferralBonuses(o Origin, newcomer Customer, newcomerCard, referrerCard Card) ([]Operation, error) {
	switch {
	case !p.HasReferralBonus():
		return nil, fmt.Errorf("%w: the program has no referral bonus", ErrInvalidOperation)
	case referrerCard.CustomerID == newcomer.ID:
		return nil, fmt.Errorf("%w: a customer cannot refer themselves", ErrInvalidOperation)
	}
	reason := ReferralReason(newcomer.ID)
	var ops []Operation
	for _, c := range []Card{newcomerCard, referrerCard} {
		// A blocked or replaced card still earns: the bonus is the customer's.
		c.Status = CardActive
		op, err := newOperation(o, c, KindBonus, Delta{Points: p.ReferralPoints})
		if err != nil {
			return nil, err
		}
		op.ID, op.Reason = BonusID(c.CustomerID, reason, newcomer.CreatedAt), reason
		ops = append(ops, op)
	}
	return ops, nil
}
