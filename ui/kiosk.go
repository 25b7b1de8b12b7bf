package ui

import (
	"context"
	"errors"
	"image/color"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/scanner"
)

// kioskStep is a screen of the kiosk.
type kioskStep int

const (
	stepIdle    kioskStep = iota // welcome: logo, "Scan your card", the rewards
	stepCode                     // the customer types their card's code
	stepScore                    // the 0–10 question
	stepComment                  // the reason for the score
	stepThanks
	stepPIN // the owner's PIN, to leave the kiosk
)

const (
	// kioskPoll is how often the kiosk looks for invitations that no signal announces:
	// those pulled by sync or made by another process on this machine.
	kioskPoll = 500 * time.Millisecond
	// thanksFor is how long the thanks screen stays before the welcome screen.
	thanksFor = 6 * time.Second
	// wedgeGap is the longest pause between two characters of one USB scan: a scanner
	// types a code in milliseconds, so older keystrokes at the welcome screen are noise.
	wedgeGap = time.Second
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
// by scanning one's own card, and the rewards catalogue while idle. Every field is used
// on the UI goroutine only.
type kiosk struct {
	u    *UI
	win  fyne.Window
	lang i18n.Lang // the customer's choice, back to the shop's at each reset
	body *fyne.Container
	skin *container.ThemeOverride // the kiosk's own look, whatever the system's

	// ui runs a function on the UI goroutine: fyne.Do, or the test's own loop.
	ui        func(func())
	idleAfter time.Duration
	stop      context.CancelFunc

	step    kioskStep
	gen     int // bumped at each step; a timer armed for an older step does nothing
	timer   *time.Timer
	touched bool // someone touched the screen since the step began

	inv       *nps.Invitation // the survey being answered
	dismissed map[string]bool // invitations left unanswered on timeout: not asked again
	score     int
	text      []rune // what is being typed: a card code, a comment or a PIN
	typedAt   time.Time
	shift     bool
	visit     *visit // the self-service visit just credited, if any
	notice    string // a message on the welcome screen or the thanks screen
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
	k := &kiosk{u: u, win: w, lang: u.lang, ui: do, idleAfter: idle, dismissed: map[string]bool{}, stop: func() {}}
	k.body = container.NewStack()
	bg := canvas.NewRectangle(lightBackground)
	k.skin = container.NewThemeOverride(container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(20, 24, 32, 32), k.body)), kioskTheme{})
	w.SetContent(k.skin)
	w.SetPadded(false)
	w.SetCloseIntercept(func() { k.goTo(stepPIN) })
	w.SetOnClosed(func() {
		k.stop()
		k.stopTimer()
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
			k.ui(func() { k.offer(inv) })
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

func invID(inv *nps.Invitation) string {
	if inv == nil {
		return ""
	}
	return inv.ID
}

// offer shows the open invitation inv (nil if none) if the kiosk is free for it; it is
// called again and again with the same one. A question nobody touched yet follows the
// newest invitation and leaves with it.
func (k *kiosk) offer(inv *nps.Invitation) {
	switch {
	case k.step == stepIdle && inv != nil && !k.dismissed[inv.ID] && len(k.text) == 0:
		k.inv = inv
		k.goTo(stepScore)
	case k.step == stepScore && !k.touched && k.visit == nil && invID(inv) != invID(k.inv):
		if inv == nil || k.dismissed[inv.ID] {
			k.reset()
			return
		}
		k.inv = inv
		k.goTo(stepScore)
	}
}

// goTo shows step with a fresh idle timer. The question after a purchase waits for its
// customer without one: they may still be paying, and it leaves when it expires.
func (k *kiosk) goTo(step kioskStep) {
	k.step, k.touched, k.shift, k.notice = step, false, false, ""
	k.gen++
	k.text = nil
	k.stopTimer()
	switch {
	case step == stepThanks:
		k.arm(thanksFor)
	case step == stepIdle, step == stepScore && k.visit == nil:
	default:
		k.arm(k.idleAfter)
	}
	k.render()
}

// touch notes that the customer is there and restarts the idle timer.
func (k *kiosk) touch() {
	k.touched = true
	if k.step != stepIdle && k.step != stepThanks {
		k.stopTimer()
		k.arm(k.idleAfter)
	}
}

func (k *kiosk) arm(d time.Duration) {
	gen := k.gen
	k.timer = time.AfterFunc(d, func() {
		k.ui(func() {
			if k.gen == gen {
				k.onIdle()
			}
		})
	})
}

func (k *kiosk) stopTimer() {
	if k.timer != nil {
		k.timer.Stop()
		k.timer = nil
	}
}

// onIdle goes back to the welcome screen when nobody touched the screen for a while,
// dropping whatever was half answered: an answer is stored only when sent.
func (k *kiosk) onIdle() {
	if k.inv != nil && k.step != stepThanks {
		k.dismissed[k.inv.ID] = true
	}
	k.reset()
}

// reset goes back to the welcome screen in the shop's language, forgetting the customer.
func (k *kiosk) reset() {
	k.inv, k.score, k.visit = nil, 0, nil
	k.lang = k.u.lang
	k.goTo(stepIdle)
}

// onCardScanned credits a self-service visit to the card with code and asks the survey
// question if the customer may be asked. The camera scanner calls it too; a scan while
// someone answers the survey is ignored.
func (k *kiosk) onCardScanned(code cards.Code) {
	if k.step != stepIdle && k.step != stepCode {
		return
	}
	o := loyalty.Origin{Device: k.u.store.Device(), At: k.u.store.Now()}
	op, a, inv, err := k.u.store.RecordVisit(k.u.context(), code, o)
	if err != nil {
		k.fail(err)
		return
	}
	k.visit = &visit{name: firstName(a.Customer.Name), points: op.Delta.Points, balance: a.Balance.Points}
	if inv != nil {
		k.inv = inv
		k.goTo(stepScore)
		return
	}
	k.goTo(stepThanks)
}

// visit is what the kiosk tells a customer about the visit just credited.
type visit struct {
	name            string
	points, balance int64
}

// welcome greets the customer of the visit just credited, in the kiosk's language.
func (k *kiosk) welcome() string {
	l := k.lang
	greeting := l.T("kiosk.welcome")
	if k.visit.name != "" {
		greeting = l.T("kiosk.welcome_name", k.visit.name)
	}
	return greeting + " " + l.T("kiosk.visit_points", l.Number(k.visit.points), l.Number(k.visit.balance))
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return name
}

// explain says what went wrong in words for the customer, who can only try again or ask
// at the counter.
func (k *kiosk) explain(err error) string {
	if key, ok := lookupMessage(kioskErrors, err); ok {
		return k.lang.T(key)
	}
	k.u.log.Error("kiosk: unexpected error", "err", err)
	return k.lang.T("kiosk.err.internal")
}

// fail goes back to the welcome screen, in the customer's language, saying what went
// wrong for a while.
func (k *kiosk) fail(err error) {
	lang := k.lang
	k.reset()
	k.lang = lang
	k.notice = k.explain(err)
	k.arm(thanksFor)
	k.render()
}

func (k *kiosk) onScore(score int) {
	k.touch()
	k.score = score
	k.goTo(stepComment)
}

// send stores the answer, with the comment typed if withComment.
func (k *kiosk) send(withComment bool) {
	comment := ""
	if withComment {
		comment = string(k.text)
	}
	_, err := k.u.store.Answer(k.u.context(), k.inv.ID, k.score, comment, nps.Lang(k.lang), k.u.store.Now())
	k.inv = nil
	k.goTo(stepThanks)
	if err != nil {
		k.notice = k.explain(err)
		k.render()
	}
}

// typedRune takes a character from a physical keyboard or a USB scanner, which types a
// card's code followed by Enter.
func (k *kiosk) typedRune(r rune) {
	now := time.Now()
	if k.step == stepIdle && now.Sub(k.typedAt) > wedgeGap {
		k.text = nil
	}
	k.typedAt = now
	switch k.step {
	case stepIdle:
		k.text = append(k.text, r) // unseen until Enter: a scan in progress
	case stepCode, stepComment, stepPIN:
		k.typeRune(r)
	}
}

func (k *kiosk) typedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		switch k.step {
		case stepIdle, stepCode:
			k.submitCode()
		case stepPIN:
			k.submitPIN()
		}
	case fyne.KeyBackspace:
		k.backspace()
	case fyne.KeyEscape:
		if k.step == stepCode || k.step == stepPIN {
			k.reset()
		}
	}
}

// typeRune adds r to what is being typed, as the on-screen keyboard's keys do.
func (k *kiosk) typeRune(r rune) {
	k.touch()
	switch k.step {
	case stepPIN:
		if r < '0' || r > '9' || len(k.text) >= 8 {
			return
		}
	case stepComment:
		if k.shift || k.autoCapital() {
			r = unicode.ToUpper(r)
		}
		k.shift = false
		if len(k.text) >= nps.MaxComment {
			return
		}
	case stepCode:
		if len(k.text) >= 64 {
			return
		}
	}
	k.text = append(k.text, r)
	k.render()
}

// autoCapital reports whether the next letter of a comment starts a sentence.
func (k *kiosk) autoCapital() bool {
	t := strings.TrimRight(string(k.text), " ")
	return t == "" || strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?")
}

func (k *kiosk) backspace() {
	k.touch()
	if len(k.text) > 0 {
		k.text = k.text[:len(k.text)-1]
		k.render()
	}
}

// submitCode takes what was typed or scanned as a card's code or card page address. On
// the code screen a mistake stays on screen to be corrected.
func (k *kiosk) submitCode() {
	text := string(k.text)
	if strings.TrimSpace(text) == "" {
		return
	}
	code, err := cards.ParsePayload(text)
	switch {
	case err == nil:
		k.text = nil
		k.onCardScanned(code)
	case k.step == stepCode:
		k.notice = k.explain(err)
		k.render()
	default:
		k.fail(err)
	}
}

// submitPIN closes the kiosk if the owner's PIN was typed.
func (k *kiosk) submitPIN() {
	if _, err := k.u.checkPIN(string(k.text), localdb.RoleOwner); err != nil {
		k.text = nil
		k.notice = k.explain(err)
		k.render()
		return
	}
	k.win.Close()
}

func (k *kiosk) setLang(l i18n.Lang) {
	k.touch()
	k.lang = l
	k.render()
}
