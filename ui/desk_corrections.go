package ui

import (
	"cmp"
	"image/color"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// The owner's corrections on the desk: adjusting points or cashback, cancelling any
// past operation, and settling an overdrawn card; and the note the counter shows.

// onAdjust corrects the selected customer's points or cashback, by a signed amount, for
// a reason.
func (p *customersPage) onAdjust() {
	l := p.d.u.lang
	pointsOpt, cashbackOpt := l.T("counter.points"), l.T("counter.cashback")
	what := widget.NewRadioGroup([]string{pointsOpt, cashbackOpt}, nil)
	what.Horizontal = true
	what.SetSelected(pointsOpt)
	amount, reason := widget.NewEntry(), widget.NewEntry()
	amount.SetPlaceHolder("+10 / -5")
	reason.SetPlaceHolder(l.T("customers.reason_hint"))
	items := []*widget.FormItem{
		widget.NewFormItem(l.T("customers.adjust_what"), what),
		widget.NewFormItem(l.T("customers.adjust_amount"), amount),
		widget.NewFormItem(l.T("customers.reason"), reason),
	}
	dialog.ShowForm(l.T("customers.adjust"), l.T("customers.apply"), l.T("settings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if what.Selected == cashbackOpt {
			m, err := parseSignedAmount(amount.Text, p.program.Currency)
			if err != nil {
				p.d.fail(errField{l.T("customers.adjust_amount"), err})
				return
			}
			p.record(func(o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
				return loyalty.AdjustCashback(o, a.Card, a.Balance, m, p.program.Currency, reason.Text)
			})
			return
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(normalizeSign(amount.Text), "+"), 10, 64)
		if err != nil {
			p.d.fail(errField{l.T("customers.adjust_amount"), loyalty.ErrInvalidAmount})
			return
		}
		p.record(func(o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
			return loyalty.Adjust(o, a.Card, a.Balance, n, reason.Text)
		})
	}, p.d.win)
}

// normalizeSign trims s and writes a typographic minus as a hyphen.
func normalizeSign(s string) string {
	return strings.Replace(strings.TrimSpace(s), "−", "-", 1)
}

// parseSignedAmount reads "+2,50", "-2.50" or "2.50" in minor units of currency.
func parseSignedAmount(s, currency string) (loyalty.Money, error) {
	s = normalizeSign(s)
	neg := strings.HasPrefix(s, "-")
	m, err := loyalty.ParseAmount(strings.TrimLeft(s, "+-"), currency)
	if neg {
		m = -m
	}
	return m, err
}

// onCancelOp cancels a past operation of the selected customer, for a reason, once
// the owner has confirmed.
func (p *customersPage) onCancelOp(e localdb.Entry) {
	l := p.d.u.lang
	a := *p.selected
	reason := widget.NewEntry()
	reason.SetPlaceHolder(l.T("customers.cancel_reason_hint"))
	what := widget.NewLabel(l.T("customers.cancel_what", p.d.u.describeOp(e.Operation), l.DateTime(e.At)))
	what.TextStyle.Bold = true
	effect := widget.NewLabel(l.T("customers.cancel_effect"))
	effect.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem("", what),
		widget.NewFormItem("", effect),
		widget.NewFormItem(l.T("customers.reason"), reason),
	}
	// "Keep it", not "Cancel": both buttons would otherwise say cancel.
	dlg := dialog.NewForm(l.T("customers.cancel_op"), l.T("customers.cancel_confirm"), l.T("customers.cancel_keep"), items, func(ok bool) {
		if !ok {
			return
		}
		_, after, err := p.d.u.store.Cancel(p.d.u.context(), p.d.origin(), e.ID, reason.Text)
		if err != nil {
			p.d.fail(err)
			return
		}
		p.after(a.Code())
		if after.Balance.Points < 0 || after.Balance.Cashback < 0 {
			p.d.done(l.T("customers.cancelled_overdrawn"))
			return
		}
		p.d.done(l.T("customers.cancelled"))
	}, p.d.win)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
	p.d.win.Canvas().Focus(reason)
}

// settleButtons offers the owner to write off an overdrawn card or to leave a note
// for the counter.
func (p *devicesPage) settleButtons(c overdrawnCustomer, code cards.Code) fyne.CanvasObject {
	l := p.d.u.lang
	name := cmp.Or(c.data.Customer.Name, code.String())
	writeOff := widget.NewButtonWithIcon(l.T("devices.write_off"), theme.ConfirmIcon(), func() { p.onWriteOff(name, code) })
	note := widget.NewButtonWithIcon(l.T("devices.leave_note"), theme.DocumentCreateIcon(), func() { p.onLeaveNote(name, c.data.Customer.ID) })
	return container.NewHBox(writeOff, note)
}

func (p *devicesPage) onWriteOff(name string, code cards.Code) {
	l := p.d.u.lang
	reason := widget.NewEntry()
	reason.SetPlaceHolder(l.T("devices.write_off_hint"))
	explain := widget.NewLabel(l.T("devices.write_off_explain", name))
	explain.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{widget.NewFormItem("", explain), widget.NewFormItem(l.T("customers.reason"), reason)}
	dlg := dialog.NewForm(l.T("devices.write_off"), l.T("devices.write_off"), l.T("settings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if _, _, err := p.d.u.store.WriteOff(p.d.u.context(), p.d.origin(), code, reason.Text); err != nil {
			p.d.fail(err)
			return
		}
		p.d.done(l.T("devices.written_off", name))
		p.loadOverdrawn()
	}, p.d.win)
	dlg.Resize(fyne.NewSize(520, 0))
	dlg.Show()
}

func (p *devicesPage) onLeaveNote(name, customerID string) {
	l := p.d.u.lang
	text := widget.NewMultiLineEntry()
	text.SetPlaceHolder(l.T("devices.note_hint"))
	text.Wrapping = fyne.TextWrapWord
	text.SetMinRowsVisible(3)
	if n, found, err := p.d.u.store.Note(p.d.u.context(), customerID); err != nil {
		p.d.fail(err)
		return
	} else if found && n.Open() {
		text.SetText(n.Text)
	}
	explain := widget.NewLabel(l.T("devices.note_explain", name))
	explain.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{widget.NewFormItem("", explain), widget.NewFormItem(l.T("devices.note"), text)}
	dlg := dialog.NewForm(l.T("devices.leave_note"), l.T("settings.save"), l.T("settings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if _, err := p.d.u.store.LeaveNote(p.d.u.context(), p.d.origin(), customerID, text.Text); err != nil {
			p.d.fail(err)
			return
		}
		p.d.done(l.T("devices.note_left", name))
	}, p.d.win)
	dlg.Resize(fyne.NewSize(520, 0))
	dlg.Show()
}

// noteBanner returns the owner's open note about a, for the cashier to read out and
// dismiss, or nil.
func (c *counter) noteBanner(a localdb.Account) fyne.CanvasObject {
	l := c.u.lang
	n, found, err := c.u.store.Note(c.u.context(), a.Customer.ID)
	if err != nil {
		c.fail(err)
		return nil
	}
	if !found || !n.Open() {
		return nil
	}
	text := widget.NewLabel(n.Text)
	text.Wrapping = fyne.TextWrapWord
	text.TextStyle.Bold = true
	seen := widget.NewButtonWithIcon(l.T("counter.note_seen"), theme.ConfirmIcon(), func() {
		if err := c.u.store.DismissNote(c.u.context(), c.origin(), a.Customer.ID); err != nil {
			c.fail(err)
			return
		}
		c.showAccount(*c.account)
		c.focus()
	})
	w := color.NRGBAModel.Convert(themeColor(theme.ColorNameWarning)).(color.NRGBA)
	bg := canvas.NewRectangle(color.NRGBA{R: w.R, G: w.G, B: w.B, A: 0x30})
	bg.CornerRadius = 8
	bg.StrokeColor, bg.StrokeWidth = w, 1
	head := container.NewHBox(widget.NewIcon(theme.WarningIcon()), caption(strings.ToUpper(l.T("counter.note_from_owner"))))
	return container.NewStack(bg, container.NewPadded(container.NewBorder(head, nil, nil, container.NewCenter(seen), text)))
}
