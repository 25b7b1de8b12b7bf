package loyalty_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/loyalty"
)

var (
	origin = loyalty.Origin{Device: "dev-1", Staff: "staff-1", At: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	card   = loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "cust-1", Status: loyalty.CardActive}
	cafe   = loyalty.Program{
		Currency: "EUR", PointsPerVisit: 1, PointsPerUnit: 1, CashbackBasisPoints: 250, XPPerUnit: 2,
		Tiers:   []loyalty.Tier{{Name: "Gold"}, {Name: "Platinum", MinXP: 1000}, {Name: "Diamond", MinXP: 3000}},
		Rewards: []loyalty.Reward{{ID: "menu", Name: "1 menu", Points: 10}, {ID: "dessert", Name: "1 dessert", Points: 5}},
	}
)

func TestEarned(t *testing.T) {
	tests := []struct {
		name    string
		program loyalty.Program
		amount  loyalty.Money
		want    loyalty.Delta
	}{
		{"whole units rounded down", cafe, 1299, loyalty.Delta{Points: 1 + 12, Cashback: 32, XP: 24}},
		{"under one unit earns the visit only", cafe, 99, loyalty.Delta{Points: 1, Cashback: 2, XP: 0}},
		{"cashback rounds down", loyalty.Program{Currency: "EUR", CashbackBasisPoints: 333}, 100, loyalty.Delta{Cashback: 3}},
		{"zero-decimal currency", loyalty.Program{Currency: "JPY", PointsPerUnit: 1}, 1500, loyalty.Delta{Points: 1500}},
		{"visit only", loyalty.Program{Currency: "BRL", PointsPerVisit: 1}, 100000, loyalty.Delta{Points: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.program.Earned(tt.amount, 0); got != tt.want {
				t.Errorf("Earned(%d) = %+v, want %+v", tt.amount, got, tt.want)
			}
		})
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		want     loyalty.Money
		err      error
	}{
		{"12.50", "EUR", 1250, nil},
		{"12,5", "EUR", 1250, nil},
		{" 12 ", "EUR", 1200, nil},
		{",5", "EUR", 50, nil},
		{"1500", "JPY", 1500, nil},
		{"15.5", "JPY", 0, loyalty.ErrAmountSyntax},
		{"12.505", "EUR", 0, loyalty.ErrAmountSyntax},
		{"-3", "EUR", 0, loyalty.ErrAmountSyntax},
		{"1 000", "EUR", 0, loyalty.ErrAmountSyntax},
		{"", "EUR", 0, loyalty.ErrAmountSyntax},
		{"abc", "EUR", 0, loyalty.ErrAmountSyntax},
		{"99999999999999999999999", "EUR", 0, loyalty.ErrAmountTooLarge},
	}
	for _, tt := range tests {
		got, err := loyalty.ParseAmount(tt.in, tt.currency)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d, %v", tt.in, tt.currency, got, err, tt.want, tt.err)
		}
	}
}

func TestCreditRejectsBadAmounts(t *testing.T) {
	for _, tt := range []struct {
		amount loyalty.Money
		err    error
	}{{0, loyalty.ErrInvalidAmount}, {-100, loyalty.ErrInvalidAmount}, {500001, loyalty.ErrAmountTooLarge}} {
		if _, err := cafe.Credit(origin, card, tt.amount); !errors.Is(err, tt.err) {
			t.Errorf("Credit(%d) err = %v, want %v", tt.amount, err, tt.err)
		}
	}
	op, err := cafe.Credit(origin, card, 500000)
	if err != nil {
		t.Fatalf("Credit(max) err = %v", err)
	}
	if err := op.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
}

func TestCardStatusRefusesOperations(t *testing.T) {
	for status, want := range map[loyalty.CardStatus]error{loyalty.CardBlocked: loyalty.ErrCardBlocked, loyalty.CardReplaced: loyalty.ErrCardReplaced} {
		c := card
		c.Status = status
		if _, err := cafe.Credit(origin, c, 100); !errors.Is(err, want) {
			t.Errorf("Credit on %s card err = %v, want %v", status, err, want)
		}
	}
}

func TestRedeemDebitAdjust(t *testing.T) {
	bal := loyalty.Balance{Points: 7}
	if _, err := cafe.Redeem(origin, card, bal, "menu"); !errors.Is(err, loyalty.ErrNotEnoughPoints) {
		t.Errorf("Redeem(menu) with 7 points err = %v, want ErrNotEnoughPoints", err)
	}
	if _, err := cafe.Redeem(origin, card, bal, "nope"); !errors.Is(err, loyalty.ErrUnknownReward) {
		t.Errorf("Redeem(nope) err = %v, want ErrUnknownReward", err)
	}
	op, err := cafe.Redeem(origin, card, bal, "dessert")
	if err != nil || op.Delta != (loyalty.Delta{Points: -5}) || op.RewardID != "dessert" {
		t.Errorf("Redeem(dessert) = %+v, %v; want -5 points", op, err)
	}
	if _, err := loyalty.Debit(origin, card, bal, 8); !errors.Is(err, loyalty.ErrNotEnoughPoints) {
		t.Errorf("Debit(8) of 7 err = %v", err)
	}
	if _, err := loyalty.Adjust(origin, card, bal, 3, "  "); !errors.Is(err, loyalty.ErrReasonRequired) {
		t.Errorf("Adjust without reason err = %v", err)
	}
	if _, err := loyalty.Adjust(origin, card, bal, -8, "typo"); !errors.Is(err, loyalty.ErrNotEnoughPoints) {
		t.Errorf("Adjust(-8) of 7 err = %v", err)
	}
	op, err = loyalty.Adjust(origin, card, bal, -7, "duplicate card")
	if err != nil || op.Delta.Points != -7 || op.Validate() != nil {
		t.Errorf("Adjust(-7) = %+v, %v", op, err)
	}
	if _, err := cafe.SpendCashback(origin, card, loyalty.Balance{Cashback: 100}, 101); !errors.Is(err, loyalty.ErrNotEnoughCashback) {
		t.Errorf("SpendCashback(101) of 100 err = %v", err)
	}
	op, err = cafe.SpendCashback(origin, card, loyalty.Balance{Cashback: 100}, 60)
	if err != nil || op.Delta != (loyalty.Delta{Cashback: -60}) {
		t.Errorf("SpendCashback(60) = %+v, %v", op, err)
	}
}

func TestRefundProRata(t *testing.T) {
	purchase, err := cafe.Credit(origin, card, 2000) // 21 points, 50 cashback, 40 XP
	if err != nil {
		t.Fatal(err)
	}
	bal := loyalty.Sum([]loyalty.Operation{purchase})
	tests := []struct {
		name     string
		bal      loyalty.Balance
		amount   loyalty.Money
		refunded loyalty.Money
		want     loyalty.Delta
		err      error
	}{
		{"half, rounded down", bal, 1000, 0, loyalty.Delta{Points: -10, Cashback: -25, XP: -20}, nil},
		{"all", bal, 2000, 0, loyalty.Delta{Points: -21, Cashback: -50, XP: -40}, nil},
		{"never below zero", loyalty.Balance{Points: 3, Cashback: 0, XP: 40}, 2000, 0, loyalty.Delta{Points: -3, Cashback: 0, XP: -40}, nil},
		{"more than what is left", bal, 1500, 1000, loyalty.Delta{}, loyalty.ErrRefundTooLarge},
		{"zero", bal, 0, 0, loyalty.Delta{}, loyalty.ErrInvalidAmount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := loyalty.Refund(origin, card, tt.bal, purchase, tt.amount, tt.refunded)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Refund err = %v, want %v", err, tt.err)
			}
			if err == nil && (op.Delta != tt.want || op.Target != purchase.ID || op.Validate() != nil) {
				t.Errorf("Refund = %+v (valid: %v), want delta %+v targeting %s", op, op.Validate(), tt.want, purchase.ID)
			}
		})
	}
	redeem, _ := cafe.Redeem(origin, card, loyalty.Balance{Points: 10}, "menu")
	if _, err := loyalty.Refund(origin, card, bal, redeem, 100, 0); !errors.Is(err, loyalty.ErrNotRefundable) {
		t.Errorf("Refund of a redemption err = %v", err)
	}
}

func TestVoid(t *testing.T) {
	purchase, _ := cafe.Credit(origin, card, 1250)
	bal := loyalty.Sum([]loyalty.Operation{purchase})
	void, err := loyalty.Void(origin, card, bal, purchase, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := loyalty.Sum([]loyalty.Operation{purchase, void}); got != (loyalty.Balance{}) {
		t.Errorf("balance after void = %+v, want zero", got)
	}
	if _, err := loyalty.Void(origin, card, bal, purchase, true); !errors.Is(err, loyalty.ErrAlreadyVoided) {
		t.Errorf("second void err = %v", err)
	}
	if _, err := loyalty.Void(origin, card, bal, void, false); !errors.Is(err, loyalty.ErrNotVoidable) {
		t.Errorf("void of a void err = %v", err)
	}
	if _, err := loyalty.Void(origin, card, loyalty.Balance{Points: 2}, purchase, false); !errors.Is(err, loyalty.ErrNotEnoughPoints) {
		t.Errorf("void of spent points err = %v", err)
	}
}

func TestOperationIDsAreUniqueAndOrdered(t *testing.T) {
	prev := ""
	for range 1000 {
		op, err := cafe.Credit(origin, card, 100)
		if err != nil {
			t.Fatal(err)
		}
		if op.ID <= prev {
			t.Fatalf("id %s not after %s", op.ID, prev)
		}
		prev = op.ID
	}
}

func TestTiersAndRewards(t *testing.T) {
	for _, tt := range []struct {
		xp        int64
		cur, next string
	}{{0, "Gold", "Platinum"}, {999, "Gold", "Platinum"}, {1000, "Platinum", "Diamond"}, {5000, "Diamond", ""}} {
		cur, next := cafe.TierFor(tt.xp)
		gotNext := ""
		if next != nil {
			gotNext = next.Name
		}
		if cur.Name != tt.cur || gotNext != tt.next {
			t.Errorf("TierFor(%d) = %s, %s; want %s, %s", tt.xp, cur.Name, gotNext, tt.cur, tt.next)
		}
	}
	now, next := cafe.Reachable(7)
	if diff := cmp.Diff([]loyalty.Reward{{ID: "dessert", Name: "1 dessert", Points: 5}}, now); diff != "" || next == nil || next.ID != "menu" {
		t.Errorf("Reachable(7) = %v, %v (-want +got):\n%s", now, next, diff)
	}
}

func TestProgramValidate(t *testing.T) {
	if err := cafe.Validate(); err != nil {
		t.Fatalf("Validate(cafe) = %v", err)
	}
	for name, mutate := range map[string]func(*loyalty.Program){
		"currency":          func(p *loyalty.Program) { p.Currency = "euro" },
		"negative rate":     func(p *loyalty.Program) { p.PointsPerUnit = -1 },
		"negative per item": func(p *loyalty.Program) { p.PointsPerItem = -1 },
		"per item over":     func(p *loyalty.Program) { p.PointsPerItem = loyalty.MaxPoints + 1 },
		"unknown combine":   func(p *loyalty.Program) { p.PointsCombine = "max" },
		"cashback over":     func(p *loyalty.Program) { p.CashbackBasisPoints = 10001 },
		"tier order":        func(p *loyalty.Program) { p.Tiers[2].MinXP = 500 },
		"first tier":        func(p *loyalty.Program) { p.Tiers[0].MinXP = 10 },
		"free reward":       func(p *loyalty.Program) { p.Rewards[0].Points = 0 },
		"duplicate reward":  func(p *loyalty.Program) { p.Rewards[1].ID = p.Rewards[0].ID },
	} {
		p := cafe
		p.Tiers = append([]loyalty.Tier(nil), cafe.Tiers...)
		p.Rewards = append([]loyalty.Reward(nil), cafe.Rewards...)
		mutate(&p)
		if err := p.Validate(); !errors.Is(err, loyalty.ErrInvalidProgram) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidProgram", name, err)
		}
	}
}
