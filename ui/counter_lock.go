package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
)

// clock tells the time and runs f later on the UI goroutine: the system's in the app,
// one a test moves by hand, so that no test waits for a minute to pass.
type clock interface {
	Now() time.Time
	// AfterFunc runs f on the UI goroutine after d; the function it returns cancels it.
	AfterFunc(d time.Duration, f func()) (stop func())
}

type systemClock struct{ u *UI }

func (c systemClock) Now() time.Time { return time.Now() }

func (c systemClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, func() { c.u.do(f) })
	return func() { t.Stop() }
}

// Five wrong PINs in a row lock PIN entry on this device for a minute: a PIN of four
// digits would otherwise fall to anyone with a few minutes alone at the till.
const (
	maxWrongPINs = 5
	pinLockout   = time.Minute
)

// errPINLocked refuses a PIN typed while PIN entry is locked.
var errPINLocked = errors.New("too many wrong PINs: PIN entry is locked")

// pinGuard counts wrong PINs across every PIN prompt of the device.
type pinGuard struct {
	wrong int
	until time.Time // PIN entry is locked before this
}

// checkPIN returns the staff member whose PIN is pin (of role, if set), counting wrong
// PINs; errPINLocked while entry is locked.
func (u *UI) checkPIN(pin string, role localdb.Role) (localdb.Staff, error) {
	now := u.clock.Now()
	if now.Before(u.pins.until) {
		return localdb.Staff{}, errPINLocked
	}
	st, err := u.store.StaffByPIN(u.context(), strings.TrimSpace(pin), role)
	switch {
	case errors.Is(err, localdb.ErrWrongPIN):
		if u.pins.wrong++; u.pins.wrong >= maxWrongPINs {
			u.pins.wrong, u.pins.until = 0, now.Add(pinLockout)
			return localdb.Staff{}, errPINLocked
		}
	case err == nil:
		u.pins.wrong = 0
	}
	return st, err
}

// pinLockedFor returns how long PIN entry stays locked, 0 when it is open.
func (u *UI) pinLockedFor() time.Duration { return max(u.pins.until.Sub(u.clock.Now()), 0) }

// pinPad is a touch-friendly PIN keypad that also takes digits from the keyboard. It
// tells who typed their PIN to signedIn.
type pinPad struct {
	u        *UI
	typed    []rune
	dots     *canvas.Text
	msg      *widget.Label
	keys     []*widget.Button
	box      fyne.CanvasObject
	signedIn func(localdb.Staff)
}

func (u *UI) newPinPad(signedIn func(localdb.Staff)) *pinPad {
	p := &pinPad{u: u, signedIn: signedIn}
	p.dots = bigText(34, true, theme.ColorNamePrimary)
	p.msg = widget.NewLabel(u.lang.T("lock.hint"))
	p.msg.Alignment = fyne.TextAlignCenter
	p.msg.Wrapping = fyne.TextWrapWord
	grid := container.NewGridWithColumns(3)
	key := func(label string, tap func()) {
		b := widget.NewButton(label, tap)
		p.keys = append(p.keys, b)
		grid.Add(tallButton(b, 64))
	}
	for _, r := range "123456789" {
		key(string(r), func() { p.press(r) })
	}
	key("⌫", p.backspace)
	key("0", func() { p.press('0') })
	key(u.lang.T("lock.ok"), p.submit)
	p.keys[len(p.keys)-1].Importance = widget.HighImportance
	p.showDots()
	p.box = container.NewVBox(container.NewCenter(p.dots), p.msg, container.NewGridWrap(fyne.NewSize(360, 64*4+18), grid))
	p.reopenLater()
	return p
}

func (p *pinPad) showDots() {
	p.dots.Text = strings.Repeat("● ", len(p.typed)) + strings.Repeat("○ ", max(4-len(p.typed), 0))
	p.dots.Refresh()
}

// press types a digit; others are ignored.
func (p *pinPad) press(r rune) {
	if r < '0' || r > '9' || len(p.typed) >= 8 || p.u.pinLockedFor() > 0 {
		return
	}
	p.typed = append(p.typed, r)
	p.showDots()
}

func (p *pinPad) backspace() {
	if len(p.typed) > 0 {
		p.typed = p.typed[:len(p.typed)-1]
		p.showDots()
	}
}

// typedKey takes Enter and Backspace from the keyboard.
func (p *pinPad) typedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		p.submit()
	case fyne.KeyBackspace:
		p.backspace()
	}
}

func (p *pinPad) submit() {
	st, err := p.u.checkPIN(string(p.typed), "")
	p.typed = nil
	p.showDots()
	if err != nil {
		p.say(p.u.describe(err), widget.DangerImportance)
		p.reopenLater()
		return
	}
	p.say(p.u.lang.T("lock.hint"), widget.MediumImportance)
	p.signedIn(st)
}

// reopenLater disables the keys while PIN entry is locked and opens them again when
// the minute is over.
func (p *pinPad) reopenLater() {
	wait := p.u.pinLockedFor()
	if wait == 0 {
		return
	}
	for _, k := range p.keys {
		k.Disable()
	}
	p.u.clock.AfterFunc(wait, func() {
		for _, k := range p.keys {
			k.Enable()
		}
		p.say(p.u.lang.T("lock.hint"), widget.MediumImportance)
	})
}

func (p *pinPad) say(text string, importance widget.Importance) {
	p.msg.Importance = importance
	p.msg.SetText(text)
}

// lockScreen is what the counter shows while nobody is signed in: the shop, and the
// PIN pad that opens it for whoever types their PIN.
func (c *counter) lockScreen() fyne.CanvasObject {
	l := c.u.lang
	shop, err := c.u.store.Shop(c.u.context())
	if err != nil {
		shop.Name = "Merci"
	}
	name := bigText(36, true, theme.ColorNameForeground)
	name.Text = shop.Name
	name.Alignment = fyne.TextAlignCenter
	title := bigText(22, false, theme.ColorNameForeground)
	title.Text = l.T("lock.title")
	title.Alignment = fyne.TextAlignCenter
	c.pad = c.u.newPinPad(c.unlock)
	items := []fyne.CanvasObject{}
	if logo := shopLogo(shop, 96); logo != nil {
		items = append(items, container.NewCenter(logo))
	}
	items = append(items, name, widget.NewSeparator(), title, c.pad.box)
	return container.NewCenter(card(container.NewPadded(container.NewVBox(items...))))
}

// lock hides the counter behind the PIN pad; the card on screen goes with whoever
// was at the till.
func (c *counter) lock() {
	c.u.staff = localdb.Staff{}
	c.locked = true
	c.account, c.lastOp = nil, nil
	c.input.SetText("")
	c.undo.Hide()
	c.showEmptyPanel()
	c.info(c.u.lang.T("counter.ready"))
	c.lockBox.Objects = []fyne.CanvasObject{c.lockScreen()}
	c.main.Hide()
	c.lockBox.Show()
	c.lockBox.Refresh()
	c.win.Canvas().Unfocus()
	c.refreshWho()
}

// unlock opens the counter for st.
func (c *counter) unlock(st localdb.Staff) {
	c.u.staff = st
	c.locked = false
	c.pad = nil
	c.lockBox.Hide()
	c.main.Show()
	c.refreshWho()
	c.focus()
	c.armIdle()
}

// onTypedRune and onTypedKey bring the keyboard to the PIN pad while one is shown:
// nothing else has the focus then.
func (c *counter) onTypedRune(r rune) {
	if c.pad != nil {
		c.pad.press(r)
	}
}

func (c *counter) onTypedKey(k *fyne.KeyEvent) {
	if c.pad != nil {
		c.pad.typedKey(k)
	}
}

// armIdle starts the idle watch of PINWhenIdle: the counter locks once nobody touched
// it for the owner's minutes.
func (c *counter) armIdle() {
	if c.stopIdle != nil {
		c.stopIdle()
		c.stopIdle = nil
	}
	if c.rules.PIN != localdb.PINWhenIdle || c.locked {
		return
	}
	idle := time.Duration(c.rules.IdleMinutes) * time.Minute
	wait := idle - c.u.clock.Now().Sub(c.lastActive)
	if wait <= 0 {
		c.lock()
		return
	}
	// Activity only moves lastActive: the timer is set again when it fires, not at
	// every key.
	c.stopIdle = c.u.clock.AfterFunc(wait, c.armIdle)
}

// whoBar is the status bar's "who is at the till", with the way to switch or lock.
func (c *counter) whoBar() fyne.CanvasObject {
	c.who = widget.NewLabel("")
	c.who.TextStyle.Bold = true
	c.lockBtn = widget.NewButtonWithIcon(c.u.lang.T("lock.switch"), theme.LogoutIcon(), c.lock)
	c.lockBtn.Importance = widget.LowImportance
	c.refreshWho()
	return container.NewHBox(widget.NewIcon(theme.AccountIcon()), c.who, c.lockBtn)
}

func (c *counter) refreshWho() {
	if c.who == nil {
		return
	}
	if c.u.staff.ID == "" {
		c.who.SetText(c.u.lang.T("lock.nobody"))
		return
	}
	c.who.SetText(c.u.lang.T("lock.at_till", c.u.staff.Name))
}

// askSpendPIN asks who makes a spend, under PINEverySpend, then runs spend as them.
func (c *counter) askSpendPIN(spend func()) {
	var d dialog.Dialog
	pad := c.u.newPinPad(func(st localdb.Staff) {
		d.Hide()
		c.u.staff = st
		c.refreshWho()
		spend()
	})
	c.pad = pad
	d = dialog.NewCustom(c.u.lang.T("lock.spend_title"), c.u.lang.T("settings.cancel"), pad.box, c.win)
	d.SetOnClosed(func() {
		c.pad = nil
		c.focus()
	})
	d.Show()
	c.win.Canvas().Unfocus()
}
