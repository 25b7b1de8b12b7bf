package ui

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
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
	welcome   string // after a self-service visit: the points earned
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
	case k.step == stepScore && !k.touched && k.welcome == "" && invID(inv) != invID(k.inv):
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
	k.step, k.touched, k.shift = step, false, false
	k.gen++
	k.text = nil
	k.stopTimer()
	switch {
	case step == stepThanks:
		k.arm(thanksFor)
	case step == stepIdle, step == stepScore && k.welcome == "":
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
	k.inv, k.score, k.welcome, k.notice = nil, 0, "", ""
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
	_, a, inv, err := k.u.store.RecordVisit(k.u.context(), code, o)
	if err != nil {
		k.fail(err)
		return
	}
	l := k.lang
	p, err := k.u.program()
	if err != nil {
		k.u.log.Error("kiosk: read the loyalty program", "err", err)
	}
	greeting := l.T("kiosk.welcome")
	if a.Customer.Name != "" {
		greeting = l.T("kiosk.welcome_name", firstName(a.Customer.Name))
	}
	k.welcome = greeting + " " + l.T("kiosk.visit_points", l.Number(p.SelfServiceVisitPoints), l.Number(a.Balance.Points))
	k.notice = ""
	if inv != nil {
		k.inv = inv
		k.goTo(stepScore)
		return
	}
	k.goTo(stepThanks)
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
	known := []struct {
		err error
		key string
	}{
		{nps.ErrVisitLimit, "kiosk.err.visit_limit"},
		{localdb.ErrUnknownCard, "kiosk.err.unknown_card"},
		{loyalty.ErrCardBlocked, "kiosk.err.card_blocked"},
		{loyalty.ErrCardReplaced, "kiosk.err.card_replaced"},
		{cards.ErrMalformed, "kiosk.err.bad_code"},
		{cards.ErrCheck, "kiosk.err.bad_code"},
		{cards.ErrNotMerciCard, "kiosk.err.bad_code"},
		{localdb.ErrNoSelfService, "kiosk.err.no_self_service"},
		{nps.ErrAlreadyAnswered, "kiosk.already_answered"},
		{nps.ErrExpired, "kiosk.expired"},
		{localdb.ErrWrongPIN, "kiosk.wrong_pin"},
	}
	for _, e := range known {
		if errors.Is(err, e.err) {
			return k.lang.T(e.key)
		}
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
	k.notice = ""
	if err != nil {
		k.notice = k.explain(err)
	}
	k.inv = nil
	k.goTo(stepThanks)
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
		r = unicode.ToUpper(r)
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

func (k *kiosk) submitCode() {
	text := string(k.text)
	k.text = nil
	if strings.TrimSpace(text) == "" {
		return
	}
	code, err := cards.ParsePayload(text)
	if err != nil {
		if _, codeErr := cards.ParseCode(text); codeErr != nil {
			err = codeErr
		}
		if k.step == stepCode {
			k.notice = k.explain(err)
			k.render()
			return
		}
		k.fail(err)
		return
	}
	k.onCardScanned(code)
}

// submitPIN closes the kiosk if the owner's PIN was typed.
func (k *kiosk) submitPIN() {
	if _, err := k.u.store.StaffByPIN(k.u.context(), string(k.text), localdb.RoleOwner); err != nil {
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

// render draws the current step.
func (k *kiosk) render() {
	var content fyne.CanvasObject
	switch k.step {
	case stepIdle:
		content = k.idleScreen()
	case stepCode:
		content = k.codeScreen()
	case stepScore:
		content = k.scoreScreen()
	case stepComment:
		content = k.commentScreen()
	case stepThanks:
		content = k.thanksScreen()
	case stepPIN:
		content = k.pinScreen()
	}
	k.body.Objects = []fyne.CanvasObject{container.NewBorder(k.topBar(), nil, nil, nil, content)}
	k.skin.Refresh() // applies the kiosk's theme to the new widgets
	// Keys typed go to the kiosk's own handlers, never to a button the owner tapped.
	k.win.Canvas().Unfocus()
}

// topBar shows the shop's name (except on the welcome screen, which shows it large), the
// language keys and the owner's discreet exit.
func (k *kiosk) topBar() fyne.CanvasObject {
	var left fyne.CanvasObject = layout.NewSpacer()
	if k.step != stepIdle {
		name := text(k.shop().Name, 22, true, lightText)
		left = container.NewHBox(k.logo(44), container.NewCenter(name))
	}
	right := container.NewHBox()
	for _, l := range i18n.Langs {
		bg, fg := color.Color(kioskKey), color.Color(lightText)
		if l == k.lang {
			bg, fg = brandGreen, white
		}
		right.Add(newTouchButton(strings.ToUpper(string(l)), bg, fg, 18, fyne.NewSize(84, 52), func() { k.setLang(l) }))
	}
	exit := widget.NewButtonWithIcon("", theme.LogoutIcon(), func() { k.goTo(stepPIN) })
	exit.Importance = widget.LowImportance
	right.Add(exit)
	return container.NewBorder(nil, nil, left, right)
}

func (k *kiosk) shop() localdb.Shop {
	shop, err := k.u.store.Shop(k.u.context())
	if err != nil {
		k.u.log.Error("kiosk: read the shop", "err", err)
		shop.Name = "Merci"
	}
	return shop
}

// logo returns the shop's logo at size, or its initials in a green disc.
func (k *kiosk) logo(size float32) fyne.CanvasObject {
	shop := k.shop()
	if len(shop.Logo) > 0 {
		img := canvas.NewImageFromReader(bytes.NewReader(shop.Logo), "logo.png")
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(size, size))
		return img
	}
	disc := canvas.NewCircle(brandGreen)
	initials := ""
	for _, w := range strings.Fields(shop.Name) {
		if r := []rune(w)[0]; unicode.IsLetter(r) && len([]rune(initials)) < 2 {
			initials += string(unicode.ToUpper(r))
		}
	}
	letters := text(initials, size*0.4, true, white)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(size, size), container.NewStack(disc, container.NewCenter(letters))))
}

func text(s string, size float32, bold bool, c color.Color) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// wrapped is a label that wraps, at a theme text size.
func wrapped(s string, size fyne.ThemeSizeName, bold bool, align fyne.TextAlign) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = size
	l.TextStyle.Bold = bold
	l.Alignment = align
	return l
}

func (k *kiosk) idleScreen() fyne.CanvasObject {
	l := k.lang
	shop := k.shop()
	p, err := k.u.program()
	if err != nil {
		k.u.log.Error("kiosk: read the loyalty program", "err", err)
	}
	hint := l.T("kiosk.scan_hint_counter")
	if p.SelfServiceVisitPoints > 0 {
		hint = l.T("kiosk.scan_hint", l.Number(p.SelfServiceVisitPoints))
	}
	welcome := container.NewVBox(
		width(600),
		container.NewHBox(k.logo(120), width(8), container.NewCenter(text(shop.Name, 34, true, lightText))),
		spacer(36),
		text(l.T("kiosk.scan"), 56, true, brandGreen),
		wrapped(hint, theme.SizeNameSubHeadingText, false, fyne.TextAlignLeading),
		spacer(12),
		container.NewHBox(newTouchButton(l.T("kiosk.type_code"), kioskKey, lightText, 22, fyne.NewSize(360, 76), func() { k.goTo(stepCode) })),
	)
	if k.notice != "" {
		welcome.Add(spacer(12))
		welcome.Add(k.banner(k.notice, red))
	}
	rewards := container.NewVBox(text(strings.ToUpper(l.T("kiosk.rewards")), 18, true, lightMuted), spacer(6))
	sorted := slices.Clone(p.Rewards)
	slices.SortStableFunc(sorted, func(a, b loyalty.Reward) int { return int(a.Points - b.Points) })
	for i, r := range sorted {
		if i > 0 {
			rewards.Add(widget.NewSeparator())
		}
		rewards.Add(container.NewBorder(nil, nil, nil,
			text(l.T("kiosk.points_n", l.Number(r.Points)), 24, true, brandGreen),
			text(r.Name, 26, false, lightText)))
	}
	if len(sorted) == 0 {
		rewards.Add(wrapped(l.T("kiosk.no_rewards"), theme.SizeNameSubHeadingText, false, fyne.TextAlignLeading))
	}
	right := container.NewVBox(width(440), panel(rewards))
	return container.NewBorder(nil, nil, nil, container.NewCenter(right), container.NewCenter(container.NewPadded(welcome)))
}

// panel is a white rounded surface, like the counter's cards but always light.
func panel(content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(lightSurface)
	bg.CornerRadius = 14
	bg.StrokeColor = color.NRGBA{R: 0xdd, G: 0xd8, B: 0xd0, A: 0xff}
	bg.StrokeWidth = 1
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(14, 14, 20, 20), content))
}

// width is an invisible object that makes its column at least w wide.
func width(w float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, 0))
	return r
}

func spacer(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, h))
	return r
}

// banner is a message on a tinted band.
func (k *kiosk) banner(msg string, tint color.Color) fyne.CanvasObject {
	bg := canvas.NewRectangle(withAlpha(tint, 0x30))
	bg.CornerRadius = 10
	return container.NewStack(bg, container.NewPadded(wrapped(msg, theme.SizeNameSubHeadingText, true, fyne.TextAlignCenter)))
}

func (k *kiosk) question() string {
	if set, err := k.u.store.NPSSettings(k.u.context()); err == nil {
		if q := strings.TrimSpace(set.Question[nps.Lang(k.lang)]); q != "" {
			return q
		}
	}
	return k.lang.T("kiosk.question", k.shop().Name)
}

func (k *kiosk) scoreScreen() fyne.CanvasObject {
	l := k.lang
	keys := container.NewGridWithColumns(11)
	for score := 0; score <= 10; score++ {
		bg, fg := scoreColors(score)
		keys.Add(newTouchButton(strconv.Itoa(score), bg, fg, 44, fyne.NewSize(96, 132), func() { k.onScore(score) }))
	}
	ends := container.NewBorder(nil, nil,
		text(l.T("kiosk.not_likely"), 22, true, lightMuted),
		text(l.T("kiosk.extremely_likely"), 22, true, lightMuted))
	items := []fyne.CanvasObject{}
	if k.welcome != "" {
		items = append(items, k.banner(k.welcome, ok), spacer(24))
	}
	items = append(items, wrapped(k.question(), theme.SizeNameHeadingText, true, fyne.TextAlignCenter), spacer(32), keys, ends)
	return container.NewCenter(container.NewVBox(append([]fyne.CanvasObject{width(1200)}, items...)...))
}

func (k *kiosk) commentScreen() fyne.CanvasObject {
	l := k.lang
	typed := wrapped(string(k.text)+"▏", theme.SizeNameSubHeadingText, false, fyne.TextAlignLeading)
	if len(k.text) == 0 {
		typed = wrapped(l.T("kiosk.reason_hint"), theme.SizeNameSubHeadingText, false, fyne.TextAlignLeading)
		typed.Importance = widget.LowImportance
	}
	box := container.NewStack(spacer(96), panel(typed))
	skip := newTouchButton(l.T("kiosk.skip"), kioskKeyDark, lightText, 24, fyne.NewSize(240, 72), func() { k.send(false) })
	send := newTouchButton(l.T("kiosk.send"), brandGreen, white, 24, fyne.NewSize(240, 72), func() { k.send(true) })
	title := wrapped(l.T("kiosk.reason"), theme.SizeNameHeadingText, true, fyne.TextAlignLeading)
	top := container.NewVBox(title, box)
	bottom := container.NewBorder(nil, nil, skip, send)
	return container.NewBorder(top, nil, nil, nil,
		container.NewBorder(nil, bottom, nil, nil, container.NewPadded(k.keyboard(commentKeys, true))))
}

func (k *kiosk) codeScreen() fyne.CanvasObject {
	l := k.lang
	shown := l.T("kiosk.code_placeholder")
	c := color.Color(lightMuted)
	if len(k.text) > 0 {
		shown, c = cards.Code(strings.NewReplacer("-", "", " ", "").Replace(string(k.text))).String(), lightText
	}
	display := panel(container.NewCenter(text(shown, 40, true, c)))
	cancel := newTouchButton(l.T("kiosk.cancel"), kioskKeyDark, lightText, 24, fyne.NewSize(240, 72), k.reset)
	okKey := newTouchButton(l.T("kiosk.ok"), brandGreen, white, 24, fyne.NewSize(240, 72), k.submitCode)
	items := []fyne.CanvasObject{wrapped(l.T("kiosk.code_title"), theme.SizeNameHeadingText, true, fyne.TextAlignCenter), display}
	if k.notice != "" {
		items = append(items, k.banner(k.notice, red))
	}
	return container.NewBorder(container.NewVBox(items...), container.NewBorder(nil, nil, cancel, okKey), nil, nil,
		container.NewPadded(k.keyboard(codeKeys, false)))
}

func (k *kiosk) pinScreen() fyne.CanvasObject {
	l := k.lang
	dots := strings.Repeat("●  ", len(k.text))
	if dots == "" {
		dots = " "
	}
	pad := container.NewGridWithColumns(3)
	for _, key := range "123456789" {
		pad.Add(k.key(string(key), func() { k.typeRune(key) }))
	}
	pad.Add(k.key("⌫", k.backspace))
	pad.Add(k.key("0", func() { k.typeRune('0') }))
	pad.Add(newTouchButton(l.T("kiosk.ok"), brandGreen, white, 24, fyne.NewSize(110, 76), k.submitPIN))
	items := []fyne.CanvasObject{
		wrapped(l.T("kiosk.pin_title"), theme.SizeNameHeadingText, true, fyne.TextAlignCenter),
		container.NewCenter(text(dots, 34, true, lightText)),
	}
	if k.notice != "" {
		items = append(items, k.banner(k.notice, red))
	}
	items = append(items, pad, newTouchButton(l.T("kiosk.cancel"), kioskKeyDark, lightText, 22, fyne.NewSize(0, 64), k.reset))
	return container.NewCenter(container.NewVBox(append([]fyne.CanvasObject{width(420)}, items...)...))
}

func (k *kiosk) thanksScreen() fyne.CanvasObject {
	l := k.lang
	items := []fyne.CanvasObject{
		container.NewCenter(text(l.T("kiosk.thanks"), 72, true, brandGreen)),
		wrapped(l.T("kiosk.thanks_detail"), theme.SizeNameHeadingText, false, fyne.TextAlignCenter),
	}
	if k.welcome != "" {
		items = append(items, spacer(16), k.banner(k.welcome, ok))
	}
	if k.notice != "" {
		items = append(items, spacer(16), k.banner(k.notice, kioskAmber))
	}
	items = append(items, spacer(32), container.NewCenter(
		newTouchButton(l.T("kiosk.done"), brandGreen, white, 24, fyne.NewSize(260, 76), k.reset)))
	return container.NewCenter(container.NewVBox(append([]fyne.CanvasObject{width(900)}, items...)...))
}

// Keyboard layouts: alphabetical rows, so that nobody hunts for a key whatever the
// layout they are used to. Card codes use Crockford's alphabet, which has no I, L, O, U.
var (
	commentKeys = []string{"1234567890", "abcdefghij", "klmnopqrst", "uvwxyz',.?", "éèêàâçôãõú"}
	codeKeys    = []string{"1234567890", "ABCDEFGHJK", "MNPQRSTVWX", "YZ"}
)

func (k *kiosk) key(label string, tap func()) *touchButton {
	return newTouchButton(label, kioskKey, lightText, 26, fyne.NewSize(64, 60), tap)
}

// keyboard is the on-screen keyboard with rows of keys; withSpace adds the shift and
// space keys a comment needs.
func (k *kiosk) keyboard(rows []string, withSpace bool) fyne.CanvasObject {
	upper := k.shift || (k.step == stepComment && k.autoCapital())
	grid := container.NewVBox()
	for i, row := range rows {
		keys := container.NewGridWithColumns(10)
		for _, r := range row {
			label := string(r)
			if upper {
				label = strings.ToUpper(label)
			}
			keys.Add(k.key(label, func() { k.typeRune(r) }))
		}
		if i == len(rows)-1 && !withSpace {
			for range 9 - len([]rune(row)) {
				keys.Add(layout.NewSpacer())
			}
			keys.Add(k.key("⌫", k.backspace))
		}
		grid.Add(keys)
	}
	if withSpace {
		shiftBg := color.Color(kioskKeyDark)
		if upper {
			shiftBg = brandGreenLight
		}
		shift := newTouchButton("⇧", shiftBg, lightText, 26, fyne.NewSize(160, 60), func() {
			k.touch()
			k.shift = !k.shift
			k.render()
		})
		space := k.key(k.lang.T("kiosk.space"), func() { k.typeRune(' ') })
		back := newTouchButton("⌫", kioskKeyDark, lightText, 26, fyne.NewSize(160, 60), k.backspace)
		grid.Add(container.NewBorder(nil, nil, shift, back, space))
	}
	return grid
}

// kioskTheme is Merci's light theme with text sized for a tablet read at arm's length:
// a shop's customer screen looks the same whatever the system's dark mode.
type kioskTheme struct{ merciTheme }

func (t kioskTheme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.merciTheme.Color(name, theme.VariantLight)
}

func (t kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 20
	case theme.SizeNameSubHeadingText:
		return 26
	case theme.SizeNameHeadingText:
		return 38
	}
	return t.merciTheme.Size(n)
}

// brandGreenLight marks a key that is on (shift).
var brandGreenLight = color.NRGBA{R: 0xb8, G: 0xe0, B: 0xd2, A: 0xff}
