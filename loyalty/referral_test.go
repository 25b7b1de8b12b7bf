package loyalty_test

import (
	"testing"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
)

// The referral bonuses go to both customers, under ids any till derives alike from the
// newcomer; a program without the bonus, or a customer referring themselves, makes none.
func TestReferralBonuses(t *testing.T) {
	p := loyalty.Program{Currency: "EUR", ReferralPoints: 30}
	newcomer := loyalty.Customer{ID: "new-1", CreatedAt: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
	newCard := loyalty.Card{Code: "NEWCARD0001", CustomerID: "new-1", Status: loyalty.CardActive}
	referrer := loyalty.Card{Code: "OLDCARD0001", CustomerID: "old-1", Status: loyalty.CardBlocked}
	one, err := p.ReferralBonuses(loyalty.Origin{Device: "a", At: time.Now()}, newcomer, newCard, referrer)
	if err != nil {
		t.Fatal(err)
	}
	two, _ := p.ReferralBonuses(loyalty.Origin{Device: "b", At: time.Now().Add(time.Hour)}, newcomer, newCard, referrer)
	if len(one) != 2 || one[0].CustomerID != "new-1" || one[1].CustomerID != "old-1" {
		t.Fatalf("bonuses = %+v, want the newcomer's then the referrer's", one)
	}
	for i, op := range one {
		if op.ID != two[i].ID || op.Delta != (loyalty.Delta{Points: 30}) || op.Reason != "referral:new-1" || op.Validate() != nil {
			t.Errorf("bonus %d = %+v and %+v from two tills; want one id, 30 points, valid", i, op, two[i])
		}
		if want := loyalty.BonusID(op.CustomerID, op.Reason, newcomer.CreatedAt); op.ID != want {
			t.Errorf("bonus %d id = %s, want %s", i, op.ID, want)
		}
	}
	if one[0].ID == one[1].ID {
		t.Errorf("both bonuses share id %s", one[0].ID)
	}
	if id, ok := loyalty.ReferralOf(one[0].Reason); !ok || id != "new-1" {
		t.Errorf("ReferralOf(%q) = %q, %v", one[0].Reason, id, ok)
	}
	if _, err := (loyalty.Program{Currency: "EUR"}).ReferralBonuses(loyalty.Origin{Device: "a", At: time.Now()}, newcomer, newCard, referrer); err == nil {
		t.Errorf("a program without a referral bonus gave one")
	}
	self := referrer
	self.CustomerID = "new-1"
	if _, err := p.ReferralBonuses(loyalty.Origin{Device: "a", At: time.Now()}, newcomer, newCard, self); err == nil {
		t.Errorf("a customer referring themselves got a bonus")
	}
}
