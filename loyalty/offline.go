package loyalty

import (
	"errors"
	"fmt"
)

// ErrOfflineAllowance refuses a spend that the cloud could not check and that goes
// beyond what the program lets a card spend offline.
var ErrOfflineAllowance = errors.New("the cloud could not check this spend and it is over the offline allowance")

// IsSpend reports whether an operation of kind k is the customer spending their
// balance: what two tills could both allow on the same points.
func IsSpend(k Kind) bool {
	return k == KindRedeem || k == KindDebit || k == KindSpendCashback
}

// AllowOffline checks a spend op that the cloud could not confirm against the
// program's rule for spending offline. unconfirmed is what the card already spent
// without confirmation (as positive amounts). Up to the balance, the op was already
// checked against the balance this till knows. Operations other than spends are always
// allowed offline: credits add up in any order, and corrections are the shop's own.
func (p Program) AllowOffline(unconfirmed Balance, op Operation) error {
	if !IsSpend(op.Kind) {
		return nil
	}
	refuse := &OfflineAllowanceError{Currency: p.Currency, Cash: op.Kind == KindSpendCashback}
	switch p.offlineRule() {
	case OfflineNever:
		return refuse
	case OfflineCapped:
		points, cashback := unconfirmed.Points-op.Delta.Points, unconfirmed.Cashback-op.Delta.Cashback
		if points > p.OfflinePoints || cashback > p.OfflineCashback {
			refuse.Points, refuse.Cashback = p.OfflinePoints, p.OfflineCashback
			return refuse
		}
	}
	return nil
}

// OfflineAllowanceError says how much a card may spend offline. It matches
// ErrOfflineAllowance.
type OfflineAllowanceError struct {
	Points   int64
	Cashback Money
	Currency string
	Cash     bool // the spend was of cashback, not points
}

func (e *OfflineAllowanceError) Error() string {
	return fmt.Sprintf("%v (%d points, %d in minor units of %s)", ErrOfflineAllowance, e.Points, e.Cashback, e.Currency)
}

// Is makes errors.Is(err, ErrOfflineAllowance) true.
func (e *OfflineAllowanceError) Is(target error) bool { return target == ErrOfflineAllowance }
