package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// alertDays is how far back the desk looks for alerts.
const alertDays = 30

// alertsPage lists the days of the last month that look like abuse, each with what
// to do about it at hand (block the card, open the customer), and the thresholds.
type alertsPage struct {
	d        *desk
	currency string
	list     *fyne.Container
	// the thresholds
	ops, points, cashback, adjPoints, adjCashback, email *widget.Entry
	save                                                 *widget.Button
}

func (d *desk) alertsPage() fyne.CanvasObject {
	p := &alertsPage{d: d, list: container.NewVBox()}
	if prog, err := d.u.program(); err == nil {
		p.currency = prog.Currency
	} else {
		d.fail(err)
	}
	l := d.u.lang
	hint := widget.NewLabel(l.T("alerts.hint", alertDays))
	hint.Wrapping = fyne.TextWrapWord
	p.load()
	return container.NewVScroll(container.NewVBox(
		section(l.T("alerts.recent", alertDays), container.NewVBox(hint, p.list)),
		p.rulesSection()))
}

// load lists the alerts of the last alertDays days, newest first.
func (p *alertsPage) load() {
	d, l := p.d, p.d.u.lang
	now := d.u.clock.Now()
	alerts, err := d.u.store.Alerts(d.u.context(), now.AddDate(0, 0, -alertDays), now.Location())
	if err != nil {
		d.fail(err)
		return
	}
	p.list.RemoveAll()
	if len(alerts) == 0 {
		none := widget.NewLabel(l.T("alerts.none", alertDays))
		none.Importance = widget.SuccessImportance
		p.list.Add(none)
		return
	}
	for _, a := range alerts {
		p.list.Add(p.row(a))
		p.list.Add(widget.NewSeparator())
	}
}

// row shows one alert: the day and what happened, and the actions.
func (p *alertsPage) row(a localdb.AlertEntry) fyne.CanvasObject {
	l := p.d.u.lang
	title := widget.NewLabel(l.ShortDate(a.Day) + " · " + l.Alert(a.Alert, a.CustomerName, a.StaffName, p.currency))
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	actions := container.NewHBox()
	if a.CardCode != "" {
		code := cards.Code(a.CardCode)
		open := widget.NewButtonWithIcon(l.T("alerts.open_customer"), theme.AccountIcon(), func() { p.d.openCustomer(a.CardCode) })
		actions.Add(open)
		if a.CardStatus == loyalty.CardBlocked {
			blocked := widget.NewLabel(l.T("alerts.card_blocked"))
			blocked.Importance = widget.WarningImportance
			actions.Add(blocked)
		} else {
			block := widget.NewButtonWithIcon(l.T("alerts.block_card"), theme.CancelIcon(), func() { p.onBlock(code, a.CustomerName) })
			block.Importance = widget.DangerImportance
			actions.Add(block)
		}
	}
	return container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), actions, title)
}

// onBlock blocks the card code, once the owner confirms: the counter refuses it until
// it is unblocked on the Customers page.
func (p *alertsPage) onBlock(code cards.Code, name string) {
	l := p.d.u.lang
	dialog.ShowConfirm(l.T("alerts.block_card"), l.T("alerts.block_confirm", code.String(), name), func(ok bool) {
		if !ok {
			return
		}
		if err := p.d.u.store.BlockCard(p.d.u.context(), code, true); err != nil {
			p.d.fail(err)
			return
		}
		p.load()
	}, p.d.win)
}

// rulesSection sets the thresholds; an empty or zero field turns its alert off.
func (p *alertsPage) rulesSection() fyne.CanvasObject {
	d, l := p.d, p.d.u.lang
	r, err := d.u.store.AlertRules(d.u.context())
	if err != nil {
		d.fail(err)
	}
	whole := func(n int64) *widget.Entry {
		e := widget.NewEntry()
		if n > 0 {
			e.SetText(strconv.FormatInt(n, 10))
		}
		e.SetPlaceHolder(l.T("alerts.off"))
		return e
	}
	money := func(m loyalty.Money) *widget.Entry {
		e := widget.NewEntry()
		if m > 0 {
			e.SetText(l.PlainAmount(m, p.currency))
		}
		e.SetPlaceHolder(l.T("alerts.off"))
		return e
	}
	p.ops, p.points, p.cashback = whole(r.OpsPerDay), whole(r.PointsPerDay), money(r.CashbackPerDay)
	p.adjPoints, p.adjCashback = whole(r.AdjustedPoints), money(r.AdjustedCashback)
	p.email = widget.NewEntry()
	p.email.SetText(r.Email)
	p.email.SetPlaceHolder(l.T("alerts.email_off"))
	p.save = widget.NewButtonWithIcon(l.T("settings.save"), theme.DocumentSaveIcon(), p.onSave)
	p.save.Importance = widget.HighImportance
	card := widget.NewForm(
		widget.NewFormItem(l.T("alerts.ops_per_day"), p.ops),
		widget.NewFormItem(l.T("alerts.points_per_day"), p.points),
		widget.NewFormItem(l.T("alerts.cashback_per_day", p.currency), p.cashback),
	)
	staff := widget.NewForm(
		widget.NewFormItem(l.T("alerts.adjusted_points"), p.adjPoints),
		widget.NewFormItem(l.T("alerts.adjusted_cashback", p.currency), p.adjCashback),
	)
	hint := widget.NewLabel(l.T("alerts.rules_hint"))
	hint.Wrapping = fyne.TextWrapWord
	mailHint := widget.NewLabel(l.T("alerts.email_hint"))
	mailHint.Wrapping = fyne.TextWrapWord
	return section(l.T("alerts.rules"), container.NewVBox(hint,
		container.NewGridWithColumns(2,
			container.NewVBox(caption(strings.ToUpper(l.T("alerts.per_card"))), card),
			container.NewVBox(caption(strings.ToUpper(l.T("alerts.per_staff"))), staff)),
		widget.NewForm(widget.NewFormItem(l.T("alerts.email"), p.email)), mailHint,
		container.NewHBox(layout.NewSpacer(), p.save)))
}

// rules reads the thresholds as typed, naming the first field that is not a number.
func (p *alertsPage) rules() (loyalty.AlertRules, error) {
	l := p.d.u.lang
	r := loyalty.AlertRules{Email: strings.TrimSpace(p.email.Text), Lang: string(l)}
	for _, w := range []struct {
		e     *widget.Entry
		field string
		dst   *int64
	}{
		{p.ops, l.T("alerts.ops_per_day"), &r.OpsPerDay},
		{p.points, l.T("alerts.points_per_day"), &r.PointsPerDay},
		{p.adjPoints, l.T("alerts.adjusted_points"), &r.AdjustedPoints},
	} {
		s := strings.TrimSpace(w.e.Text)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return r, errField{w.field, errWholeNumber}
		}
		*w.dst = n
	}
	for _, w := range []struct {
		e     *widget.Entry
		field string
		dst   *loyalty.Money
	}{
		{p.cashback, l.T("alerts.cashback_per_day", p.currency), &r.CashbackPerDay},
		{p.adjCashback, l.T("alerts.adjusted_cashback", p.currency), &r.AdjustedCashback},
	} {
		s := strings.TrimSpace(w.e.Text)
		if s == "" {
			continue
		}
		m, err := loyalty.ParseAmount(s, p.currency)
		if err != nil {
			return r, errField{w.field, err}
		}
		*w.dst = m
	}
	return r, nil
}

func (p *alertsPage) onSave() {
	r, err := p.rules()
	if err == nil {
		err = p.d.u.store.SaveAlertRules(p.d.u.context(), r)
	}
	if err != nil {
		p.d.fail(err)
		return
	}
	p.load()
	p.d.done(p.d.u.lang.T("alerts.saved"))
}
