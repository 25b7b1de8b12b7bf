package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// monthPage is what the month holds for the shop's customers: the points and cashback
// that expire by its end.
type monthPage struct {
	d        *desk
	program  loyalty.Program
	expiring *fyne.Container
}

func (d *desk) monthPage() fyne.CanvasObject {
	p := &monthPage{d: d, expiring: container.NewVBox()}
	var err error
	if p.program, err = d.u.program(); err != nil {
		d.fail(err)
	}
	l := d.u.lang
	p.load()
	return container.NewVScroll(container.NewVBox(
		section(l.T("month.expiring"), p.expiring),
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
		name := e.Customer.Name
		if name == "" {
			name = l.T("counter.anonymous")
		}
		title := widget.NewLabel(name + " · " + cards.Code(e.Card.Code).String())
		title.TextStyle.Bold = true
		what := widget.NewLabel(l.Expiry(e.Expiry, p.program.Currency))
		code := e.Card.Code
		open := widget.NewButtonWithIcon(l.T("alerts.open_customer"), theme.AccountIcon(), func() { d.openCustomer(code) })
		p.expiring.Add(container.NewBorder(nil, nil, nil, open, container.NewVBox(title, what)))
		p.expiring.Add(widget.NewSeparator())
	}
}

// hintLabel is a wrapped line of explanation.
func hintLabel(s string) *widget.Label {
	h := widget.NewLabel(s)
	h.Wrapping = fyne.TextWrapWord
	return h
}
