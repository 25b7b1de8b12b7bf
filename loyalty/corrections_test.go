package loyalty_test

import (
	"errors"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestAdjustCashback(t *testing.T) {
	bal := loyalty.Balance{Points: 4, Cashback: 250}
	op, err := loyalty.AdjustCashback(origin, card, bal, -200, "EUR", " gesture refused ")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := op.Delta, (loyalty.Delta{Cashback: -200}); got != want || op.Kind != loyalty.KindAdjust || op.Reason != "gesture refused" {
		t.Errorf("AdjustCashback = %+v, want an adjustment of %+v with the reason trimmed", op, want)
	}
	if err := op.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	for _, tt := range []struct {
		name   string
		amount loyalty.Money
		reason string
		want   error
	}{
		{"no reason", 100, " ", loyalty.ErrReasonRequired},
		{"zero", 0, "typo", loyalty.ErrInvalidAmount},
		{"below zero", -251, "typo", loyalty.ErrNotEnoughCashback},
		{"over the bound", loyalty.MaxMoney + 1, "typo", loyalty.ErrAmountTooLarge},
	} {
		if _, err := loyalty.AdjustCashback(origin, card, bal, tt.amount, "EUR", tt.reason); !errors.Is(err, tt.want) {
			t.Errorf("%s: AdjustCashback(%d) err = %v, want %v", tt.name, tt.amount, err, tt.want)
		}
	}
}

func TestWriteOff(t *testing.T) {
	op, err := loyalty.WriteOff(origin, card, loyalty.Balance{Points: -40, Cashback: 120, XP: 900}, "EUR", "two tills offline")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := op.Delta, (loyalty.Delta{Points: 40}); got != want || op.Kind != loyalty.KindAdjust {
		t.Errorf("WriteOff delta = %+v (%s), want %+v: only the part below zero, back to zero", got, op.Kind, want)
	}
	op, err = loyalty.WriteOff(origin, card, loyalty.Balance{Points: -3, Cashback: -150}, "EUR", "gift")
	if err != nil || op.Delta != (loyalty.Delta{Points: 3, Cashback: 150}) {
		t.Errorf("WriteOff of both = %+v, %v", op.Delta, err)
	}
	if _, err := loyalty.WriteOff(origin, card, loyalty.Balance{Points: 5}, "EUR", "gift"); !errors.Is(err, loyalty.ErrNotOverdrawn) {
		t.Errorf("WriteOff of a balance above zero err = %v, want %v", err, loyalty.ErrNotOverdrawn)
	}
	if _, err := loyalty.WriteOff(origin, card, loyalty.Balance{Points: -5}, "EUR", ""); !errors.Is(err, loyalty.ErrReasonRequired) {
		t.Errorf("WriteOff without a reason err = %v", err)
	}
}

func TestCancelRestoresBalanceAndTier(t *testing.T) {
	// Gold, then a purchase of 600 € reaches Platinum (1200 XP); part of it refunded,
	// its points partly spent. Cancelling it goes back to before the purchase.
	before := loyalty.Balance{Points: 5, Cashback: 10, XP: 100}
	purchase := mustOp(cafe.Credit(origin, card, 60000))
	refund := mustOp(loyalty.Refund(origin, card, before.Add(purchase.Delta), purchase, 10000, 0))
	spend := mustOp(loyalty.Debit(origin, card, before.Add(purchase.Delta).Add(refund.Delta), 500))
	bal := loyalty.Sum([]loyalty.Operation{{Delta: loyalty.Delta(before)}, purchase, refund, spend})
	if tier, _ := cafe.TierFor(bal.XP); tier == nil || tier.Name != "Platinum" {
		t.Fatalf("tier before the cancellation = %v, want Platinum", tier)
	}
	void, err := loyalty.Cancel(origin, card, bal, loyalty.Cancellation{Target: purchase, Refunded: refund.Delta}, "keyed twice")
	if err != nil {
		t.Fatal(err)
	}
	after := bal.Add(void.Delta)
	if want := before.Add(spend.Delta); after != want {
		t.Errorf("balance after the cancellation = %+v, want %+v: as if the purchase (and its refund) never happened", after, want)
	}
	if after.Points >= 0 {
		t.Errorf("points after = %d: the spend of points the purchase earned should leave the card overdrawn", after.Points)
	}
	if tier, _ := cafe.TierFor(after.XP); tier == nil || tier.Name != "Gold" {
		t.Errorf("tier after the cancellation = %v, want Gold", tier)
	}
	if void.Kind != loyalty.KindVoid || void.Target != purchase.ID || void.Reason != "keyed twice" || void.Validate() != nil {
		t.Errorf("Cancel = %+v (valid: %v)", void, void.Validate())
	}
}

func TestCancelRefusals(t *testing.T) {
	purchase := mustOp(cafe.Credit(origin, card, 1250))
	bal := purchase.Delta
	b := loyalty.Balance(bal)
	refund := mustOp(loyalty.Refund(origin, card, b, purchase, 500, 0))
	other := card
	other.CustomerID = "cust-2"
	for _, tt := range []struct {
		name   string
		card   loyalty.Card
		x      loyalty.Cancellation
		reason string
		want   error
	}{
		{"no reason", card, loyalty.Cancellation{Target: purchase}, "  ", loyalty.ErrReasonRequired},
		{"twice", card, loyalty.Cancellation{Target: purchase, Voided: true}, "typo", loyalty.ErrAlreadyVoided},
		{"a cancellation", card, loyalty.Cancellation{Target: mustOp(loyalty.Void(origin, card, b, purchase, false))}, "typo", loyalty.ErrNotVoidable},
		{"another customer's", other, loyalty.Cancellation{Target: purchase}, "typo", loyalty.ErrWrongCustomer},
		{"a refund of a cancelled purchase", card, loyalty.Cancellation{Target: refund, PurchaseVoided: true}, "typo", loyalty.ErrPurchaseCancelled},
	} {
		if _, err := loyalty.Cancel(origin, tt.card, b, tt.x, tt.reason); !errors.Is(err, tt.want) {
			t.Errorf("%s: Cancel err = %v, want %v", tt.name, err, tt.want)
		}
	}
	// A spend that overdrew the card: its cancellation gives back what it took.
	blocked := card
	blocked.Status = loyalty.CardBlocked
	spend := mustOp(loyalty.Debit(origin, card, loyalty.Balance{Points: 10}, 10))
	void, err := loyalty.Cancel(origin, blocked, loyalty.Balance{Points: -10}, loyalty.Cancellation{Target: spend}, "offline twice")
	if err != nil || void.Delta != (loyalty.Delta{Points: 10}) {
		t.Errorf("Cancel of an overdrawing spend on a blocked card = %+v, %v; want +10 points", void.Delta, err)
	}
}

func TestVoidIDIsTheSameOnEveryDevice(t *testing.T) {
	purchase := mustOp(cafe.Credit(origin, card, 1250))
	elsewhere := origin
	elsewhere.Device, elsewhere.Staff = "dev-2", "staff-2"
	a := mustOp(loyalty.Void(origin, card, loyalty.Balance(purchase.Delta), purchase, false))
	b := mustOp(loyalty.Cancel(elsewhere, card, loyalty.Balance(purchase.Delta), loyalty.Cancellation{Target: purchase}, "typo"))
	if a.ID != b.ID {
		t.Errorf("void ids %s and %s differ: two devices would cancel the purchase twice", a.ID, b.ID)
	}
	other := mustOp(cafe.Credit(origin, card, 1250))
	c := mustOp(loyalty.Void(origin, card, loyalty.Balance(other.Delta), other, false))
	if c.ID == a.ID {
		t.Errorf("two purchases' voids share the id %s", c.ID)
	}
	if a.ID[:13] != purchase.ID[:13] || a.Validate() != nil {
		t.Errorf("void id %s: want a valid UUIDv7 with the time of %s", a.ID, purchase.ID)
	}
	if _, err := loyalty.VoidID("not-an-id"); !errors.Is(err, loyalty.ErrInvalidOperation) {
		t.Errorf("VoidID of a bad id err = %v", err)
	}
}

// mustOp returns op, or panics on err: the tests build the operations they start from.
func mustOp(op loyalty.Operation, err error) loyalty.Operation {
	if err != nil {
		panic(err)
	}
	return op
}
