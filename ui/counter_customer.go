package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/loyalty"
)

// customerForm is the form of a customer's details, for new customers and edits.
type customerForm struct {
	name, email, phone, company, taxID *widget.Entry
	birthday                           *widget.Entry // "14/03"
	referral                           *widget.Entry // a new customer's referrer's card code; nil on an edit
	consent                            *widget.Check
}

func (u *UI) newCustomerForm(c loyalty.Customer) *customerForm {
	l := u.lang
	f := &customerForm{
		name: widget.NewEntry(), email: widget.NewEntry(), phone: widget.NewEntry(),
		company: widget.NewEntry(), taxID: widget.NewEntry(), birthday: widget.NewEntry(),
		consent: widget.NewCheck(l.T("customer.consent"), nil),
	}
	f.birthday.SetText(loyalty.FormatBirthday(c.BirthDay, c.BirthMonth))
	f.birthday.SetPlaceHolder("14/03")
	f.birthday.Validator = func(s string) error {
		if _, _, err := loyalty.ParseBirthday(s); err != nil {
			return errors.New(l.T("err.bad_birthday"))
		}
		return nil
	}
	if c.ID == "" {
		f.referral = widget.NewEntry()
		f.referral.SetPlaceHolder("K7QM-2XRT-9PC")
	}
	f.name.SetText(c.Name)
	f.email.SetText(c.Email)
	f.phone.SetText(c.Phone)
	f.company.SetText(c.Company)
	f.taxID.SetText(c.TaxID)
	f.consent.SetChecked(c.Consent)
	f.email.Validator = func(s string) error {
		if s = loyalty.NormalizeEmail(s); s != "" && loyalty.CheckEmail(s) != nil {
			return errors.New(l.T("customer.bad_email"))
		}
		return nil
	}
	f.phone.Validator = func(s string) error {
		if s = strings.TrimSpace(s); s != "" && loyalty.CheckPhone(s) != nil {
			return errors.New(l.T("err.bad_phone"))
		}
		return nil
	}
	return f
}

func (f *customerForm) items(u *UI) []*widget.FormItem {
	l := u.lang
	items := []*widget.FormItem{
		widget.NewFormItem(l.T("customer.name"), f.name),
		widget.NewFormItem(l.T("customer.email"), f.email),
		widget.NewFormItem(l.T("customer.phone"), f.phone),
		widget.NewFormItem("", f.consent),
		widget.NewFormItem(l.T("customer.company"), f.company),
		widget.NewFormItem(l.T("customer.tax_id"), f.taxID),
		widget.NewFormItem(l.T("customer.birthday"), f.birthday),
	}
	if f.referral != nil {
		items = append(items, widget.NewFormItem(l.T("customer.referral"), f.referral))
	}
	return items
}

// customer returns the form's values over c. A birthday the form's validator refused
// is kept as it was.
func (f *customerForm) customer(c loyalty.Customer) loyalty.Customer {
	if day, month, err := loyalty.ParseBirthday(f.birthday.Text); err == nil {
		c.BirthDay, c.BirthMonth = day, month
	}
	if f.referral != nil {
		c.ReferredBy = strings.TrimSpace(f.referral.Text)
	}
	c.Name = strings.TrimSpace(f.name.Text)
	c.Email = strings.TrimSpace(f.email.Text)
	c.Phone = strings.TrimSpace(f.phone.Text)
	c.Company = strings.TrimSpace(f.company.Text)
	c.TaxID = strings.TrimSpace(f.taxID.Text)
	c.Consent = f.consent.Checked
	return c
}

// onNewCustomer asks for a new customer's details, creates them with a new card and
// loads the card.
func (c *counter) onNewCustomer() {
	l := c.u.lang
	f := c.u.newCustomerForm(loyalty.Customer{})
	d := dialog.NewForm(l.T("customer.new_title"), l.T("customer.create"), l.T("settings.cancel"), f.items(c.u), func(ok bool) {
		defer c.focus()
		if !ok {
			return
		}
		a, err := c.u.store.NewAccount(c.u.context(), f.customer(loyalty.Customer{}))
		if err != nil {
			c.fail(err)
			return
		}
		c.loadCard(a.Code())
		c.succeed(l.T("customer.created", a.Customer.Name, a.Code().String()))
	}, c.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}
