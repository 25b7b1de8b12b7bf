package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
	"github.com/merci-loyalty/merci/loyalty"
)

// With tiers for a period, the counter shows the customer's status, its advantage and
// until when it holds, and a purchase earns with the tier's multiplier.
func TestCounterShowsTierStatusUntilAndMultiplies(t *testing.T) {
	ctx := context.Background()
	u, store := newCounterUI(t, i18n.English)
	now := time.Date(2026, 11, 10, 15, 0, 0, 0, time.Local)
	store.Now = func() time.Time { return now }
	p := localdbtest.EditProgram(t, store, func(p *loyalty.Program) {
		p.PointsPerVisit, p.PointsPerUnit, p.XPPerUnit, p.TierWindowMonths = 0, 1, 1, 12
		p.Tiers = []loyalty.Tier{{Name: "Member"}, {Name: "Gold", MinXP: 100, PointsPercent: 200, Perk: "10 % off"}, {Name: "Platinum", MinXP: 1000}}
	})
	a, err := store.NewAccount(ctx, loyalty.Customer{Name: "Noé Garnier"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Record(ctx, a.Code(), func(x localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: store.Device(), At: now.AddDate(0, -2, 0)}, x.Card, 15000)
	}); err != nil {
		t.Fatal(err)
	}

	c := u.newCounter()
	enter(c, a.Code().String())
	until := u.lang.T("counter.tier_until", u.lang.Date(time.Date(2027, 12, 31, 12, 0, 0, 0, time.Local)))
	want := strings.Join([]string{"GOLD (10 % off)", until, u.lang.T("counter.xp_to_tier", u.lang.Number(850), "Platinum")}, "  ·  ")
	if c.tier.Text != want {
		t.Errorf("tier line = %q, want %q", c.tier.Text, want)
	}
	before := balance(t, store, a.Code())
	enter(c, "10")
	if got := balance(t, store, a.Code()).Points - before.Points; got != 20 {
		t.Errorf("a 10 € purchase in Gold earned %d points, want 20: twice the 10", got)
	}
}
