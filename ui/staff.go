package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
)

// staffPage lists the people who work at the shop, with their role; the owner adds
// them, changes their PINs and removes them. The last owner cannot be removed.
func (d *desk) staffPage() fyne.CanvasObject {
	l := d.u.lang
	staff, err := d.u.store.ListStaff(d.u.context())
	if err != nil {
		d.fail(err)
	}
	rows := container.NewVBox()
	for _, st := range staff {
		name := widget.NewLabel(st.Name)
		name.TextStyle.Bold = true
		role := widget.NewLabel(l.T("staff.role." + string(st.Role)))
		pin := widget.NewButtonWithIcon(l.T("staff.change_pin"), theme.VisibilityOffIcon(), func() { d.onChangePIN(st) })
		remove := widget.NewButtonWithIcon(l.T("staff.remove"), theme.DeleteIcon(), func() { d.onRemoveStaff(st) })
		rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(pin, remove), container.NewGridWithColumns(2, name, role)))
		rows.Add(widget.NewSeparator())
	}
	add := widget.NewButtonWithIcon(l.T("staff.add"), theme.ContentAddIcon(), d.onAddStaff)
	add.Importance = widget.HighImportance
	hint := widget.NewLabel(l.T("staff.hint"))
	hint.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), add), nil, nil,
		container.NewVScroll(section(l.T("owner.nav.staff"), container.NewVBox(hint, rows))))
}

// roles lists the roles in the order the role picker shows them.
var roles = []localdb.Role{localdb.RoleCashier, localdb.RoleOwner}

func (d *desk) onAddStaff() {
	l := d.u.lang
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

func (d *desk) onChangePIN(st localdb.Staff) {
	l := d.u.lang
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

func (d *desk) onRemoveStaff(st localdb.Staff) {
	l := d.u.lang
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
