package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
)

// errNotOwner means a valid PIN of someone who is not an owner opened the owner's desk.
var errNotOwner = errors.New("not an owner")

// unlockOwner returns the owner whose PIN is pin. A cashier's PIN is refused with
// errNotOwner, so the cashier is told why rather than that the PIN is wrong.
func (u *UI) unlockOwner(pin string) (localdb.Staff, error) {
	st, err := u.checkPIN(pin, "")
	if err != nil {
		return localdb.Staff{}, err
	}
	if st.Role != localdb.RoleOwner {
		return localdb.Staff{}, errNotOwner
	}
	return st, nil
}

// askOwnerPIN asks for an owner's PIN over w and opens the owner's desk with it.
// changed runs when the desk changes something the counter shows (the shop's name).
func (u *UI) askOwnerPIN(w fyne.Window, changed func()) {
	l := u.lang
	pin := widget.NewPasswordEntry()
	pin.SetPlaceHolder(l.T("owner.pin_placeholder"))
	msg := widget.NewLabel(l.T("owner.pin_hint"))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	submit := func() {
		owner, err := u.unlockOwner(pin.Text)
		if err != nil {
			pin.SetText("")
			msg.SetText(u.describe(err))
			msg.Importance = widget.DangerImportance
			msg.Refresh()
			w.Canvas().Focus(pin)
			return
		}
		d.Hide()
		u.openDesk(owner, changed)
	}
	pin.OnSubmitted = func(string) { submit() }
	open := widget.NewButtonWithIcon(l.T("owner.unlock"), theme.LoginIcon(), submit)
	open.Importance = widget.HighImportance
	content := container.NewVBox(msg, pin)
	d = dialog.NewCustomWithoutButtons(l.T("owner.pin_title"), content, w)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton(l.T("settings.cancel"), d.Hide), open})
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
	w.Canvas().Focus(pin)
}

// desk is the owner's back office: a window with its sections down the side.
type desk struct {
	u *UI
	// ctx ends when the window closes, so that work started for it stops reporting.
	ctx    context.Context
	cancel context.CancelFunc
	// pageCtx ends when another page replaces the current one.
	pageCtx    context.Context
	pageCancel context.CancelFunc
	work       sync.WaitGroup // the goroutines of background (tests wait on it)
	building   bool           // a page is being built: background work waits for it
	pending    []func()
	win        fyne.Window
	owner      localdb.Staff
	changed    func()
	content    *fyne.Container
	nav        *widget.List
	title      *widget.Label
	current    int
	pages      []deskPage
	// customerQuery is what the Customers page searches for when it opens next, set by
	// openCustomer.
	customerQuery string
	notSynced     *notSyncedAlert
}

type deskPage struct {
	key   string // translation key of the title, "owner.nav.*"
	icon  fyne.Resource
	build func() fyne.CanvasObject
}

// ShowOwnerDesk opens the owner's desk for owner. changed runs after the desk changes
// what the counter shows; it may be nil.
func (u *UI) ShowOwnerDesk(owner localdb.Staff, changed func()) fyne.Window {
	return u.openDesk(owner, changed).win
}

func (u *UI) openDesk(owner localdb.Staff, changed func()) *desk {
	if changed == nil {
		changed = func() {}
	}
	w := u.app.NewWindow(u.lang.T("owner.title"))
	d := &desk{u: u, win: w, owner: owner, changed: changed}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	w.SetOnClosed(d.cancel)
	d.pages = []deskPage{
		{"owner.nav.dashboard", theme.HomeIcon(), d.dashboardPage},
		{"owner.nav.answers", theme.MailComposeIcon(), d.answersPage},
		{"owner.nav.customers", theme.AccountIcon(), d.customersPage},
		{"owner.nav.cards", theme.DocumentPrintIcon(), d.cardsPage},
		{"owner.nav.alerts", theme.WarningIcon(), d.alertsPage},
		{"owner.nav.month", theme.HistoryIcon(), d.monthPage},
		{"owner.nav.program", theme.SettingsIcon(), d.programPage},
		{"owner.nav.survey", theme.MailReplyIcon(), d.surveyPage},
		{"owner.nav.transfer", theme.UploadIcon(), d.transferPage},
		{"owner.nav.staff", theme.GridIcon(), d.staffPage},
		{"owner.nav.devices", theme.ComputerIcon(), d.devicesPage},
		{"owner.nav.backups", theme.DocumentSaveIcon(), d.backupsPage},
	}
	w.SetContent(d.build())
	w.Resize(fyne.NewSize(1366, 768))
	w.Show()
	d.show(0)
	d.loadNotSynced()
	// A change is set aside in the background: the alert is read again now and then.
	d.everyUntil(d.ctx, notSyncedEvery, d.loadNotSynced)
	d.u.applyRules()
	d.everyUntil(d.ctx, rulesEvery, d.u.applyRules)
	return d
}

func (d *desk) build() fyne.CanvasObject {
	l := d.u.lang
	d.nav = widget.NewList(func() int { return len(d.pages) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Loyalty program settings"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(d.pages[i].icon)
			row.Objects[1].(*widget.Label).SetText(l.T(d.pages[i].key))
		})
	d.nav.OnSelected = func(i widget.ListItemID) {
		if i != d.current {
			d.show(i)
		}
	}
	shop, err := d.u.store.Shop(d.u.context())
	if err != nil {
		shop.Name = "Merci"
	}
	brand := bigText(18, true, theme.ColorNameForeground)
	brand.Text = shop.Name
	who := caption(strings.ToUpper(l.T("owner.signed_in", d.owner.Name)))
	lock := widget.NewButtonWithIcon(l.T("owner.lock"), theme.LogoutIcon(), d.win.Close)
	side := container.NewBorder(container.NewVBox(brand, who, widget.NewSeparator()), lock, nil, nil, d.nav)
	d.title = widget.NewLabel("")
	d.title.SizeName = theme.SizeNameHeadingText
	d.title.TextStyle.Bold = true
	d.content = container.NewStack()
	d.notSynced = d.newNotSyncedAlert()
	main := container.NewBorder(container.NewVBox(d.title, d.u.backupWarning(), d.notSynced.box), nil, nil, nil, d.content)
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(230, 0))
	return container.NewPadded(container.NewBorder(nil, nil, container.NewStack(width, card(side)), nil,
		container.NewPadded(main)))
}

// show switches to page i.
func (d *desk) show(i int) {
	if d.pageCancel != nil {
		d.pageCancel()
	}
	d.pageCtx, d.pageCancel = context.WithCancel(d.ctx)
	d.current = i
	d.nav.Select(i)
	d.title.SetText(d.u.lang.T(d.pages[i].key))
	d.building = true
	d.content.Objects = []fyne.CanvasObject{d.pages[i].build()}
	d.building = false
	d.content.Refresh()
	for _, f := range d.pending {
		d.background(f)
	}
	d.pending = nil
}

// background runs f on a goroutine, for work that takes time; f reaches widgets only
// through fyne.Do.
func (d *desk) background(f func()) {
	if d.building {
		// Started once the page is on screen: its fyne.Do calls then find it laid out.
		d.pending = append(d.pending, f)
		return
	}
	d.work.Add(1)
	go func() {
		defer d.work.Done()
		f()
	}()
}

// every runs f on the UI thread every period while the current page is shown: answers
// arrive from the kiosk and sales from the counter while the owner looks.
func (d *desk) every(period time.Duration, f func()) { d.everyUntil(d.pageCtx, period, f) }

// everyUntil runs f on the UI thread every period until ctx ends. The UI's clock runs
// the timers: a test's clock runs them when the test says, never behind its back.
func (d *desk) everyUntil(ctx context.Context, period time.Duration, f func()) {
	var tick func()
	tick = func() {
		if ctx.Err() != nil {
			return // the page or the desk closed: the timer that ran out is not renewed
		}
		f()
		d.u.clock.AfterFunc(period, tick)
	}
	d.u.clock.AfterFunc(period, tick)
}

// reload rebuilds the current page, after a change of its data.
func (d *desk) reload() { d.show(d.current) }

// fail tells the owner what went wrong, in a dialog: the desk is not a busy till, and an
// error here is rare enough to deserve a click.
func (d *desk) fail(err error) {
	dialog.ShowInformation(d.u.lang.T("owner.error_title"), d.u.describe(err), d.win)
}

// done confirms a change that leaves no other trace on screen.
func (d *desk) done(msg string) {
	dialog.ShowInformation(d.u.lang.T("owner.done_title"), msg, d.win)
}

// section is a titled block of a page.
func section(title string, content fyne.CanvasObject) fyne.CanvasObject {
	return card(container.NewBorder(caption(strings.ToUpper(title)), nil, nil, nil, content))
}

// errField names the field a typed value was refused in.
type errField struct {
	field string
	err   error
}

func (e errField) Error() string { return fmt.Sprintf("%s: %v", e.field, e.err) }
func (e errField) Unwrap() error { return e.err }
