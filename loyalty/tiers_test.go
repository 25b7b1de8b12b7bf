package loyalty_test

import (
	"testing"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestStatusAt(t *testing.T) {
	tiers := []loyalty.Tier{{Name: "Member"}, {Name: "Silver", MinXP: 100, PointsPercent: 150}, {Name: "Gold", MinXP: 300, Perk: "10 % off"}}
	yearly := loyalty.Program{Currency: "EUR", Tiers: tiers, TierWindowMonths: 12}
	lifetime := loyalty.Program{Currency: "EUR", Tiers: tiers}
	xp := func(t time.Time, n int64) loyalty.Operation {
		return loyalty.Operation{Kind: loyalty.KindCredit, At: t, Delta: loyalty.Delta{XP: n}}
	}
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 12, 0, 0, 0, time.UTC) }
	jan := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		program loyalty.Program
		ops     []loyalty.Operation
		xp      int64
		now     time.Time
		tier    string
		until   time.Time
		next    string
		countXP int64
	}{
		{"lifetime tiers are kept for good", lifetime, nil, 350, d(2030, 1, 1), "Gold", time.Time{}, "", 350},
		{"nothing earned: the first tier until the period ends", yearly, nil, 0, d(2026, 5, 1), "Member", jan(2027), "Silver", 0},
		{"reached in 2026: kept to the end of 2027", yearly,
			[]loyalty.Operation{xp(d(2026, 3, 1), 60), xp(d(2026, 6, 1), 50)}, 110, d(2027, 11, 30), "Silver", jan(2028), "Gold", 0},
		{"then reviewed: back to the first tier", yearly,
			[]loyalty.Operation{xp(d(2026, 3, 1), 60), xp(d(2026, 6, 1), 50)}, 110, d(2028, 1, 2), "Member", jan(2029), "Silver", 0},
		{"the window rolls: experience over 12 months, not the year's", yearly,
			[]loyalty.Operation{xp(d(2026, 11, 1), 60), xp(d(2027, 2, 1), 50)}, 110, d(2027, 3, 1), "Silver", jan(2029), "Gold", 110},
		{"experience older than the window does not count", yearly,
			[]loyalty.Operation{xp(d(2025, 1, 1), 60), xp(d(2026, 2, 1), 50)}, 110, d(2026, 3, 1), "Member", jan(2027), "Silver", 50},
		{"the highest tier held wins over a later lower one", yearly,
			[]loyalty.Operation{xp(d(2026, 1, 5), 300), xp(d(2027, 6, 1), 100)}, 400, d(2027, 7, 1), "Gold", jan(2028), "", 100},
		{"half-year periods", loyalty.Program{Currency: "EUR", Tiers: tiers, TierWindowMonths: 6},
			[]loyalty.Operation{xp(d(2026, 8, 1), 120)}, 120, d(2027, 3, 1), "Silver", time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC), "Gold", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.program.StatusAt(tt.ops, tt.xp, tt.now)
			name, next := "", ""
			if st.Tier != nil {
				name = st.Tier.Name
			}
			if st.Next != nil {
				next = st.Next.Name
			}
			if name != tt.tier || !st.Until.Equal(tt.until) || next != tt.next || st.XP != tt.countXP {
				t.Errorf("StatusAt = %s until %v, next %q, %d XP; want %s until %v, next %q, %d XP",
					name, st.Until, next, st.XP, tt.tier, tt.until, tt.next, tt.countXP)
			}
		})
	}
}

func TestTierMultiplierRoundsDown(t *testing.T) {
	p := loyalty.Program{Currency: "EUR", PointsPerUnit: 1, XPPerUnit: 1}
	silver := &loyalty.Tier{Name: "Silver", PointsPercent: 150}
	tests := []struct {
		tier   *loyalty.Tier
		amount loyalty.Money
		want   loyalty.Delta
	}{
		{nil, 1299, loyalty.Delta{Points: 12, XP: 12}},
		{&loyalty.Tier{Name: "Member"}, 1299, loyalty.Delta{Points: 12, XP: 12}},
		{silver, 1299, loyalty.Delta{Points: 18, XP: 12}},
		{silver, 1100, loyalty.Delta{Points: 16, XP: 11}}, // 16.5 rounds down; experience is not multiplied
	}
	for _, tt := range tests {
		op, err := p.CreditPurchaseIn(origin, card, loyalty.Purchase{Amount: tt.amount}, tt.tier)
		if err != nil || op.Delta != tt.want {
			t.Errorf("credit of %d in %+v = %+v, %v; want %+v", tt.amount, tt.tier, op.Delta, err, tt.want)
		}
	}
}
