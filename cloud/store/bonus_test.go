package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// A till's birthday and referral bonuses are admitted exactly as the program gives
// them: its points or fewer, to the customers it names, under the ids every device
// derives, once; anything more is refused.
func TestTillBonusesAsTheProgramGives(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		owner := mustDevice(t, db, "Shop")
		a, b := mustTill(t, db, owner, "a"), mustTill(t, db, owner, "b")
		prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1, BirthdayPoints: 50, ReferralPoints: 30}
		now := time.Now()
		ana := loyalty.Customer{ID: "ana", Name: "Ana", CreatedAt: now.AddDate(-1, 0, 0), BirthDay: now.Day(), BirthMonth: int(now.Month())}
		anaCard := loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "ana", Status: loyalty.CardActive}
		bea := loyalty.Customer{ID: "bea", Name: "Bea", CreatedAt: now, ReferredBy: anaCard.Code}
		beaCard := loyalty.Card{Code: "M3WX7KQ2RTP", CustomerID: "bea", Status: loyalty.CardActive}
		mustPush(t, db, owner,
			synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, prog),
			synctest.Record(t, syncwire.TypeCustomer, "ana", ana), synctest.Record(t, syncwire.TypeCard, anaCard.Code, anaCard),
			synctest.Record(t, syncwire.TypeCustomer, "bea", bea), synctest.Record(t, syncwire.TypeCard, beaCard.Code, beaCard))
		push := func(dev store.Device, op loyalty.Operation) syncwire.PushResponse {
			return mustPush(t, db, dev, synctest.Change(t, op.ID, syncwire.TypeOp, op.ID, op))
		}
		forbidden := func(what string, op loyalty.Operation) {
			t.Helper()
			if resp := push(a, op); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden {
				t.Errorf("%s = %+v, want it forbidden", what, resp)
			}
		}
		o := loyalty.Origin{Device: "a", At: now}

		bday, in := prog.BirthdayAt(ana, now)
		if !in {
			t.Fatal("today is not in Ana's birthday week")
		}
		gift, err := prog.BirthdayBonus(o, anaCard, bday)
		if err != nil {
			t.Fatal(err)
		}
		more := prog
		more.BirthdayPoints = 500
		greedy, _ := more.BirthdayBonus(o, anaCard, loyalty.Birthday{Date: bday.Date.AddDate(-1, 0, 0)})
		forbidden("a birthday bonus over the program's points", greedy)
		beaGift, _ := prog.BirthdayBonus(o, beaCard, bday)
		forbidden("a birthday bonus of a customer without a birthday", beaGift)
		forged := gift
		forged.ID = synctest.NewID(t)
		forbidden("a birthday bonus under another id", forged)
		if resp := push(a, gift); len(resp.Accepted) != 1 {
			t.Fatalf("birthday bonus = %+v, want it accepted", resp)
		}
		again, _ := prog.BirthdayBonus(loyalty.Origin{Device: "b", At: now.Add(time.Minute)}, anaCard, bday)
		if resp := push(b, again); len(resp.Duplicate) != 1 {
			t.Errorf("the same birthday bonus from another till = %+v, want a duplicate", resp)
		}

		bonuses, err := prog.ReferralBonuses(o, bea, beaCard, anaCard)
		if err != nil {
			t.Fatal(err)
		}
		third := bonuses[1]
		third.CustomerID = "carl"
		third.ID = loyalty.BonusID("carl", third.Reason, bea.CreatedAt)
		forbidden("a referral bonus to a third customer", third)
		reversed, _ := prog.ReferralBonuses(o, ana, anaCard, beaCard)
		forbidden("a referral bonus of a customer nobody referred", reversed[0])
		for _, op := range bonuses {
			if resp := push(a, op); len(resp.Accepted) != 1 {
				t.Errorf("referral bonus of %s = %+v, want it accepted", op.CustomerID, resp)
			}
		}
		twice, _ := prog.ReferralBonuses(loyalty.Origin{Device: "b", At: now.Add(time.Hour)}, bea, beaCard, anaCard)
		for _, op := range twice {
			if resp := push(b, op); len(resp.Duplicate) != 1 {
				t.Errorf("the referral bonus of %s from another till = %+v, want a duplicate", op.CustomerID, resp)
			}
		}
		for id, want := range map[string]int64{"ana": 50 + 30, "bea": 30} {
			if bal, err := db.Balance(ctx, owner.ShopID, id); err != nil || bal.Points != want {
				t.Errorf("balance of %s = %+v, %v; want %d points", id, bal, err, want)
			}
		}
	})
}
