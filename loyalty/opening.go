package loyalty

// ReasonOpening is the reason of the adjustment that pre-credits a newly issued card.
const ReasonOpening = "opening balance"

// OpeningInCashback reports whether a new card's opening balance is cashback, in minor
// units of the currency, rather than points. Points are the rule: only a program that
// earns no points at all, where points would buy nothing, opens cards with cashback.
func (p Program) OpeningInCashback() bool {
	return p.PointsPerVisit == 0 && p.PointsPerUnit == 0 && p.SelfServiceVisitPoints == 0 &&
		len(p.Rewards) == 0 && p.CashbackBasisPoints > 0
}

// Opening pre-credits the new card c with amount: points, or minor units of cashback when
// p.OpeningInCashback. It is an adjustment with reason ReasonOpening, one per card, so
// it syncs, shows in the card's history and can be cancelled like any other.
func (p Program) Opening(o Origin, c Card, amount int64) (Operation, error) {
	if amount <= 0 {
		return Operation{}, ErrInvalidAmount
	}
	d := Delta{Points: amount}
	if p.OpeningInCashback() {
		// A pre-credited card is a purchase paid in advance: no more than a purchase.
		if err := p.checkAmount(Money(amount)); err != nil {
			return Operation{}, err
		}
		d = Delta{Cashback: Money(amount)}
	}
	op, err := newOperation(o, c, KindAdjust, d)
	op.Reason = ReasonOpening
	return op, err
}
