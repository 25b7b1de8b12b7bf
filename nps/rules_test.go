package nps_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/nps"
)

func TestDefaultRulesFollowTheRoutine(t *testing.T) {
	rs := nps.DefaultRules()
	if got, want := rs.For(nps.Promoter), (nps.Rule{Email: true, Coupon: true, CouponDays: 30, Close: true}); got != want {
		t.Errorf("promoters: %+v, want %+v", got, want)
	}
	for _, c := range []nps.Category{nps.Passive, nps.Detractor} {
		if rs.For(c).Acts() {
			t.Errorf("%s: %+v, want nothing done", c, rs.For(c))
		}
	}
}

func TestFill(t *testing.T) {
	text := "Hello {name},\nThanks from {shop}.\nYour code: {code} ({offer})\nValid until {until}.\nBye"
	tests := []struct {
		name string
		f    nps.Fields
		want string
	}{
		{"everything", nps.Fields{Name: "Ana", Shop: "Café", Code: "MERCI-AB", Offer: "A coffee", Until: "1 May"},
			"Hello Ana,\nThanks from Café.\nYour code: MERCI-AB (A coffee)\nValid until 1 May.\nBye"},
		{"no coupon", nps.Fields{Name: "Ana", Shop: "Café"}, "Hello Ana,\nThanks from Café.\nBye"},
		{"no end", nps.Fields{Shop: "Café", Code: "MERCI-AB", Offer: "A coffee"},
			"Hello,\nThanks from Café.\nYour code: MERCI-AB (A coffee)\nBye"},
	}
	for _, tt := range tests {
		if got := nps.Fill(text, tt.f); got != tt.want {
			t.Errorf("%s: Fill = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRulesValidate(t *testing.T) {
	ok := nps.DefaultRules().SetMessage(nps.French, nps.Promoter, nps.Message{Subject: "Merci {name}", Body: "{code}"})
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	for name, rs := range map[string]nps.Rules{
		"negative days": nps.DefaultRules().Set(nps.Passive, nps.Rule{Coupon: true, CouponDays: -1}),
		"unknown field": nps.DefaultRules().SetMessage(nps.English, nps.Detractor, nps.Message{Body: "Hi {firstname}"}),
	} {
		if err := rs.Validate(); !errors.Is(err, nps.ErrInvalidRules) {
			t.Errorf("%s: Validate = %v, want ErrInvalidRules", name, err)
		}
	}
}

func TestWithDefaultsKeepsWhatTheOwnerWrote(t *testing.T) {
	rs := nps.DefaultRules().SetMessage(nps.French, nps.Promoter, nps.Message{Subject: "Merci !"})
	got := rs.WithDefaults(func(l nps.Lang, c nps.Category) nps.Message {
		return nps.Message{Subject: string(l) + " " + string(c), Body: "body", Offer: "offer"}
	})
	if m := got.Message(nps.French, nps.Promoter); m != (nps.Message{Subject: "Merci !", Body: "body", Offer: "offer"}) {
		t.Errorf("French promoters: %+v", m)
	}
	if m := got.Message(nps.English, nps.Detractor); m.Subject != "en detractor" {
		t.Errorf("English detractors: %+v", m)
	}
	if len(rs.Messages) != 1 || len(rs.Messages[nps.French]) != 1 {
		t.Errorf("WithDefaults changed the rules it was called on: %v", rs.Messages)
	}
}

func TestRuleIDIsTheSameOnEveryDevice(t *testing.T) {
	answer := uuid.Must(uuid.NewV7()).String()
	a, err := nps.RuleID(answer, "email")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := nps.RuleID(answer, "email")
	c, _ := nps.RuleID(answer, "close")
	if a != b || a == c {
		t.Errorf("RuleID: email %s then %s, close %s: want the same id twice, another for close", a, b, c)
	}
	if u := uuid.MustParse(a); u.Version() != 7 || u.Time() != uuid.MustParse(answer).Time() {
		t.Errorf("RuleID %s: want a UUIDv7 with the answer's time", a)
	}
	if _, err := nps.RuleID("nope", "email"); !errors.Is(err, nps.ErrInvalidResponse) {
		t.Errorf("RuleID of a bad id: %v", err)
	}
}
