package localdb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

// The store keeps the customer rules whoever calls it: the counter's form, the desk, an
// import. A refused customer writes nothing, not even to the outbox.
func TestStoreRefusesCustomersBreakingTheRules(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	pending, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewAccount(ctx, loyalty.Customer{Name: "Bob", Email: "Bob <bob@x.com>"}); !errors.Is(err, loyalty.ErrBadEmail) {
		t.Errorf("NewAccount with a display name in the email: %v, want %v", err, loyalty.ErrBadEmail)
	}
	a := newAccount(t, s, "ana")
	edited := a.Customer
	edited.Phone = "call me"
	if err := s.SaveCustomer(ctx, edited); !errors.Is(err, loyalty.ErrBadPhone) {
		t.Errorf("SaveCustomer with a bad phone: %v, want %v", err, loyalty.ErrBadPhone)
	}
	after, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := pending + 2; after != want { // ana and her card
		t.Errorf("outbox holds %d changes, want %d", after, want)
	}

	edited.Phone, edited.Email = " +33 6 12 34 56 78 ", " Ana@Example.COM "
	if err := s.SaveCustomer(ctx, edited); err != nil {
		t.Fatal(err)
	}
	got, err := s.AccountByCode(ctx, a.Code())
	if err != nil {
		t.Fatal(err)
	}
	if got.Customer.Email != "Ana@example.com" || got.Customer.Phone != "+33 6 12 34 56 78" {
		t.Errorf("stored email %q, phone %q: want them trimmed, the domain in lower case", got.Customer.Email, got.Customer.Phone)
	}
}
