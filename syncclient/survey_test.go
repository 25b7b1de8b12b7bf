package syncclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// A purchase at the till invites the customer at the kiosk of another device; the
// answer reaches the till's inbox; a coupon issued at the till and redeemed at the
// kiosk is used up everywhere.
func TestSurveyAndCouponAcrossDevices(t *testing.T) {
	ctx := context.Background()
	c, till, kiosk, _ := shopOf(t, server.Config{})
	till.start()
	kiosk.start()
	code := till.codes()[0]
	p, err := till.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	purchase, _, err := till.store.RecordPurchase(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: till.store.Device(), At: time.Now()}, a.Card, 1250)
	})
	if err != nil {
		t.Fatal(err)
	}

	var inv nps.Invitation
	waitFor(t, "the invitation at the kiosk", func() bool {
		inv, err = kiosk.store.PendingInvitation(ctx, time.Now())
		return err == nil
	})
	if inv.PurchaseOpID != purchase.ID {
		t.Fatalf("kiosk invitation follows purchase %s, want %s", inv.PurchaseOpID, purchase.ID)
	}
	answer, err := kiosk.store.Answer(ctx, inv.ID, 10, "Lovely croissants", nps.French, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []nps.Response
	waitFor(t, "the answer in the till's inbox", func() bool {
		got, err = till.store.Responses(ctx, localdb.ResponseFilter{Status: nps.Untreated, Limit: 10})
		return err == nil && len(got) == 1
	})
	if got[0].ID != answer.ID || got[0].Score != 10 || got[0].PurchaseOpID != purchase.ID {
		t.Errorf("till inbox = %+v, want the kiosk's answer to purchase %s", got[0], purchase.ID)
	}
	if _, err := till.store.Answer(ctx, inv.ID, 3, "", nps.English, time.Now()); !errors.Is(err, nps.ErrAlreadyAnswered) {
		t.Errorf("second answer at the till err = %v, want ErrAlreadyAnswered", err)
	}

	coupon, err := till.store.IssueCoupon(ctx, answer.ID, answer.CustomerID, "A free coffee")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the coupon at the kiosk", func() bool {
		_, err := kiosk.store.RedeemCoupon(ctx, coupon.Code, "kiosk")
		return err == nil
	})
	settle(t, c, till, kiosk)
	if _, err := till.store.RedeemCoupon(ctx, coupon.Code, "till"); !errors.Is(err, localdb.ErrCouponUsed) {
		t.Errorf("redeeming at the till after the kiosk err = %v, want ErrCouponUsed", err)
	}
}
