package ui

import (
	"bytes"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// render draws the current step.
func (k *kiosk) render() {
	var content fyne.CanvasObject
	switch k.Step {
	case kioskflow.Idle:
		content = k.idleScreen()
	case kioskflow.Code:
		content = k.codeScreen()
	case kioskflow.Score:
		content = k.scoreScreen()
	case kioskflow.Comment:
		content = k.commentScreen()
	case kioskflow.Thanks:
		content = k.thanksScreen()
	case kioskflow.PIN:
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
	if k.Step != kioskflow.Idle {
		name := text(k.shop().Name, 22, true, lightText)
		left = container.NewHBox(k.logo(44), container.NewCenter(name))
	}
	right := container.NewHBox()
	spoken := k.shop().Languages
	for _, l := range i18n.Langs {
		if len(spoken) > 0 && !slices.Contains(spoken, string(l)) && l != k.Lang {
			continue // the shop chose the languages its customers are offered
		}
		bg, fg := color.Color(kioskKey), color.Color(lightText)
		if l == k.Lang {
			bg, fg = brandGreen, white
		}
		right.Add(newTouchButton(strings.ToUpper(string(l)), bg, fg, 18, fyne.NewSize(84, 52), func() { k.SetLang(l) }))
	}
	exit := widget.NewButtonWithIcon("", theme.LogoutIcon(), func() { k.GoTo(kioskflow.PIN) })
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
	l := k.Lang
	shop := k.shop()
	p, err := k.u.program()
	if err != nil {
		k.u.log.Error("kiosk: read the loyalty program", "err", err)
	}
	hint := l.T("kiosk.scan_hint_counter")
	switch {
	case p.SelfServiceVisitCashback > 0:
		hint = l.T("kiosk.scan_hint_cashback", l.Money(p.SelfServiceVisitCashback, p.Currency))
	case p.SelfServiceVisitPoints > 0:
		hint = l.T("kiosk.scan_hint", l.Number(p.SelfServiceVisitPoints))
	}
	welcome := container.NewVBox(
		width(600),
		container.NewHBox(k.logo(120), width(8), container.NewCenter(text(shop.Name, 34, true, lightText))),
		spacer(36),
		text(l.T("kiosk.scan"), 56, true, brandGreen),
		wrapped(hint, theme.SizeNameSubHeadingText, false, fyne.TextAlignLeading),
		spacer(12),
		container.NewHBox(newTouchButton(l.T("kiosk.type_code"), kioskKey, lightText, 22, fyne.NewSize(360, 76), func() { k.GoTo(kioskflow.Code) })),
	)
	if k.Notice != "" {
		welcome.Add(spacer(12))
		welcome.Add(k.banner(k.Notice, red))
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
		if q := strings.TrimSpace(set.Question[nps.Lang(k.Lang)]); q != "" {
			return q
		}
	}
	return k.Lang.T("kiosk.question", k.shop().Name)
}

func (k *kiosk) scoreScreen() fyne.CanvasObject {
	l := k.Lang
	keys := container.NewGridWithColumns(11)
	for score := 0; score <= 10; score++ {
		bg, fg := scoreColors(score)
		keys.Add(newTouchButton(strconv.Itoa(score), bg, fg, 44, fyne.NewSize(96, 132), func() { k.ChooseScore(score) }))
	}
	ends := container.NewBorder(nil, nil,
		text(l.T("kiosk.not_likely"), 22, true, lightMuted),
		text(l.T("kiosk.extremely_likely"), 22, true, lightMuted))
	items := []fyne.CanvasObject{}
	if k.Visit != nil {
		items = append(items, k.banner(k.Welcome(), ok), spacer(24))
	}
	items = append(items, wrapped(k.question(), theme.SizeNameHeadingText, true, fyne.TextAlignCenter), spacer(32), keys, ends)
	return container.NewCenter(container.NewVBox(append([]fyne.CanvasObject{width(1200)}, items...)...))
}

func (k *kiosk) commentScreen() fyne.CanvasObject {
	l := k.Lang
	typed := wrapped(string(k.Text)+"▏", theme.SizeNameSubHeadingText, false, fyne.TextAlignLeading)
	if len(k.Text) == 0 {
		typed = wrapped(l.T("kiosk.reason_hint"), theme.SizeNameSubHeadingText, false, fyne.TextAlignLeading)
		typed.Importance = widget.LowImportance
	}
	box := container.NewStack(spacer(96), panel(typed))
	skip := newTouchButton(l.T("kiosk.skip"), kioskKeyDark, lightText, 24, fyne.NewSize(240, 72), func() { k.send(false) })
	send := newTouchButton(l.T("kiosk.send"), brandGreen, white, 24, fyne.NewSize(240, 72), func() { k.send(true) })
	bg, fg := scoreColors(k.Score)
	chosen := newTouchButton(strconv.Itoa(k.Score), bg, fg, 30, fyne.NewSize(64, 64), nil)
	title := container.NewBorder(nil, nil, chosen, nil,
		wrapped(l.T("kiosk.reason"), theme.SizeNameHeadingText, true, fyne.TextAlignLeading))
	top := container.NewVBox(spacer(8), title, box)
	bottom := container.NewBorder(nil, nil, skip, send)
	return container.NewBorder(top, nil, nil, nil,
		container.NewBorder(nil, bottom, nil, nil, container.NewPadded(k.keyboard(commentKeys, true))))
}

func (k *kiosk) codeScreen() fyne.CanvasObject {
	l := k.Lang
	shown := l.T("kiosk.code_placeholder")
	c := color.Color(lightMuted)
	if len(k.Text) > 0 {
		shown, c = groupCode(strings.ToUpper(string(k.Text))), lightText
	}
	display := panel(container.NewCenter(text(shown, 40, true, c)))
	cancel := newTouchButton(l.T("kiosk.cancel"), kioskKeyDark, lightText, 24, fyne.NewSize(240, 72), k.Reset)
	okKey := newTouchButton(l.T("kiosk.ok"), brandGreen, white, 24, fyne.NewSize(240, 72), k.submitCode)
	items := []fyne.CanvasObject{wrapped(l.T("kiosk.code_title"), theme.SizeNameHeadingText, true, fyne.TextAlignCenter), display}
	if k.Notice != "" {
		items = append(items, k.banner(k.Notice, red))
	}
	return container.NewBorder(container.NewVBox(items...), container.NewBorder(nil, nil, cancel, okKey), nil, nil,
		container.NewPadded(k.keyboard(codeKeys, false)))
}

// groupCode shows a card code being typed in groups of four, as printed on the card.
func groupCode(typed string) string {
	var b strings.Builder
	n := 0
	for _, r := range typed {
		if r == '-' || r == ' ' {
			continue
		}
		if n > 0 && n%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func (k *kiosk) pinScreen() fyne.CanvasObject {
	l := k.Lang
	dots := strings.Repeat("●  ", len(k.Text))
	if dots == "" {
		dots = " "
	}
	pad := container.NewGridWithColumns(3)
	for _, key := range "123456789" {
		pad.Add(k.key(string(key), func() { k.TypeRune(key) }))
	}
	pad.Add(k.key("⌫", k.Backspace))
	pad.Add(k.key("0", func() { k.TypeRune('0') }))
	pad.Add(newTouchButton(l.T("kiosk.ok"), brandGreen, white, 24, fyne.NewSize(110, 76), k.submitPIN))
	items := []fyne.CanvasObject{
		wrapped(l.T("kiosk.pin_title"), theme.SizeNameHeadingText, true, fyne.TextAlignCenter),
		container.NewCenter(text(dots, 34, true, lightText)),
	}
	if k.Notice != "" {
		items = append(items, k.banner(k.Notice, red))
	}
	items = append(items, pad, newTouchButton(l.T("kiosk.cancel"), kioskKeyDark, lightText, 22, fyne.NewSize(0, 64), k.Reset))
	return container.NewCenter(container.NewVBox(append([]fyne.CanvasObject{width(520)}, items...)...))
}

func (k *kiosk) thanksScreen() fyne.CanvasObject {
	l := k.Lang
	check := widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	items := []fyne.CanvasObject{
		container.NewCenter(container.NewGridWrap(fyne.NewSize(112, 112), check)),
		container.NewCenter(text(l.T("kiosk.thanks"), 72, true, brandGreen)),
		wrapped(l.T("kiosk.thanks_detail"), theme.SizeNameHeadingText, false, fyne.TextAlignCenter),
	}
	if k.Visit != nil {
		items = append(items, spacer(16), k.banner(k.Welcome(), ok))
	}
	if k.Notice != "" {
		items = append(items, spacer(16), k.banner(k.Notice, kioskAmber))
	}
	items = append(items, spacer(32), container.NewCenter(
		newTouchButton(l.T("kiosk.done"), brandGreen, white, 24, fyne.NewSize(260, 76), k.Reset)))
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
	upper := k.Shift || (k.Step == kioskflow.Comment && k.AutoCapital())
	grid := container.NewVBox()
	for i, row := range rows {
		keys := container.NewGridWithColumns(10)
		for _, r := range row {
			label := string(r)
			if upper {
				label = strings.ToUpper(label)
			}
			keys.Add(k.key(label, func() { k.TypeRune(r) }))
		}
		if i == len(rows)-1 && !withSpace {
			for range 9 - len([]rune(row)) {
				keys.Add(layout.NewSpacer())
			}
			keys.Add(k.key("⌫", k.Backspace))
		}
		grid.Add(keys)
	}
	if withSpace {
		shiftBg := color.Color(kioskKeyDark)
		if upper {
			shiftBg = brandGreenLight
		}
		shift := newTouchButton("⇧", shiftBg, lightText, 26, fyne.NewSize(160, 60), k.ToggleShift)
		space := k.key(k.Lang.T("kiosk.space"), func() { k.TypeRune(' ') })
		back := newTouchButton("⌫", kioskKeyDark, lightText, 26, fyne.NewSize(160, 60), k.Backspace)
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
