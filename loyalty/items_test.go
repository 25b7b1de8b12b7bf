package loyalty_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestEarnedPerItem(t *testing.T) {
	menus := loyalty.Program{Currency: "EUR", PointsPerItem: 1}
	all := loyalty.Program{Currency: "EUR", PointsPerVisit: 2, PointsPerUnit: 1, PointsPerItem: 3, CashbackBasisPoints: 100, XPPerUnit: 1}
	best := all
	best.PointsCombine = loyalty.CombineBest
	tests := []struct {
		name    string
		program loyalty.Program
		amount  loyalty.Money
		items   int64
		want    loyalty.Delta
	}{
		{"two menus earn two points", menus, 1900, 2, loyalty.Delta{Points: 2}},
		{"an uncounted sale is one item", menus, 1900, 0, loyalty.Delta{Points: 1}},
		{"one item", menus, 950, 1, loyalty.Delta{Points: 1}},
		{"added up", all, 1999, 4, loyalty.Delta{Points: 2 + 19 + 12, Cashback: 19, XP: 19}},
		{"best: per unit wins", best, 1999, 4, loyalty.Delta{Points: 19, Cashback: 19, XP: 19}},
		{"best: per item wins", best, 1000, 5, loyalty.Delta{Points: 15, Cashback: 10, XP: 10}},
		{"best: per visit wins", best, 150, 0, loyalty.Delta{Points: 3, Cashback: 1, XP: 1}},
		{"best with nothing per item", loyalty.Program{Currency: "EUR", PointsPerVisit: 5, PointsPerUnit: 1, PointsCombine: loyalty.CombineBest}, 700, 3, loyalty.Delta{Points: 7}},
		{"items earn no cashback nor experience", loyalty.Program{Currency: "EUR", PointsPerItem: 2, CashbackBasisPoints: 500}, 99, 3, loyalty.Delta{Points: 6, Cashback: 4}},
		{"zero-decimal currency", loyalty.Program{Currency: "JPY", PointsPerUnit: 1, PointsPerItem: 10}, 1500, 2, loyalty.Delta{Points: 1520}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.program.Earned(tt.amount, tt.items); got != tt.want {
				t.Errorf("Earned(%d, %d) = %+v, want %+v", tt.amount, tt.items, got, tt.want)
			}
		})
	}
}

// A program saved before items were counted knows neither PointsPerItem nor
// PointsCombine: it must earn exactly what it did, whatever the items.
func TestProgramSavedBeforeItemsEarnsAsBefore(t *testing.T) {
	old := `{"Currency":"EUR","PointsPerVisit":1,"PointsPerUnit":2,"CashbackBasisPoints":250,"XPPerUnit":3,` +
		`"Tiers":null,"Rewards":[{"ID":"menu","Name":"1 menu","Points":10}],"MaxPurchase":0,"SelfServiceVisitPoints":1}`
	var p loyalty.Program
	if err := json.Unmarshal([]byte(old), &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	for _, items := range []int64{0, 1, 2, 999} {
		// What Earned computed before: visit + rate × whole units; cashback and
		// experience from the amount alone.
		want := loyalty.Delta{Points: 1 + 2*12, Cashback: 32, XP: 3 * 12}
		if got := p.Earned(1299, items); got != want {
			t.Errorf("Earned(12.99, %d items) = %+v, want %+v", items, got, want)
		}
	}
	// And it is saved again without a trace of the new rules, so that devices not yet
	// upgraded read it as they did.
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back loyalty.Program
	if err := json.Unmarshal(b, &back); err != nil || back.PointsPerItem != 0 || back.PointsCombine != loyalty.CombineSum {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}

func TestParsePurchase(t *testing.T) {
	tests := []struct {
		in   string
		want loyalty.Purchase
		err  error
	}{
		{"12.50", loyalty.Purchase{Amount: 1250}, nil},
		{"2 × 9.50", loyalty.Purchase{Items: 2, Amount: 1900}, nil},
		{"2x9,5", loyalty.Purchase{Items: 2, Amount: 1900}, nil},
		{"3X 1", loyalty.Purchase{Items: 3, Amount: 300}, nil},
		{" 10*0.99 ", loyalty.Purchase{Items: 10, Amount: 990}, nil},
		{"1 × 4", loyalty.Purchase{Items: 1, Amount: 400}, nil},
		{"0 × 4", loyalty.Purchase{}, loyalty.ErrItemsSyntax},
		{"-2 × 4", loyalty.Purchase{}, loyalty.ErrItemsSyntax},
		{"+2 × 4", loyalty.Purchase{}, loyalty.ErrItemsSyntax},
		{"1.5 × 4", loyalty.Purchase{}, loyalty.ErrItemsSyntax},
		{"× 4", loyalty.Purchase{}, loyalty.ErrItemsSyntax},
		{"2 ×", loyalty.Purchase{}, loyalty.ErrAmountSyntax},
		{"1000 × 1", loyalty.Purchase{}, loyalty.ErrTooManyItems},
		{"99999999999999999999 × 1", loyalty.Purchase{}, loyalty.ErrTooManyItems},
		{"2 × 9.505", loyalty.Purchase{}, loyalty.ErrAmountSyntax},
		{"2 × 3 × 4", loyalty.Purchase{}, loyalty.ErrAmountSyntax},
		{"999 × 1000000000000", loyalty.Purchase{}, loyalty.ErrAmountTooLarge},
	}
	for _, tt := range tests {
		got, err := loyalty.ParsePurchase(tt.in, "EUR")
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParsePurchase(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestIsPurchaseText(t *testing.T) {
	tests := map[string]bool{
		"12.50": true, "2 × 9.50": true, "2x9": true, "2x": true,
		"x": false, "Max": false, "0612 345 678": false, "2 x 3": true, "0612345678": true, "ana": false, "": false,
	}
	for in, want := range tests {
		if got := loyalty.IsPurchaseText(in); got != want {
			t.Errorf("IsPurchaseText(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCreditPurchaseCountsItems(t *testing.T) {
	p := loyalty.Program{Currency: "EUR", PointsPerItem: 1}
	op, err := p.CreditPurchase(origin, card, loyalty.Purchase{Items: 2, Amount: 1900})
	if err != nil {
		t.Fatal(err)
	}
	if op.Items != 2 || op.Amount != 1900 || op.Delta.Points != 2 || op.Validate() != nil {
		t.Errorf("CreditPurchase = %+v (valid: %v), want 2 items, 19.00, 2 points", op, op.Validate())
	}
	if _, err := p.CreditPurchase(origin, card, loyalty.Purchase{Items: loyalty.MaxItems + 1, Amount: 100}); !errors.Is(err, loyalty.ErrTooManyItems) {
		t.Errorf("CreditPurchase of too many items err = %v", err)
	}
	// Items belong to credits only, and within bounds, whoever made the operation.
	bad := op
	bad.Items = loyalty.MaxItems + 1
	if err := bad.Validate(); !errors.Is(err, loyalty.ErrInvalidOperation) {
		t.Errorf("Validate(%d items) = %v", bad.Items, err)
	}
	debit, err := loyalty.Debit(origin, card, loyalty.Balance{Points: 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	debit.Items = 2
	if err := debit.Validate(); !errors.Is(err, loyalty.ErrInvalidOperation) {
		t.Errorf("Validate(debit with items) = %v", err)
	}
	// A purchase refunded in half takes back half of what its items earned.
	back, err := loyalty.Refund(origin, card, loyalty.Balance{Points: 2}, op, 950, 0)
	if err != nil || back.Delta.Points != -1 {
		t.Errorf("Refund of half = %+v, %v; want -1 point", back.Delta, err)
	}
}
