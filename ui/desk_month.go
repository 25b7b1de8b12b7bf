package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// monthPage is what the month holds for the shop's customers: the points and cashback
// that expire by its end, and the birthdays.
type monthPage struct {
	d                   *desk
	program             loyalty.Program
	expiring, birthdays *fyne.Container
}

func (d *desk) monthPage() fyne.CanvasObject {
	p := &monthPage{d: d, expiring: container.NewVBox(), birthdays: container.NewVBox()}
	var err error
	if p.program, err = d.u.program(); err != nil {
		d.fail(err)
	}
	l := d.u.lang
	p.load()
	p.loadBirthdays()
	return container.NewVScroll(container.NewVBox(
		section(l.T("month.expiring"), p.expiring),
		section(l.T("month.birthdays"), p.birthdays),
	))
}

// endOfMonth is the first moment of the month after now's, in now's time zone.
func endOfMonth(now time.Time) time.Time {
	return time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location())
}

// load lists what expires by the end of the month, soonest first.
func (p *monthPage) load() {
	d, l := p.d, p.d.u.lang
	p.expiring.RemoveAll()
	if !p.program.Expires() {
		p.expiring.Add(hintLabel(l.T("month.no_expiry")))
		return
	}
	now := d.u.clock.Now()
	// Points earned in a month expire on a first of the month, UTC.
	list, err := d.u.store.ExpiringBefore(d.u.context(), now, endOfMonth(now.UTC()))
	if err != nil {
		d.fail(err)
		return
	}
	if len(list) == 0 {
		p.expiring.Add(hintLabel(l.T("month.nothing_expires")))
		return
	}
	for _, e := range list {
		p.expiring.Add(p.row(e.Account, l.Expiry(e.Expiry, p.program.Currency)))
		p.expiring.Add(widget.NewSeparator())
	}
}

// loadBirthdays lists the customers whose birthday is this month, by day.
func (p *monthPage) loadBirthdays() {
	d, l := p.d, p.d.u.lang
	p.birthdays.RemoveAll()
	list, err := d.u.store.BirthdaysIn(d.u.context(), int(d.u.clock.Now().Month()))
	if err != nil {
		d.fail(err)
		return
	}
	if len(list) == 0 {
		p.birthdays.Add(hintLabel(l.T("month.no_birthdays")))
		return
	}
	gift := ""
	if p.program.HasBirthdayReward() {
		gift = l.T("month.birthday_gift", birthdayReward(l, p.program))
	}
	for _, a := range list {
		p.birthdays.Add(p.row(a, l.T("customers.birthday", loyalty.FormatBirthday(a.Customer.BirthDay, a.Customer.BirthMonth))+gift))
		p.birthdays.Add(widget.NewSeparator())
	}
}

// row shows a customer, what the month holds for them, and a button to open them.
func (p *monthPage) row(a localdb.Account, what string) fyne.CanvasObject {
	l := p.d.u.lang
	name := a.Customer.Name
	if name == "" {
		name = l.T("counter.anonymous")
	}
	title := widget.NewLabel(name + " · " + cards.Code(a.Card.Code).String())
	title.TextStyle.Bold = true
	code := a.Card.Code
	open := widget.NewButtonWithIcon(l.T("alerts.open_customer"), theme.AccountIcon(), func() { p.d.openCustomer(code) })
	return container.NewBorder(nil, nil, nil, container.NewCenter(open), container.NewVBox(title, widget.NewLabel(what)))
}

// hintLabel is a wrapped line of explanation.
func hintLabel(s string) *widget.Label {
	h := widget.NewLabel(s)
	h.Wrapping = fyne.TextWrapWord
	return h
}
