package syncclient_test

import (
	"context"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncwire"
)

// Two owner's desks that both see a promoter's answer untreated, and both apply the
// rules before hearing of each other, make one coupon, one email and one set of
// follow-ups: on each device and on the cloud.
func TestRulesApplyOnceAcrossTwoDesks(t *testing.T) {
	ctx := context.Background()
	c, desk, till, _ := shopOf(t, server.Config{})
	code, err := c.db.NewCode(ctx, c.shop.ID, syncwire.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	desk2 := newDevice(t, "second desk", false)
	desk2.enroll(c.url(), code.Code)
	for _, d := range []*device{desk, till, desk2} {
		d.start()
	}
	settle(t, c, desk, till, desk2)

	// The customer answers on the till's customer screen.
	p, err := till.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := till.store.RecordPurchase(ctx, till.codes()[0], func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: till.store.Device(), At: time.Now()}, a.Card, 1250)
	}); err != nil {
		t.Fatal(err)
	}
	inv, err := till.store.PendingInvitation(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	answer, err := till.store.Answer(ctx, inv.ID, 10, "", nps.French, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	settle(t, c, desk, till, desk2)
	desk.stop()
	desk2.stop()

	rules := nps.DefaultRules().WithDefaults(func(nps.Lang, nps.Category) nps.Message {
		return nps.Message{Subject: "Merci {name}", Body: "Votre code : {code}", Offer: "Un café"}
	})
	for _, d := range []*device{desk, desk2} {
		if n, err := d.store.ApplyRules(ctx, rules, localdb.RuleFormat{}); err != nil || n != 1 {
			t.Fatalf("%s: ApplyRules = %d, %v; want the answer acted on", d.name, n, err)
		}
	}
	desk.start()
	desk2.start()
	settle(t, c, desk, till, desk2)

	var code0 string
	for i, d := range []*device{desk, desk2} {
		cp, err := d.store.CouponFor(ctx, answer.ID)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		if i == 0 {
			code0 = cp.Code
		} else if cp.Code != code0 {
			t.Errorf("coupons %s and %s: want one code everywhere", code0, cp.Code)
		}
		emails, err := d.store.Emails(ctx, answer.ID)
		if err != nil || len(emails) != 1 || emails[0].Text != "Votre code : "+code0 {
			t.Errorf("%s: emails %+v, %v; want one, with the code %s", d.name, emails, err, code0)
		}
		acts, err := d.store.Actions(ctx, answer.ID)
		if err != nil || len(acts) != 3 {
			t.Errorf("%s: %d follow-ups, %v; want the coupon's, the email's and the close", d.name, len(acts), err)
		}
		if r, _ := d.store.Response(ctx, answer.ID); r.Status != nps.Closed {
			t.Errorf("%s: answer %s, want closed", d.name, r.Status)
		}
	}
	count := map[string]map[string]bool{}
	for _, ch := range c.log() {
		if count[ch.Type] == nil {
			count[ch.Type] = map[string]bool{}
		}
		count[ch.Type][ch.Key] = true
	}
	if n := len(count[syncwire.TypeEmail]); n != 1 {
		t.Errorf("the cloud holds %d emails, want 1", n)
	}
	if n := len(count[localdb.TypeCoupon]); n != 1 {
		t.Errorf("the cloud holds %d coupons, want 1", n)
	}
	if n := len(count[localdb.TypeNPSAction]); n != 3 {
		t.Errorf("the cloud holds %d follow-ups, want 3", n)
	}
	var rejected int
	for _, d := range []*device{desk, desk2} {
		rs, _ := d.store.Rejected(ctx, 10)
		rejected += len(rs)
	}
	if rejected != 0 {
		for _, d := range []*device{desk, desk2} {
			rs, _ := d.store.Rejected(ctx, 10)
			t.Logf("%s: %+v", d.name, rs)
		}
		t.Errorf("%d changes rejected, want none", rejected)
	}
}
