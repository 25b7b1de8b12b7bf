package store_test

import (
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// A till's purchase earns a tier's points multiplier only for a customer the log puts
// in that tier: the same purchase by a customer below it earning as much is refused.
func TestTillCreditEarnsTheMultiplierOfTheCustomersTier(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		owner := mustDevice(t, db, "Shop")
		till := mustTill(t, db, owner, "till")
		prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1, XPPerUnit: 1, TierWindowMonths: 12,
			Tiers: []loyalty.Tier{{Name: "Member"}, {Name: "Gold", MinXP: 100, PointsPercent: 200}}}
		mustPush(t, db, owner, synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, prog))
		push := func(op loyalty.Operation) syncwire.PushResponse {
			return mustPush(t, db, till, synctest.Change(t, op.ID, syncwire.TypeOp, op.ID, op))
		}
		now := time.Now()
		gold := loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "gold", Status: loyalty.CardActive}
		member := loyalty.Card{Code: "M3WX7KQ2RTP", CustomerID: "member", Status: loyalty.CardActive}
		o := loyalty.Origin{Device: "till", At: now.Add(-time.Hour)}
		first, _ := prog.CreditPurchaseIn(o, gold, loyalty.Purchase{Amount: 15000}, nil) // 150 XP: Gold
		if resp := push(first); len(resp.Accepted) != 1 {
			t.Fatalf("first purchase = %+v, want it accepted", resp)
		}
		o.At = now
		doubled, _ := prog.CreditPurchaseIn(o, gold, loyalty.Purchase{Amount: 1000}, &prog.Tiers[1])
		if resp := push(doubled); len(resp.Accepted) != 1 || doubled.Delta.Points != 20 {
			t.Errorf("a Gold customer's purchase earning %d points = %+v, want it accepted", doubled.Delta.Points, resp)
		}
		claimed, _ := prog.CreditPurchaseIn(o, member, loyalty.Purchase{Amount: 1000}, &prog.Tiers[1])
		if resp := push(claimed); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden {
			t.Errorf("a Member's purchase earning Gold's %d points = %+v, want it forbidden", claimed.Delta.Points, resp)
		}
	})
}
