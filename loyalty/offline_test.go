package loyalty_test

import (
	"errors"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestAllowOffline(t *testing.T) {
	rich := loyalty.Balance{Points: 100, Cashback: 10000}
	menu := mustOp(cafe.Redeem(origin, card, rich, "menu")) // 10 points
	debit3 := mustOp(loyalty.Debit(origin, card, rich, 3))
	cash := mustOp(cafe.SpendCashback(origin, card, rich, 500))
	credit := mustOp(cafe.Credit(origin, card, 1250))
	adjust := mustOp(loyalty.Adjust(origin, card, rich, -20, "duplicate card"))
	allowance := cafe
	allowance.OfflineSpending, allowance.OfflinePoints, allowance.OfflineCashback = loyalty.OfflineCapped, 12, 600
	legacy := cafe // saved before the rule existed: an allowance meant a cap
	legacy.OfflinePoints = 12
	never := cafe
	never.OfflineSpending = loyalty.OfflineNever

	tests := []struct {
		name        string
		program     loyalty.Program
		unconfirmed loyalty.Balance
		op          loyalty.Operation
		ok          bool
	}{
		{"by default up to the balance this till knows", cafe, loyalty.Balance{Points: 80}, menu, true},
		{"by default cashback too", cafe, loyalty.Balance{Cashback: 9000}, cash, true},
		{"never refuses a redemption", never, loyalty.Balance{}, menu, false},
		{"never refuses cashback spent", never, loyalty.Balance{}, cash, false},
		{"never still credits", never, loyalty.Balance{}, credit, true},
		{"corrections are not spends", never, loyalty.Balance{}, adjust, true},
		{"an allowance saved before the rule is a cap", legacy, loyalty.Balance{Points: 3}, menu, false},
		{"within the allowance", allowance, loyalty.Balance{}, menu, true},
		{"up to the allowance exactly", allowance, loyalty.Balance{Points: 9}, debit3, true},
		{"what was spent unconfirmed counts", allowance, loyalty.Balance{Points: 3}, menu, false},
		{"cashback within its allowance", allowance, loyalty.Balance{Cashback: 100}, cash, true},
		{"cashback over its allowance", allowance, loyalty.Balance{Cashback: 101}, cash, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.program.AllowOffline(tt.unconfirmed, tt.op)
			if got := err == nil; got != tt.ok {
				t.Fatalf("AllowOffline(%+v, %s) = %v, want allowed %v", tt.unconfirmed, tt.op.Kind, err, tt.ok)
			}
			var ae *loyalty.OfflineAllowanceError
			if err != nil && (!errors.Is(err, loyalty.ErrOfflineAllowance) || !errors.As(err, &ae) || ae.Points != tt.program.OfflinePoints) {
				t.Errorf("AllowOffline error %v does not say the allowance", err)
			}
		})
	}
}
