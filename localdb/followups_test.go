package localdb_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/localdb"
)

func TestQueueEmail(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	for _, to := range []string{"not an address", "Ana <ana@example.com>"} {
		if _, err := s.QueueEmail(ctx, localdb.Email{ResponseID: "r1", To: to, Subject: "Hi", Text: "Hello"}); !errors.Is(err, localdb.ErrBadRecipient) {
			t.Errorf("QueueEmail(to %q) = %v, want ErrBadRecipient", to, err)
		}
	}
	pending, _ := s.Pending(ctx)
	e, err := s.QueueEmail(ctx, localdb.Email{ResponseID: "r1", To: " ana@Example.com ", Subject: " Sorry ", Text: "We are sorry.", Staff: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Pending(ctx); n != pending+1 {
		t.Errorf("outbox grew by %d, want the email queued once", n-pending)
	}
	var typ, body string
	if err := s.DB().QueryRowContext(ctx, `SELECT type, body FROM outbox WHERE change_id = ?`, e.ID).Scan(&typ, &body); err != nil {
		t.Fatal(err)
	}
	if typ != "email" || !strings.Contains(body, `"to":"ana@example.com"`) || !strings.Contains(body, `"subject":"Sorry"`) || !strings.Contains(body, `"text":"We are sorry."`) {
		t.Errorf("queued change %s %s, want an email with to, subject and text", typ, body)
	}
	if err := s.SetEmailStatus(ctx, e.ID, localdb.EmailFailed, "mailbox full"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Emails(ctx, "r1")
	if err != nil || len(got) != 1 || got[0].Status != localdb.EmailFailed || got[0].Error != "mailbox full" {
		t.Errorf("Emails = %+v, %v; want the failed email", got, err)
	}
}

func TestCouponRedeemsOnce(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	c, err := s.IssueCoupon(ctx, "r9", "cust", "A free coffee")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.IssueCoupon(ctx, "r9", "cust", "Another"); err != nil || again.Code != c.Code {
		t.Errorf("second IssueCoupon = %+v, %v; want the first coupon back", again, err)
	}
	if !strings.HasPrefix(c.Code, localdb.CouponPrefix) || len(c.Code) != len("MERCI-XXXX-XXXX") {
		t.Errorf("coupon code %q", c.Code)
	}
	if got, err := s.RedeemCoupon(ctx, " "+strings.ToLower(c.Code)+" ", "cashier"); err != nil || got.Offer != "A free coffee" || got.RedeemedAt.IsZero() {
		t.Errorf("RedeemCoupon = %+v, %v", got, err)
	}
	if _, err := s.RedeemCoupon(ctx, c.Code, "cashier"); !errors.Is(err, localdb.ErrCouponUsed) {
		t.Errorf("second RedeemCoupon = %v, want ErrCouponUsed", err)
	}
	if _, err := s.RedeemCoupon(ctx, "MERCI-AAAA-AAAA", "cashier"); !errors.Is(err, localdb.ErrNoCoupon) {
		t.Errorf("RedeemCoupon(unknown) = %v, want ErrNoCoupon", err)
	}
}
