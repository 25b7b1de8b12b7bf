package loyalty_test

import (
	"testing"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
)

// Each starting program is valid and earns what its name says on a 12.50 purchase.
func TestStarters(t *testing.T) {
	want := map[loyalty.StarterKind]loyalty.Delta{
		loyalty.StarterPerVisit:  {Points: 1, XP: 12},
		loyalty.StarterPerAmount: {Points: 12, XP: 12},
		loyalty.StarterCashback:  {Cashback: 62, XP: 12},
	}
	for _, kind := range loyalty.Starters {
		p := loyalty.Starter(kind, "EUR", "Coffee")
		if err := p.Validate(); err != nil {
			t.Errorf("Starter(%s) is invalid: %v", kind, err)
			continue
		}
		card := loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "c1", Status: loyalty.CardActive}
		op, err := p.Credit(loyalty.Origin{Device: "d", At: time.Now()}, card, 1250)
		if err != nil {
			t.Fatalf("Starter(%s).Credit: %v", kind, err)
		}
		if op.Delta != want[kind] {
			t.Errorf("Starter(%s) earns %+v on 12.50, want %+v", kind, op.Delta, want[kind])
		}
	}
}
