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

	"github.com/merci-loyalty/merci/localdb"
)

// staffPage lists the people who work at the shop, with their role; the owner adds
// them, changes their PINs and removes them (the last owner cannot be removed), and
// sets the counter's rules: when it asks for a PIN and what cashiers may do.
type staffPage struct {
	d       *desk
	mode    *widget.RadioGroup
	idle    *widget.Entry
	debit   *widget.Check
	cash    *widget.Check
	cancel  *widget.Check
	saveBtn *widget.Button
}

func (d *desk) staffPage() fyne.CanvasObject {
	p := &staffPage{d: d}
	return p.build()
}

func (p *staffPage) build() fyne.CanvasObject {
	d, l := p.d, p.d.u.lang
	staff, err := d.u.store.ListStaff(d.u.context())
	if err != nil {
		d.fail(err)
	}
	rows := container.NewVBox()
	for _, st := range staff {
		name := widget.NewLabel(st.Name)
		name.TextStyle.Bold = true
		role := widget.NewLabel(l.T("staff.role." + string(st.Role)))
		pin := widget.NewButtonWithIcon(l.T("staff.change_pin"), theme.VisibilityOffIcon(), func() { p.onChangePIN(st) })
		remove := widget.NewButtonWithIcon(l.T("staff.remove"), theme.DeleteIcon(), func() { p.onRemoveStaff(st) })
		rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(pin, remove), container.NewGridWithColumns(2, name, role)))
		rows.Add(widget.NewSeparator())
	}
	add := widget.NewButtonWithIcon(l.T("staff.add"), theme.ContentAddIcon(), p.onAddStaff)
	add.Importance = widget.HighImportance
	hint := widget.NewLabel(l.T("staff.hint"))
	hint.Wrapping = fyne.TextWrapWord
	people := section(l.T("owner.nav.staff"), container.NewBorder(hint, container.NewHBox(layout.NewSpacer(), add), nil, nil, rows))
	return container.NewVScroll(container.NewVBox(people, p.rulesSection()))
}

// pinModeKeys name the PIN modes, in the order of localdb.PINModes.
var pinModeKeys = map[localdb.PINMode]string{
	localdb.PINNever:      "staff.pin_never",
	localdb.PINAtStart:    "staff.pin_start",
	localdb.PINWhenIdle:   "staff.pin_idle",
	localdb.PINEverySpend: "staff.pin_spend",
}

// rulesSection sets when the counter asks for a PIN and what cashiers may do.
func (p *staffPage) rulesSection() fyne.CanvasObject {
	d, l := p.d, p.d.u.lang
	rules, err := d.u.store.CounterRules(d.u.context())
	if err != nil {
		d.fail(err)
	}
	labels := make([]string, len(localdb.PINModes))
	for i, m := range localdb.PINModes {
		labels[i] = l.T(pinModeKeys[m])
	}
	p.mode = widget.NewRadioGroup(labels, nil)
	p.mode.SetSelected(l.T(pinModeKeys[rules.PIN]))
	p.idle = widget.NewEntry()
	p.idle.SetText(strconv.Itoa(rules.IdleMinutes))
	p.debit = widget.NewCheck(l.T("staff.right_debit"), nil)
	p.debit.SetChecked(rules.Cashiers.TakeOffPoints)
	p.cash = widget.NewCheck(l.T("staff.right_cashback"), nil)
	p.cash.SetChecked(rules.Cashiers.SpendCashback)
	p.cancel = widget.NewCheck(l.T("staff.right_cancel"), nil)
	p.cancel.SetChecked(rules.Cashiers.CancelOlder)
	p.saveBtn = widget.NewButtonWithIcon(l.T("settings.save"), theme.DocumentSaveIcon(), p.onSaveRules)
	p.saveBtn.Importance = widget.HighImportance
	idleRow := container.NewHBox(widget.NewLabel(l.T("staff.idle_minutes")), container.NewGridWrap(fyne.NewSize(80, 38), p.idle))
	form := container.NewGridWithColumns(2,
		container.NewVBox(caption(strings.ToUpper(l.T("staff.pin_when"))), p.mode, idleRow),
		container.NewVBox(caption(strings.ToUpper(l.T("staff.cashiers_may"))), p.debit, p.cash, p.cancel))
	return section(l.T("staff.counter_rules"), container.NewVBox(form, container.NewHBox(layout.NewSpacer(), p.saveBtn)))
}

// rules reads the rules as set on the page.
func (p *staffPage) rules() (localdb.CounterRules, error) {
	r := localdb.CounterRules{Cashiers: localdb.CashierRights{
		TakeOffPoints: p.debit.Checked, SpendCashback: p.cash.Checked, CancelOlder: p.cancel.Checked}}
	for _, m := range localdb.PINModes {
		if p.d.u.lang.T(pinModeKeys[m]) == p.mode.Selected {
			r.PIN = m
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.idle.Text))
	if err != nil {
		return r, errField{p.d.u.lang.T("staff.idle_minutes"), errWholeNumber}
	}
	r.IdleMinutes = n
	return r, nil
}

func (p *staffPage) onSaveRules() {
	r, err := p.rules()
	if err == nil {
		err = p.d.u.store.SaveCounterRules(p.d.u.context(), r)
	}
	if err != nil {
		p.d.fail(err)
		return
	}
	p.d.changed() // the counter applies them at once
	p.d.done(p.d.u.lang.T("staff.rules_saved"))
}

// roles lists the roles in the order the role picker shows them.
var roles = []localdb.Role{localdb.RoleCashier, localdb.RoleOwner}

func (p *staffPage) onAddStaff() {
	d, l := p.d, p.d.u.lang
	name, pin := widget.NewEntry(), widget.NewPasswordEntry()
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = l.T("staff.role." + string(r))
	}
	role := widget.NewSelect(names, nil)
	role.SetSelectedIndex(0)
	items := []*widget.FormItem{
		widget.NewFormItem(l.T("staff.name"), name),
		widget.NewFormItem(l.T("staff.role"), role),
		widget.NewFormItem(l.T("staff.pin"), pin),
	}
	dlg := dialog.NewForm(l.T("staff.add"), l.T("staff.add"), l.T("settings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if name.Text == "" {
			d.fail(errField{l.T("staff.name"), errNameRequired})
			return
		}
		if _, err := d.u.store.AddStaff(d.u.context(), name.Text, roles[role.SelectedIndex()], pin.Text); err != nil {
			d.fail(err)
			return
		}
		d.reload()
	}, d.win)
	dlg.Resize(fyne.NewSize(440, 0))
	dlg.Show()
}

func (p *staffPage) onChangePIN(st localdb.Staff) {
	d, l := p.d, p.d.u.lang
	pin := widget.NewPasswordEntry()
	items := []*widget.FormItem{widget.NewFormItem(l.T("staff.new_pin"), pin)}
	dialog.ShowForm(l.T("staff.change_pin_of", st.Name), l.T("settings.save"), l.T("settings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if err := d.u.store.ChangePIN(d.u.context(), st.ID, pin.Text); err != nil {
			d.fail(err)
			return
		}
		d.done(l.T("staff.pin_changed", st.Name))
	}, d.win)
}

func (p *staffPage) onRemoveStaff(st localdb.Staff) {
	d, l := p.d, p.d.u.lang
	dialog.ShowConfirm(l.T("staff.remove"), l.T("staff.remove_confirm", st.Name), func(ok bool) {
		if !ok {
			return
		}
		if err := d.u.store.RemoveStaff(d.u.context(), st.ID); err != nil {
			d.fail(err)
			return
		}
		d.reload()
	}, d.win)
}
