package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
)

// The counter's new-customer form refuses an email with a display name, as the import
// and the mailer do, and saying why; the bare address goes through.
func TestNewCustomerFormRefusesANamedEmail(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	c := u.newCounter()
	c.onNewCustomer()
	form := topOverlay(t, c.win)
	entries := findAll[*widget.Entry](form)
	name, email := entries[0], entries[1]
	create := button(t, form, u.lang.T("customer.create"))

	test.Type(name, "Bob")
	test.Type(email, "Bob <bob@x.com>")
	if err := email.Validate(); err == nil || err.Error() != u.lang.T("customer.bad_email") {
		t.Errorf("email %q: validation error %v, want %q", email.Text, err, u.lang.T("customer.bad_email"))
	}
	if !create.Disabled() {
		t.Errorf("%q is offered with the email %q", create.Text, email.Text)
	}

	email.SetText("bob@X.com")
	if create.Disabled() {
		t.Fatalf("%q is disabled with the email %q", create.Text, email.Text)
	}
	test.Tap(create)
	found, err := store.SearchAccounts(context.Background(), "bob@x.com", 2)
	if err != nil || len(found) != 1 || found[0].Customer.Email != "bob@x.com" {
		t.Errorf("customers with bob@x.com = %+v, %v; want Bob, his email's domain in lower case", found, err)
	}
}
