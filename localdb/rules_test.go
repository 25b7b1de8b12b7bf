package localdb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// testRules are the default routine with a message in every language.
func testRules() nps.Rules {
	return nps.DefaultRules().WithDefaults(func(l nps.Lang, c nps.Category) nps.Message {
		return nps.Message{Subject: "Thanks {name} (" + string(l) + ")", Offer: "A free coffee",
			Body: "Hello {name},\nYour code: {code} ({offer})\nValid until {until}.\n{shop}"}
	})
}

var testFormat = localdb.RuleFormat{Date: func(_ nps.Lang, t time.Time) string { return t.Format("2006-01-02") }}

// answerAt makes a purchase on the card of a new customer named name and answers its
// survey with score at t0.
func answerAt(tb testing.TB, s *localdb.Store, name string, score int) nps.Response {
	tb.Helper()
	ctx := context.Background()
	a := newAccount(tb, s, name)
	purchase(tb, s, a.Code(), t0)
	inv, err := s.PendingInvitation(ctx, t0)
	if err != nil {
		tb.Fatal(err)
	}
	r, err := s.Answer(ctx, inv.ID, score, "", nps.French, t0.Add(time.Minute))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestApplyRulesThanksPromotersOnce(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	s.Now = func() time.Time { return t0.Add(time.Hour) }
	promoter := answerAt(t, s, "lou", 10)
	detractor := answerAt(t, s, "max", 2)

	n, err := s.ApplyRules(ctx, testRules(), testFormat)
	if err != nil || n != 1 {
		t.Fatalf("ApplyRules = %d, %v; want 1 answer acted on", n, err)
	}
	if n, err := s.ApplyRules(ctx, testRules(), testFormat); err != nil || n != 0 {
		t.Errorf("second ApplyRules = %d, %v; want nothing more", n, err)
	}
	c, err := s.CouponFor(ctx, promoter.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 4, 2, 0, 0, 0, 0, t0.Location()); !c.ExpiresAt.Equal(want) || c.Offer != "A free coffee" {
		t.Errorf("coupon %+v, want A free coffee until %s", c, want)
	}
	emails, err := s.Emails(ctx, promoter.ID)
	if err != nil || len(emails) != 1 {
		t.Fatalf("Emails = %+v, %v; want one", emails, err)
	}
	e := emails[0]
	wantText := "Hello lou,\nYour code: " + c.Code + " (A free coffee)\nValid until 2026-04-01.\nCafé Merci (demo)"
	if e.Subject != "Thanks lou (fr)" || e.Text != wantText || e.To != "lou@example.com" || e.Staff != localdb.RuleStaff {
		t.Errorf("email %+v, want the French thank-you with the coupon's code %q", e, wantText)
	}
	if id, _ := nps.RuleID(promoter.ID, "email"); e.ID != id {
		t.Errorf("email id %s, want the rule's id %s", e.ID, id)
	}
	if r, _ := s.Response(ctx, promoter.ID); r.Status != nps.Closed {
		t.Errorf("promoter's answer %s, want closed", r.Status)
	}
	acts, _ := s.Actions(ctx, promoter.ID)
	var kinds []string
	for _, a := range acts {
		kinds = append(kinds, string(a.Kind))
	}
	if got := strings.Join(kinds, ","); got != "comment,email,close" {
		t.Errorf("history %s, want the coupon noted, the email and the close", got)
	}
	if r, _ := s.Response(ctx, detractor.ID); r.Status != nps.Untreated {
		t.Errorf("detractor's answer %s, want left untreated for a person", r.Status)
	}
	if _, err := s.CouponFor(ctx, detractor.ID); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("detractor's coupon: %v, want none", err)
	}
}

func TestApplyRulesLeavesOldAnswers(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	s.Now = func() time.Time { return t0.Add(localdb.RuleWindow + time.Hour) }
	answerAt(t, s, "lou", 10)
	if n, err := s.ApplyRules(ctx, testRules(), testFormat); err != nil || n != 0 {
		t.Errorf("ApplyRules = %d, %v; want an answer older than the window left alone", n, err)
	}
}

func TestRuleCouponExpires(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	s.Now = func() time.Time { return t0.Add(time.Hour) }
	r := answerAt(t, s, "lou", 9)
	if _, err := s.ApplyRules(ctx, testRules(), testFormat); err != nil {
		t.Fatal(err)
	}
	c, _ := s.CouponFor(ctx, r.ID)
	s.Now = func() time.Time { return c.ExpiresAt }
	if _, err := s.RedeemCoupon(ctx, c.Code, "cashier"); !errors.Is(err, localdb.ErrCouponExpired) {
		t.Errorf("RedeemCoupon at its end = %v, want ErrCouponExpired", err)
	}
	s.Now = func() time.Time { return c.ExpiresAt.Add(-time.Minute) }
	if _, err := s.RedeemCoupon(ctx, c.Code, "cashier"); err != nil {
		t.Errorf("RedeemCoupon on its last day = %v", err)
	}
}

func TestNPSRulesDefaultAndSave(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if rs, err := s.NPSRules(ctx); err != nil || rs.For(nps.Promoter) != nps.DefaultRules().Promoter {
		t.Errorf("NPSRules = %+v, %v; want the default routine", rs, err)
	}
	rs := nps.DefaultRules().Set(nps.Passive, nps.Rule{Email: true})
	if err := s.SaveNPSRules(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.NPSRules(ctx); !got.For(nps.Passive).Email {
		t.Errorf("NPSRules after save = %+v", got)
	}
	if err := s.SaveNPSRules(ctx, rs.Set(nps.Passive, nps.Rule{CouponDays: -2})); !errors.Is(err, nps.ErrInvalidRules) {
		t.Errorf("SaveNPSRules(bad) = %v", err)
	}
}

func TestInboxFilterCountsAndAssign(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	lou := answerAt(t, s, "lou", 10)
	max := answerAt(t, s, "max", 2)
	c, err := s.Customer(ctx, max.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	c.Customer.Company, c.Customer.TaxID = "Bureau_Max SARL", "FR 123 456"
	if err := s.SaveCustomer(ctx, c.Customer); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssignResponse(ctx, lou.ID, "staff-1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddAction(ctx, max.ID, nps.Action{Kind: nps.ActionClose, Staff: "o", At: t0}); err != nil {
		t.Fatal(err)
	}
	ids := func(f localdb.ResponseFilter) []string {
		t.Helper()
		rs, err := s.Responses(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	for name, tt := range map[string]struct {
		f    localdb.ResponseFilter
		want []string
	}{
		"company, any case":   {localdb.ResponseFilter{Search: "bureau_max"}, []string{max.ID}},
		"tax ID":              {localdb.ResponseFilter{Search: "123 456"}, []string{max.ID}},
		"an _ is a character": {localdb.ResponseFilter{Search: "bureau_"}, []string{max.ID}},
		"email":               {localdb.ResponseFilter{Search: "lou@"}, []string{lou.ID}},
		"assigned":            {localdb.ResponseFilter{Assignee: "staff-1"}, []string{lou.ID}},
		"nobody's":            {localdb.ResponseFilter{Assignee: localdb.Unassigned}, []string{max.ID}},
		"before the period":   {localdb.ResponseFilter{From: t0.Add(time.Hour)}, nil},
		"search and status":   {localdb.ResponseFilter{Search: "max", Status: nps.Untreated}, nil},
	} {
		got := ids(tt.f)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: %v, want %v", name, got, tt.want)
		}
	}
	n, err := s.CountResponses(ctx, localdb.ResponseFilter{From: t0, To: t0.Add(time.Hour)})
	if err != nil || n[nps.Untreated] != 1 || n[nps.Closed] != 1 || n[nps.InProgress] != 0 {
		t.Errorf("CountResponses = %v, %v; want 1 untreated and 1 closed", n, err)
	}
	if r, _ := s.Response(ctx, lou.ID); r.Assignee != "staff-1" {
		t.Errorf("assignee %q after AssignResponse", r.Assignee)
	}
}
