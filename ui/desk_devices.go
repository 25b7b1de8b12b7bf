package ui

import (
	"cmp"
	"context"
	"errors"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
)

// devicesPage shows this device's cloud account: the connection, the shop's devices
// (added and revoked from the owner device) and the customers that offline tills took
// below zero. What comes from the server loads on a goroutine; when it cannot, its
// section says why and offers to try again, and the rest of the page works on.
type devicesPage struct {
	d       *desk
	ctx     context.Context // the page's: it ends when the owner leaves the page
	acct    CloudAccount
	program loyalty.Program
	devices *remote
	over    *remote
	add     *widget.Button
	// reconnect shows once the server refuses this device's token.
	reconnect *widget.Button
}

// How the page writes a day and a moment, as the rest of the desk does.
const (
	dayFormat    = "2006-01-02"
	momentFormat = "2006-01-02 15:04"
)

func (d *desk) devicesPage() fyne.CanvasObject {
	p := &devicesPage{d: d, ctx: d.pageCtx, acct: d.u.sync}
	var err error
	if p.program, err = d.u.program(); err != nil {
		d.fail(err)
	}
	if p.acct == nil {
		return p.notConnected()
	}
	conn, err := p.acct.Connection(p.ctx)
	if errors.Is(err, syncclient.ErrNotEnrolled) {
		return p.notConnected()
	}
	if err != nil {
		d.fail(err)
		return container.NewVBox()
	}
	return p.connected(conn)
}

// notConnected explains what connecting brings and offers to connect.
func (p *devicesPage) notConnected() fyne.CanvasObject {
	l := p.d.u.lang
	title := bigText(22, true, theme.ColorNameForeground)
	title.Text = l.T("devices.not_connected")
	hint := widget.NewLabel(l.T("devices.not_connected_hint"))
	hint.Wrapping = fyne.TextWrapWord
	connect := p.connectButton()
	if p.acct == nil {
		connect.Disable() // no sync client in this build of the screens
	}
	body := container.NewVBox(container.NewHBox(widget.NewIcon(theme.ComputerIcon()), title), hint,
		container.NewHBox(tallButton(connect, 48)))
	return container.NewVBox(section(l.T("devices.account"), body))
}

// connectButton enrolls this device, then shows the page again.
func (p *devicesPage) connectButton() *widget.Button {
	b := widget.NewButtonWithIcon(p.d.u.lang.T("cloud.connect"), theme.LoginIcon(), func() {
		p.d.u.showConnect(p.d.win, p.d.reload)
	})
	b.Importance = widget.HighImportance
	return b
}

// connected shows the account and loads the devices and the overdrawn customers.
func (p *devicesPage) connected(conn syncclient.Connection) fyne.CanvasObject {
	l := p.d.u.lang
	shop := bigText(22, true, theme.ColorNameForeground)
	shop.Text = conn.ShopName
	server := widget.NewLabel(l.T("devices.server", conn.ServerURL))
	server.Truncation = fyne.TextTruncateEllipsis
	refresh := widget.NewButtonWithIcon(l.T("devices.refresh"), theme.ViewRefreshIcon(), p.load)
	p.reconnect = p.connectButton()
	p.reconnect.Hide()
	icon := container.NewGridWrap(fyne.NewSquareSize(44), widget.NewIcon(theme.ComputerIcon()))
	account := container.NewBorder(nil, nil, container.NewCenter(icon), container.NewCenter(container.NewHBox(p.reconnect, refresh)),
		container.New(layout.NewCustomPaddedVBoxLayout(0), shop, server))

	p.add = widget.NewButtonWithIcon(l.T("devices.add"), theme.ContentAddIcon(), p.onAdd)
	p.add.Importance = widget.HighImportance
	p.devices = newRemote(l.T("devices.try_again"), p.loadDevices)
	devHint := widget.NewLabel(l.T("devices.hint"))
	devHint.Wrapping = fyne.TextWrapWord
	devices := section(l.T("devices.list"), container.NewBorder(container.NewBorder(nil, nil, nil, container.NewVBox(p.add), devHint),
		nil, nil, nil, container.NewVScroll(p.devices.box())))

	p.over = newRemote(l.T("devices.try_again"), p.loadOverdrawn)
	overHint := widget.NewLabel(l.T("devices.overdrawn_hint"))
	overHint.Wrapping = fyne.TextWrapWord
	over := section(l.T("devices.overdrawn"), container.NewBorder(overHint, nil, nil, nil, container.NewVScroll(p.over.box())))

	p.load()
	// A device enrolled meanwhile shows up; so does a customer overdrawn by a sync.
	p.d.every(time.Minute, p.load)
	// The devices' rows hold more than the customers': the split gives them more room.
	split := container.NewHSplit(devices, over)
	split.SetOffset(0.56)
	return container.NewBorder(section(l.T("devices.account"), account), nil, nil, nil, split)
}

// load reads both lists again.
func (p *devicesPage) load() {
	p.loadDevices()
	p.loadOverdrawn()
}

func (p *devicesPage) loadDevices() {
	l := p.d.u.lang
	p.devices.loading(l.T("devices.loading"))
	inBackground(p.d, p.ctx, p.acct.Devices, func(devs []syncclient.Device, err error) {
		if errors.Is(err, syncclient.ErrNotOwner) {
			// Not a failure: a cashier device simply has no say over the others.
			p.add.Hide()
			p.devices.note(l.T("devices.not_owner"))
			return
		}
		if errors.Is(err, syncclient.ErrRefused) {
			p.reconnect.Show()
		}
		if err != nil {
			p.devices.failed(p.d.u.describe(err))
			return
		}
		p.add.Show()
		// This device first, then the others that sync, then the revoked ones.
		slices.SortStableFunc(devs, func(a, b syncclient.Device) int {
			rank := func(d syncclient.Device) int {
				switch {
				case d.This:
					return 0
				case d.Revoked():
					return 2
				}
				return 1
			}
			return cmp.Compare(rank(a), rank(b))
		})
		rows := make([]fyne.CanvasObject, len(devs))
		for i, dev := range devs {
			rows[i] = p.deviceRow(dev)
		}
		p.devices.show(rows)
	})
}

// deviceRow draws a device: its name, kind and dates, whether it syncs, and Revoke.
func (p *devicesPage) deviceRow(dev syncclient.Device) fyne.CanvasObject {
	l := p.d.u.lang
	name := widget.NewLabel(dev.Name)
	name.TextStyle.Bold = true
	name.Truncation = fyne.TextTruncateEllipsis
	facts := []string{l.T("devices.role." + string(dev.Role)), l.T("devices.enrolled", dev.EnrolledAt.Local().Format(dayFormat))}
	state := pill(l.T("devices.active"), theme.ColorNameSuccess)
	if dev.Revoked() {
		facts[1] = l.T("devices.revoked_on", dev.RevokedAt.Local().Format(dayFormat)) // when it joined matters no more
		state = pill(l.T("devices.revoked"), theme.ColorNameError)
	}
	info := widget.NewLabel(strings.Join(facts, "  ·  "))
	info.Truncation = fyne.TextTruncateEllipsis
	right := container.NewHBox(container.NewCenter(state))
	switch {
	case dev.This:
		right.Add(container.NewCenter(pill(l.T("devices.this"), theme.ColorNamePrimary)))
	case !dev.Revoked():
		revoke := widget.NewButtonWithIcon(l.T("devices.revoke"), theme.DeleteIcon(), func() { p.onRevoke(dev) })
		right.Add(container.NewCenter(revoke))
	}
	icon := widget.NewIcon(theme.ComputerIcon())
	return container.NewVBox(container.NewBorder(nil, nil, container.NewCenter(icon), right,
		container.New(layout.NewCustomPaddedVBoxLayout(-8), name, info)), widget.NewSeparator())
}

func (p *devicesPage) onRevoke(dev syncclient.Device) {
	l := p.d.u.lang
	confirm := dialog.NewConfirm(l.T("devices.revoke_title", dev.Name), l.T("devices.revoke_confirm", dev.Name), func(ok bool) {
		if !ok {
			return
		}
		p.d.working(l.T("devices.revoking"), func(ctx context.Context) error {
			return p.acct.Revoke(ctx, dev.ID)
		}, func(err error) {
			if err != nil {
				p.d.fail(err)
			}
			if p.ctx.Err() == nil {
				p.loadDevices()
			}
		})
	}, p.d.win)
	confirm.SetConfirmText(l.T("devices.revoke"))
	confirm.SetDismissText(l.T("settings.cancel"))
	confirm.SetConfirmImportance(widget.DangerImportance)
	confirm.Show()
}

// onAdd asks what the new device will be, then makes its one-time code.
func (p *devicesPage) onAdd() {
	l := p.d.u.lang
	roles := []struct {
		role syncclient.Role
		key  string
	}{
		{syncclient.RoleTill, "devices.kind_till"}, {syncclient.RoleKiosk, "devices.kind_kiosk"}, {syncclient.RoleOwner, "devices.kind_owner"},
	}
	kinds := make([]string, len(roles))
	for i, r := range roles {
		kinds[i] = l.T(r.key)
	}
	kind := widget.NewRadioGroup(kinds, nil)
	kind.SetSelected(kinds[0])
	kind.Required = true
	hint := widget.NewLabel(l.T("devices.add_hint"))
	hint.Wrapping = fyne.TextWrapWord
	dlg := dialog.NewCustomConfirm(l.T("devices.add"), l.T("devices.make_code"), l.T("settings.cancel"),
		container.NewVBox(hint, kind), func(ok bool) {
			if !ok {
				return
			}
			role := roles[slices.Index(kinds, kind.Selected)].role
			var code syncclient.EnrollCode
			p.d.working(l.T("devices.making_code"), func(ctx context.Context) error {
				var err error
				code, err = p.acct.NewCode(ctx, role)
				return err
			}, func(err error) {
				if err != nil {
					p.d.fail(err)
					return
				}
				p.showCode(code)
			})
		}, p.d.win)
	dlg.Resize(fyne.NewSize(520, 0))
	dlg.Show()
}

// showCode shows a new device's code large enough to copy from across the counter,
// with what to type it into.
func (p *devicesPage) showCode(c syncclient.EnrollCode) {
	l := p.d.u.lang
	kind := l.T("devices.role." + string(c.Role))
	code := bigText(34, true, theme.ColorNamePrimary)
	code.Text = c.Code
	code.TextStyle.Monospace = true
	expires := widget.NewLabel(l.T("devices.code_expires", kind, c.ExpiresAt.Local().Format(momentFormat)))
	expires.Wrapping = fyne.TextWrapWord
	steps := widget.NewLabel(l.T("devices.code_steps"))
	steps.Wrapping = fyne.TextWrapWord
	server := widget.NewLabel(c.ServerURL)
	server.TextStyle.Monospace = true
	server.Selectable = true
	typed := widget.NewForm(widget.NewFormItem(l.T("cloud.server"), server))
	copyCode := widget.NewButtonWithIcon(l.T("devices.copy"), theme.ContentCopyIcon(), nil)
	copyCode.OnTapped = func() {
		p.d.u.app.Clipboard().SetContent(c.Code)
		copyCode.SetText(l.T("devices.copied"))
	}
	box := container.NewVBox(caption(strings.ToUpper(l.T("cloud.code"))),
		card(container.NewCenter(code)), expires, widget.NewSeparator(), steps, typed,
		container.NewHBox(layout.NewSpacer(), copyCode))
	dlg := dialog.NewCustom(l.T("devices.code_title"), l.T("devices.close"), box, p.d.win)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

// overdrawnCustomer is a customer below zero on the server, as this device knows them.
type overdrawnCustomer struct {
	last  syncclient.Overdrawn // the latest operation that took them below zero
	times int                  // how many did
	known bool                 // the customer is in the local store (synced)
	data  localdb.CustomerData
}

func (p *devicesPage) loadOverdrawn() {
	l := p.d.u.lang
	p.over.loading(l.T("devices.loading"))
	store := p.d.u.store
	inBackground(p.d, p.ctx, func(ctx context.Context) ([]overdrawnCustomer, error) {
		list, err := p.acct.Overdrawn(ctx)
		if err != nil {
			return nil, err
		}
		var out []overdrawnCustomer
		at := map[string]int{}
		for _, o := range list {
			if i, ok := at[o.CustomerID]; ok {
				out[i].last = o // oldest first: the later one replaces it
				out[i].times++
				continue
			}
			at[o.CustomerID] = len(out)
			out = append(out, overdrawnCustomer{last: o, times: 1})
		}
		for i := range out {
			out[i].data, err = store.Customer(ctx, out[i].last.CustomerID)
			switch {
			case err == nil:
				out[i].known = true
			case !errors.Is(err, localdb.ErrNotFound):
				return nil, err
			}
		}
		slices.Reverse(out) // the latest first
		return out, nil
	}, func(list []overdrawnCustomer, err error) {
		if errors.Is(err, syncclient.ErrNotOwner) {
			// A kiosk: trying again would change nothing.
			p.over.note(p.d.u.describe(err))
			return
		}
		if err != nil {
			p.over.failed(p.d.u.describe(err))
			return
		}
		if len(list) == 0 {
			p.over.note(l.T("devices.overdrawn_none"))
			return
		}
		rows := make([]fyne.CanvasObject, len(list))
		for i, c := range list {
			rows[i] = p.overdrawnRow(c)
		}
		p.over.show(rows)
	})
}

// overdrawnRow draws a customer below zero: who, how far below and when, where the
// balance stands now on this device, and a way to their account.
func (p *devicesPage) overdrawnRow(c overdrawnCustomer) fyne.CanvasObject {
	l := p.d.u.lang
	o := c.last
	name := widget.NewLabel(l.T("devices.unknown_customer"))
	if c.known {
		name.SetText(cmp.Or(c.data.Customer.Name, l.T("customers.no_name")))
	}
	name.TextStyle.Bold = true
	name.Truncation = fyne.TextTruncateEllipsis
	then := loyalty.Balance{Points: o.Points, Cashback: o.Cashback}
	below := l.T("devices.below", p.amounts(then, then), o.At.Local().Format(momentFormat))
	if c.times > 1 {
		below += "  ·  " + l.T("devices.times", c.times)
	}
	info := widget.NewLabel(below)
	info.Importance = widget.DangerImportance
	info.Truncation = fyne.TextTruncateEllipsis
	// The balance now sits on the name's line, so that the line below has room.
	nameLine, open := fyne.CanvasObject(name), fyne.CanvasObject(layout.NewSpacer())
	if c.known {
		now := c.data.Balance
		state := pill(l.T("devices.now", p.amounts(now, then)), theme.ColorNameError)
		if now.Points >= 0 && now.Cashback >= 0 {
			state = pill(l.T("devices.settled", p.amounts(now, then)), theme.ColorNameSuccess)
		}
		nameLine = container.NewBorder(nil, nil, nil, container.NewCenter(state), name)
		if len(c.data.Cards) > 0 {
			code := cards.Code(c.data.Cards[0].Code) // the newest, as printed
			buttons := container.NewHBox(widget.NewButtonWithIcon(l.T("devices.open_customer"), theme.AccountIcon(),
				func() { p.d.openCustomer(code.String()) }))
			if now.Points < 0 || now.Cashback < 0 {
				buttons.Objects = append([]fyne.CanvasObject{p.settleButtons(c, code)}, buttons.Objects...)
			}
			open = container.NewCenter(buttons)
		}
	}
	return container.NewVBox(container.NewBorder(nil, nil, nil, open,
		container.New(layout.NewCustomPaddedVBoxLayout(-8), nameLine, info)), widget.NewSeparator())
}

// amounts writes the parts of b that were below zero in then: its points, its
// cashback or both.
func (p *devicesPage) amounts(b, then loyalty.Balance) string {
	l := p.d.u.lang
	var parts []string
	if then.Points < 0 || then.Cashback >= 0 {
		parts = append(parts, l.Number(b.Points)+" "+l.T("counter.pts"))
	}
	if then.Cashback < 0 {
		parts = append(parts, l.Money(b.Cashback, p.program.Currency))
	}
	return strings.Join(parts, " · ")
}

// inBackground runs get on a goroutine, then show with its result on the UI goroutine
// (through u.do), unless ctx (the page's) ended meanwhile: the page is gone.
func inBackground[T any](d *desk, ctx context.Context, get func(context.Context) (T, error), show func(T, error)) {
	d.background(func() {
		v, err := get(ctx)
		d.u.do(func() {
			if ctx.Err() == nil {
				show(v, err)
			}
		})
	})
}

// remote is a list filled from the server: it says it is loading, then shows its rows,
// a note, or what went wrong with a button to try again.
type remote struct {
	status *widget.Label
	retry  *widget.Button
	rows   *fyne.Container
}

func newRemote(retry string, reload func()) *remote {
	r := &remote{status: widget.NewLabel(""), retry: widget.NewButtonWithIcon(retry, theme.ViewRefreshIcon(), reload), rows: container.NewVBox()}
	r.status.Wrapping = fyne.TextWrapWord
	r.retry.Hide()
	return r
}

func (r *remote) box() fyne.CanvasObject {
	return container.NewVBox(r.status, container.NewHBox(r.retry), r.rows)
}

// loading says the list is on its way; the rows shown stay until it arrives.
func (r *remote) loading(msg string) {
	if len(r.rows.Objects) == 0 {
		r.say(msg, widget.LowImportance)
	}
	r.retry.Hide()
}

// failed says why the list could not load; the rows last shown stay, which beats
// nothing to an owner offline.
func (r *remote) failed(msg string) {
	r.say(msg, widget.DangerImportance)
	r.retry.Show()
}

func (r *remote) note(msg string) {
	r.rows.RemoveAll()
	r.say(msg, widget.MediumImportance)
}

func (r *remote) show(rows []fyne.CanvasObject) {
	r.status.Hide()
	r.rows.Objects = rows
	r.rows.Refresh()
}

func (r *remote) say(msg string, importance widget.Importance) {
	r.status.Importance = importance
	r.status.SetText(msg)
	r.status.Show()
}

// pill is a short status in a rounded tint of its colour.
func pill(text string, name fyne.ThemeColorName) fyne.CanvasObject {
	c := color.NRGBAModel.Convert(themeColor(name)).(color.NRGBA)
	bg := canvas.NewRectangle(color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x24})
	bg.CornerRadius = 11
	t := canvas.NewText(text, c)
	t.TextSize = 13
	t.TextStyle.Bold = true
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(3, 3, 10, 10), t))
}
