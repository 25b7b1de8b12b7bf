package ui

import (
	"context"
	"errors"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/scanner"
)

const (
	// kioskPoll is how often the kiosk looks for invitations that no signal announces:
	// those pulled by sync or made by another process on this machine.
	kioskPoll = 500 * time.Millisecond
)

// Kiosk colours. Score keys follow the survey convention (red 0–6, amber 7–8, green
// 9–10) and show their number, so colour is never the only cue; every pair of text and
// background colours has a contrast of 4.5:1 or more (kiosk_test.go checks it).
var (
	kioskAmber   = color.NRGBA{R: 0xf2, G: 0xb0, B: 0x1e, A: 0xff}
	kioskKey     = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	kioskKeyDark = color.NRGBA{R: 0xe4, G: 0xe0, B: 0xd8, A: 0xff}
	white        = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
)

// scoreColors returns the background and text colours of the key for score.
func scoreColors(score int) (bg, fg color.Color) {
	switch c, _ := nps.CategoryOf(score); c {
	case nps.Promoter:
		return ok, white
	case nps.Passive:
		return kioskAmber, lightText
	}
	return red, white
}

// kiosk is the customer-facing screen: the survey after a purchase, self-service visits
// by scanning one's own card, and the rewards catalogue while idle. Its rules are the
// flow's, shared with the tablet page. Every field is used on the UI goroutine only.
type kiosk struct {
	*kioskflow.Flow
	u    *UI
	win  fyne.Window
	body *fyne.Container
	skin *container.ThemeOverride // the kiosk's own look, whatever the system's

	// ui runs a function on the UI goroutine: fyne.Do, or the test's own loop.
	ui    func(func())
	stop  context.CancelFunc
	timer *time.Timer
}

// ShowKiosk opens the kiosk in a new window, full screen for a tablet facing the
// customer. Leaving it, or closing its window, asks for the owner's PIN.
func (u *UI) ShowKiosk(fullScreen bool) fyne.Window {
	w := u.app.NewWindow(u.lang.T("kiosk.title"))
	k := u.openKiosk(w, fyne.Do)
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFullScreen(fullScreen)
	w.Show()
	ctx, cancel := context.WithCancel(context.Background())
	k.stop = cancel
	if fullScreen {
		// A tablet of its own: its camera reads the cards customers show it. A kiosk
		// window beside the counter leaves the camera to the counter.
		camera := u.newCameraPane(func(ev scanner.Event) {
			if ev.Err == nil {
				k.onCardScanned(ev.Code)
			}
		})
		camera.start()
		k.stop = func() {
			cancel()
			camera.close()
		}
	}
	go k.watch(ctx)
	return w
}

// openKiosk builds the kiosk in w without starting its watcher.
func (u *UI) openKiosk(w fyne.Window, do func(func())) *kiosk {
	idle := localdb.DefaultIdle
	if set, err := u.store.NPSSettings(u.context()); err == nil {
		idle = set.Idle()
	} else {
		u.log.Error("read survey settings; using the default idle time", "err", err)
	}
	k := &kiosk{u: u, win: w, ui: do, stop: func() {}}
	k.Flow = kioskflow.New(kioskflow.Config{Home: u.lang, Arm: k.arm, Changed: k.render}, idle)
	k.body = container.NewStack()
	bg := canvas.NewRectangle(lightBackground)
	k.skin = container.NewThemeOverride(container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(20, 24, 32, 32), k.body)), kioskTheme{})
	w.SetContent(k.skin)
	w.SetPadded(false)
	w.SetCloseIntercept(func() { k.GoTo(kioskflow.PIN) })
	w.SetOnClosed(func() {
		k.stop()
		k.arm(0, nil)
	})
	w.Canvas().SetOnTypedRune(k.typedRune)
	w.Canvas().SetOnTypedKey(k.typedKey)
	k.render()
	return k
}

// watch offers each new invitation to the kiosk: at once for those made by this process,
// within kioskPoll for the others.
func (k *kiosk) watch(ctx context.Context) {
	tick := time.NewTicker(kioskPoll)
	defer tick.Stop()
	for {
		changed := k.u.store.NPSChanged() // before the read, so no change falls between
		inv, err := k.pending(ctx)
		if err != nil {
			// Nothing to tell the customer; the next tick tries again.
			k.u.log.Error("kiosk: look for survey invitations", "err", err)
		} else {
			k.ui(func() { k.Offer(inv) })
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}

// pending returns the invitation open now, or nil.
func (k *kiosk) pending(ctx context.Context) (*nps.Invitation, error) {
	inv, err := k.u.store.PendingInvitation(ctx, k.u.store.Now())
	if errors.Is(err, localdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// arm replaces the idle timer: the flow's fire runs on the UI goroutine after d.
func (k *kiosk) arm(d time.Duration, fire func()) {
	if k.timer != nil {
		k.timer.Stop()
		k.timer = nil
	}
	if d > 0 {
		k.timer = time.AfterFunc(d, func() { k.ui(fire) })
	}
}

// onCardScanned credits a self-service visit to the card with code and asks the survey
// question if the customer may be asked. The camera scanner calls it too; a scan while
// someone answers the survey is ignored.
func (k *kiosk) onCardScanned(code cards.Code) {
	if !k.CanScan() {
		return
	}
	o := loyalty.Origin{Device: k.u.store.Device(), At: k.u.store.Now()}
	op, a, inv, err := k.u.store.RecordVisit(k.u.context(), code, o)
	if err != nil {
		k.fail(err)
		return
	}
	k.Scanned(kioskflow.Visit{Name: kioskflow.FirstName(a.Customer.Name), Points: op.Delta.Points, Balance: a.Balance.Points,
		Cashback: op.Delta.Cashback, CashbackBalance: a.Balance.Cashback, Currency: op.Currency}, inv)
}

// explain says what went wrong in words for the customer, who can only try again or ask
// at the counter.
func (k *kiosk) explain(err error) string {
	if key, ok := lookupMessage(kioskErrors, err); ok {
		return k.Lang.T(key)
	}
	k.u.log.Error("kiosk: unexpected error", "err", err)
	return k.Lang.T("kiosk.err.internal")
}

// fail goes back to the welcome screen, in the customer's language, saying what went
// wrong for a while.
func (k *kiosk) fail(err error) { k.Fail(k.explain(err)) }

// send stores the answer, with the comment typed if withComment.
func (k *kiosk) send(withComment bool) {
	inv, score, comment, ok := k.Answer(withComment)
	if !ok {
		return
	}
	_, err := k.u.store.Answer(k.u.context(), inv.ID, score, comment, nps.Lang(k.Lang), k.u.store.Now())
	notice := ""
	if err != nil {
		notice = k.explain(err)
	}
	k.Answered(notice)
}

// typedRune takes a character from a physical keyboard or a USB scanner.
func (k *kiosk) typedRune(r rune) { k.TypedRune(r, time.Now()) }

func (k *kiosk) typedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		switch k.Step {
		case kioskflow.Idle, kioskflow.Code:
			k.submitCode()
		case kioskflow.PIN:
			k.submitPIN()
		}
	case fyne.KeyBackspace:
		k.Backspace()
	case fyne.KeyEscape:
		if k.Step == kioskflow.Code || k.Step == kioskflow.PIN {
			k.Reset()
		}
	}
}

// submitCode takes what was typed or scanned as a card's code or card page address. On
// the code screen a mistake stays on screen to be corrected.
func (k *kiosk) submitCode() {
	text := k.Typed()
	if text == "" {
		return
	}
	code, err := cards.ParsePayload(text)
	switch {
	case err == nil:
		k.onCardScanned(code)
	case k.Step == kioskflow.Code:
		k.Say(k.explain(err))
	default:
		k.fail(err)
	}
}

// submitPIN closes the kiosk if the owner's PIN was typed.
func (k *kiosk) submitPIN() {
	if _, err := k.u.checkPIN(string(k.Text), localdb.RoleOwner); err != nil {
		k.Text = nil
		k.Say(k.explain(err))
		return
	}
	k.win.Close()
}
