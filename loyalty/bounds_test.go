package loyalty_test

import (
	"errors"
	"math"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestBalanceApplyNeverWraps(t *testing.T) {
	tests := []struct {
		name string
		b    loyalty.Balance
		d    loyalty.Delta
		want loyalty.Balance
		err  error
	}{
		{"plain", loyalty.Balance{Points: 10}, loyalty.Delta{Points: -3, Cashback: 5}, loyalty.Balance{Points: 7, Cashback: 5}, nil},
		{"at the bound", loyalty.Balance{Points: loyalty.MaxBalance - 1}, loyalty.Delta{Points: 1}, loyalty.Balance{Points: loyalty.MaxBalance}, nil},
		{"past the bound", loyalty.Balance{Points: loyalty.MaxBalance}, loyalty.Delta{Points: 1}, loyalty.Balance{}, loyalty.ErrBalanceOutOfRange},
		{"int64 min minus one", loyalty.Balance{Points: math.MinInt64}, loyalty.Delta{Points: -1}, loyalty.Balance{}, loyalty.ErrBalanceOutOfRange},
		{"int64 max plus one", loyalty.Balance{XP: math.MaxInt64}, loyalty.Delta{XP: 1}, loyalty.Balance{}, loyalty.ErrBalanceOutOfRange},
		{"cashback min", loyalty.Balance{}, loyalty.Delta{Cashback: math.MinInt64}, loyalty.Balance{}, loyalty.ErrBalanceOutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.b.Apply(tt.d)
			if !errors.Is(err, tt.err) || err == nil && got != tt.want {
				t.Errorf("%+v.Apply(%+v) = %+v, %v; want %+v, %v", tt.b, tt.d, got, err, tt.want, tt.err)
			}
		})
	}
}

// The app refuses, with an error it can put in words, what the server would reject.
func TestConstructorsRefuseValuesBeyondTheBounds(t *testing.T) {
	rich := loyalty.Balance{Points: loyalty.MaxBalance}
	if _, err := loyalty.Adjust(origin, card, rich, math.MinInt64, "typo"); !errors.Is(err, loyalty.ErrPointsTooLarge) {
		t.Errorf("Adjust(MinInt64) = %v, want ErrPointsTooLarge", err)
	}
	if _, err := loyalty.Adjust(origin, card, rich, loyalty.MaxPoints+1, "typo"); !errors.Is(err, loyalty.ErrPointsTooLarge) {
		t.Errorf("Adjust(MaxPoints+1) = %v, want ErrPointsTooLarge", err)
	}
	if _, err := loyalty.Adjust(origin, card, rich, 1, "gift"); !errors.Is(err, loyalty.ErrBalanceOutOfRange) {
		t.Errorf("Adjust(+1) of a balance at the bound = %v, want ErrBalanceOutOfRange", err)
	}
	low := loyalty.Balance{Points: math.MinInt64 + 1}
	if _, err := loyalty.Adjust(origin, card, low, -2, "typo"); err == nil {
		t.Errorf("Adjust(-2) of a balance near int64 min was allowed: it wrapped")
	}
	if op, err := loyalty.Adjust(origin, card, loyalty.Balance{}, loyalty.MaxPoints, "opening"); err != nil || op.Validate() != nil {
		t.Errorf("Adjust(MaxPoints) = %v, validate %v; want a valid operation", err, op.Validate())
	}
	if _, err := loyalty.Debit(origin, card, rich, loyalty.MaxPoints+1); !errors.Is(err, loyalty.ErrPointsTooLarge) {
		t.Errorf("Debit(MaxPoints+1) = %v, want ErrPointsTooLarge", err)
	}
	generous := loyalty.Program{Currency: "JPY", PointsPerUnit: loyalty.MaxRatePerUnit}
	if err := generous.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if _, err := generous.Credit(origin, card, 5000); !errors.Is(err, loyalty.ErrPointsTooLarge) {
		t.Errorf("a purchase earning 5·10^9 points = %v, want ErrPointsTooLarge", err)
	}
}

func TestOperationValidateBounds(t *testing.T) {
	op, err := cafe.Credit(origin, card, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*loyalty.Operation){
		"points max":   func(o *loyalty.Operation) { o.Delta.Points = math.MaxInt64 },
		"xp over":      func(o *loyalty.Operation) { o.Delta.XP = loyalty.MaxPoints + 1 },
		"cashback":     func(o *loyalty.Operation) { o.Delta.Cashback = loyalty.MaxMoney + 1 },
		"amount":       func(o *loyalty.Operation) { o.Amount = loyalty.MaxMoney + 1 },
		"void min":     func(o *loyalty.Operation) { o.Kind, o.Target, o.Delta.Points = loyalty.KindVoid, "x", math.MinInt64 },
		"negative amt": func(o *loyalty.Operation) { o.Kind, o.Target, o.Amount = loyalty.KindVoid, "x", -1 },
	} {
		o := op
		mod(&o)
		if err := o.Validate(); !errors.Is(err, loyalty.ErrInvalidOperation) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidOperation", name, err)
		}
	}
}

func TestProgramValidateBounds(t *testing.T) {
	for name, p := range map[string]loyalty.Program{
		"points per unit": {Currency: "EUR", PointsPerUnit: loyalty.MaxRatePerUnit + 1},
		"xp per unit":     {Currency: "EUR", XPPerUnit: math.MaxInt64},
		"visit":           {Currency: "EUR", PointsPerVisit: loyalty.MaxPoints + 1},
		"max purchase":    {Currency: "EUR", MaxPurchase: loyalty.MaxMoney + 1},
		"reward":          {Currency: "EUR", Rewards: []loyalty.Reward{{ID: "r", Name: "r", Points: math.MaxInt64}}},
		"offline":         {Currency: "EUR", OfflineCashback: loyalty.MaxMoney + 1},
	} {
		if err := p.Validate(); !errors.Is(err, loyalty.ErrInvalidProgram) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidProgram", name, err)
		}
	}
}

// A refund near the bounds computes its share without overflow.
func TestRefundShareOfALargePurchase(t *testing.T) {
	p := loyalty.Program{Currency: "EUR", PointsPerVisit: loyalty.MaxPoints, MaxPurchase: loyalty.MaxMoney}
	purchase, err := p.Credit(origin, card, loyalty.MaxMoney)
	if err != nil {
		t.Fatal(err)
	}
	got, err := loyalty.Refund(origin, card, loyalty.Balance{Points: loyalty.MaxPoints}, purchase, loyalty.MaxMoney/2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(-loyalty.MaxPoints / 2); got.Delta.Points != want {
		t.Errorf("refund of half = %d points, want %d", got.Delta.Points, want)
	}
}
