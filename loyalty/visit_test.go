package loyalty_test

import (
	"errors"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestSelfServiceVisit(t *testing.T) {
	tests := []struct {
		name     string
		program  loyalty.Program
		want     loyalty.Delta
		currency string
	}{
		{"points", loyalty.Program{Currency: "EUR", SelfServiceVisitPoints: 2}, loyalty.Delta{Points: 2}, ""},
		{"cashback", loyalty.Program{Currency: "EUR", CashbackBasisPoints: 500, SelfServiceVisitCashback: 50}, loyalty.Delta{Cashback: 50}, "EUR"},
		{"both", loyalty.Program{Currency: "BRL", SelfServiceVisitPoints: 1, SelfServiceVisitCashback: 100}, loyalty.Delta{Points: 1, Cashback: 100}, "BRL"},
		{"none", loyalty.Program{Currency: "EUR"}, loyalty.Delta{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.program.SelfServiceVisit(); got != tt.want {
				t.Errorf("SelfServiceVisit() = %+v, want %+v", got, tt.want)
			}
			op, err := tt.program.Visit(origin, card)
			if err != nil {
				t.Fatal(err)
			}
			if op.Kind != loyalty.KindVisit || op.Delta != tt.want || op.Currency != tt.currency || op.Validate() != nil {
				t.Errorf("Visit = %+v (valid: %v), want a visit of %+v in %q", op, op.Validate(), tt.want, tt.currency)
			}
		})
	}
	bad, err := loyalty.Program{Currency: "EUR", SelfServiceVisitCashback: 50}.Visit(origin, card)
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]loyalty.Delta{"negative cashback": {Cashback: -50}, "experience": {XP: 1}} {
		bad.Delta = d
		if err := bad.Validate(); !errors.Is(err, loyalty.ErrInvalidOperation) {
			t.Errorf("Validate(visit with %s) = %v", name, err)
		}
	}
	for name, p := range map[string]loyalty.Program{
		"negative":              {Currency: "EUR", SelfServiceVisitCashback: -1},
		"over the largest sale": {Currency: "EUR", SelfServiceVisitCashback: loyalty.Money(loyalty.DefaultMaxPurchase*100 + 1)},
	} {
		if err := p.Validate(); !errors.Is(err, loyalty.ErrInvalidProgram) {
			t.Errorf("Validate(kiosk cashback %s) = %v", name, err)
		}
	}
}
