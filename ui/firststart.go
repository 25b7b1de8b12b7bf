package ui

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
)

// StartSync makes the sync client of the shop's store, reporting to onStatus, and runs
// its loop for the app's lifetime. The demo gets none.
type StartSync func(store *localdb.Store, onStatus func(syncclient.Status)) Syncer

// Launcher opens what a device starts on: on a new device, the choice of what it is
// for (try the demo, set up the shop, join the shop); then the demo or the shop, each
// in its own store (see localdb.Folder).
type Launcher struct {
	app       fyne.App
	lang      i18n.Lang
	log       *slog.Logger
	folder    localdb.Folder
	startSync StartSync
	// startBackups runs the shop's backup schedule; nil runs none (tests).
	startBackups StartBackups
	show         func(*UI) fyne.Window // the main window of a ready shop or demo
	do           func(func())

	shop   *UI // the shop's store, once opened
	demo   *UI // the demo's, while it is tried
	win    fyne.Window
	redraw func() // draws the first-start page on screen again, in another language
}

// NewLauncher prepares the app's start over the data folder. show opens the main
// window (the counter, or the kiosk on a tablet).
func NewLauncher(app fyne.App, systemLang i18n.Lang, log *slog.Logger, folder localdb.Folder, startSync StartSync, show func(*UI) fyne.Window) *Launcher {
	app.Settings().SetTheme(merciTheme{dark: app.Preferences().Bool(prefDark)})
	lang := i18n.Parse(app.Preferences().StringWithFallback(prefLang, string(systemLang)))
	return &Launcher{app: app, lang: lang, log: log, folder: folder, startSync: startSync, show: show, do: fyne.Do}
}

// Start opens what the folder holds: the shop, the demo, or the first-start choice.
func (l *Launcher) Start(ctx context.Context) error {
	start, err := l.folder.Start(ctx)
	if err != nil {
		return err
	}
	switch start {
	case localdb.StartShop:
		return l.openShop()
	case localdb.StartDemo:
		return l.openDemo()
	}
	l.showChoice()
	return nil
}

// Close closes the stores; the app has ended.
func (l *Launcher) Close() {
	for _, u := range []*UI{l.shop, l.demo} {
		if u != nil {
			u.Close()
		}
	}
}

// window returns the first-start window, made if needed.
func (l *Launcher) window() fyne.Window {
	if l.win == nil {
		l.win = l.app.NewWindow("Merci")
		l.win.Resize(fyne.NewSize(1280, 800))
		l.win.SetOnClosed(func() { l.win = nil })
		l.win.Show()
	}
	return l.win
}

// enter shows u's main window and closes every other.
func (l *Launcher) enter(u *UI) {
	w := l.show(u)
	// A copy: closing a window takes it out of the driver's list.
	for _, other := range slices.Clone(l.app.Driver().AllWindows()) {
		if other != w {
			other.Close()
		}
	}
	l.win = nil
}

// shopUI opens the shop's store and its sync loop, once.
func (l *Launcher) shopUI() (*UI, error) {
	if l.shop != nil {
		return l.shop, nil
	}
	store, err := l.folder.OpenShop(context.Background())
	if err != nil {
		return nil, err
	}
	u := New(l.app, store, l.lang, l.log)
	u.do = l.do
	u.SetSync(l.startSync(store, u.OnSyncStatus))
	u.loadBackupStatus()
	if l.startBackups != nil {
		l.startBackups(store, u.OnBackupResult)
	}
	l.shop = u
	return u, nil
}

// openShop opens the shop: its counter, or the rest of a join cut short, or the
// program's setup when the shop joined has none yet.
func (l *Launcher) openShop() error {
	u, err := l.shopUI()
	if err != nil {
		return err
	}
	ctx := u.context()
	if _, err := u.store.Joining(ctx); err == nil {
		l.showJoin(true)
		return nil
	}
	if _, err := u.store.Program(ctx); errors.Is(err, localdb.ErrNotFound) {
		l.showSetup()
		return nil
	}
	u.resumeTablet()
	l.enter(u)
	return nil
}

// openDemo opens the demo shop, made on first use.
func (l *Launcher) openDemo() error {
	if l.demo == nil {
		store, err := l.folder.OpenDemo(context.Background())
		if err != nil {
			return err
		}
		l.demo = New(l.app, store, l.lang, l.log)
		l.demo.do = l.do
		l.demo.leaveDemo = l.leaveDemo
	}
	l.enter(l.demo)
	return nil
}

// leaveDemo closes and deletes the demo, and opens the shop's setup.
func (l *Launcher) leaveDemo() {
	demo := l.demo
	l.demo = nil
	l.lang = demo.lang
	l.showSetup()
	for _, w := range slices.Clone(l.app.Driver().AllWindows()) {
		if w != l.win {
			w.Close()
		}
	}
	if err := demo.Close(); err != nil {
		l.log.Error("close the demo", "err", err)
	}
	if err := l.folder.RemoveDemo(); err != nil {
		l.log.Error("remove the demo", "err", err)
	}
}

// fail tells the person at the first-start window what went wrong.
func (l *Launcher) fail(err error) {
	u := &UI{lang: l.lang, log: l.log}
	dialog.ShowInformation(l.lang.T("start.error_title"), u.describe(err), l.window())
}

// page puts content in the middle of the first-start window, under a bar with the
// language picker.
func (l *Launcher) page(content fyne.CanvasObject) {
	names := make([]string, len(i18n.Langs))
	for i, lang := range i18n.Langs {
		names[i] = lang.Name()
	}
	langSelect := widget.NewSelect(names, nil)
	langSelect.SetSelected(l.lang.Name())
	current := l.current
	langSelect.OnChanged = func(name string) {
		for _, lang := range i18n.Langs {
			if lang.Name() == name && lang != l.lang {
				l.lang = lang
				l.app.Preferences().SetString(prefLang, string(lang))
				current()
			}
		}
	}
	brand := bigText(22, true, theme.ColorNamePrimary)
	brand.Text = "Merci"
	bar := container.NewBorder(nil, nil, brand, langSelect)
	l.window().SetContent(container.NewPadded(container.NewBorder(bar, nil, nil, nil,
		container.NewVScroll(container.NewCenter(content)))))
}

// current redraws the page on screen, after a change of language.
func (l *Launcher) current() {
	if l.redraw != nil {
		l.redraw()
	}
}

// showChoice asks what this device is for.
func (l *Launcher) showChoice() {
	l.redraw = l.showChoice
	t := l.lang.T
	title := bigText(34, true, theme.ColorNameForeground)
	title.Text = t("start.welcome")
	title.Alignment = fyne.TextAlignCenter
	sub := widget.NewLabel(t("start.question"))
	sub.Alignment = fyne.TextAlignCenter
	size := fyne.NewSize(340, 340)
	choices := container.NewHBox(
		container.NewGridWrap(size, l.choice(theme.MediaPlayIcon(), "start.demo", widget.MediumImportance, func() {
			if err := l.openDemo(); err != nil {
				l.fail(err)
			}
		})),
		container.NewGridWrap(size, l.choice(theme.HomeIcon(), "start.setup", widget.HighImportance, l.showSetup)),
		container.NewGridWrap(size, l.choice(theme.ComputerIcon(), "start.join", widget.MediumImportance, func() { l.showJoin(false) })),
	)
	gap := canvas.NewRectangle(nil)
	gap.SetMinSize(fyne.NewSize(0, 24))
	l.page(container.NewVBox(title, sub, gap, choices))
}

// choice is one of the first-start choices: an icon, a title, what it does, a button.
func (l *Launcher) choice(icon fyne.Resource, key string, importance widget.Importance, tapped func()) fyne.CanvasObject {
	t := l.lang.T
	img := widget.NewIcon(icon)
	iconBox := container.NewGridWrap(fyne.NewSize(56, 56), img)
	title := bigText(21, true, theme.ColorNameForeground)
	title.Text = t(key)
	desc := widget.NewLabel(t(key + "_desc"))
	desc.Wrapping = fyne.TextWrapWord
	b := widget.NewButton(t(key+"_button"), tapped)
	b.Importance = importance
	return card(container.NewBorder(container.NewVBox(iconBox, title), tallButton(b, 48), nil, nil, desc))
}

// showSetup asks for the shop's name, logo, currency, languages, owner and starting
// program, and sets the shop up.
func (l *Launcher) showSetup() {
	l.redraw = l.showSetup
	t := l.lang.T
	name := widget.NewEntry()
	name.SetPlaceHolder(t("start.shop_name_placeholder"))
	if u := l.shop; u != nil {
		if st, err := u.store.SyncState(u.context()); err == nil {
			name.SetText(st.ShopName) // joined a shop with no program yet
		}
	}
	var logo []byte
	logoPreview := canvas.NewImageFromResource(nil)
	logoPreview.FillMode = canvas.ImageFillContain
	logoPreview.SetMinSize(fyne.NewSize(64, 64))
	logoButton := widget.NewButtonWithIcon(t("start.logo_choose"), theme.FileImageIcon(), func() {
		pickLogo(l.window(), l.fail, func(png []byte) {
			logo = png
			logoPreview.Resource = fyne.NewStaticResource("logo.png", png)
			logoPreview.Refresh()
		})
	})
	currency := widget.NewSelect(currencies, nil)
	currency.SetSelected(defaultCurrency(l.lang))
	var langChecks []*widget.Check
	langBox := container.NewHBox()
	for _, lang := range i18n.Langs {
		c := widget.NewCheck(lang.Name(), nil)
		c.SetChecked(true)
		langChecks = append(langChecks, c)
		langBox.Add(c)
	}
	owner, pin, pin2 := widget.NewEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	owner.SetPlaceHolder(t("start.owner_placeholder"))
	pin.SetPlaceHolder(t("start.pin_placeholder"))
	starterNames := make([]string, len(loyalty.Starters))
	for i, k := range loyalty.Starters {
		starterNames[i] = t("start.starter." + string(k))
	}
	starter := widget.NewRadioGroup(starterNames, nil)
	starter.SetSelected(starterNames[0])
	reward := widget.NewEntry()
	reward.SetText(t("start.reward_default"))
	starterHelp := widget.NewLabel("")
	starterHelp.Wrapping = fyne.TextWrapWord
	starter.OnChanged = func(string) {
		k := loyalty.Starters[max(0, slices.Index(starterNames, starter.Selected))]
		starterHelp.SetText(t("start.starter." + string(k) + "_desc"))
		if k == loyalty.StarterCashback {
			reward.Disable()
		} else {
			reward.Enable()
		}
	}
	starter.OnChanged(starter.Selected)
	msg := widget.NewLabel("")
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance

	create := widget.NewButtonWithIcon(t("start.create"), theme.ConfirmIcon(), func() {
		var langs []string
		for i, c := range langChecks {
			if c.Checked {
				langs = append(langs, string(i18n.Langs[i]))
			}
		}
		// The language the owner set up in comes first: the shop's main one.
		if i := slices.Index(langs, string(l.lang)); i > 0 {
			langs = append([]string{langs[i]}, slices.Delete(langs, i, i+1)...)
		}
		kind := loyalty.Starters[max(0, slices.Index(starterNames, starter.Selected))]
		err := l.setUp(localdb.Setup{
			Shop:      localdb.Shop{Name: name.Text, Logo: logo, Languages: langs},
			Program:   loyalty.Starter(kind, currency.Selected, strings.TrimSpace(reward.Text)),
			OwnerName: owner.Text,
			OwnerPIN:  strings.TrimSpace(pin.Text),
		}, pin2.Text)
		if err != nil {
			msg.SetText((&UI{lang: l.lang, log: l.log}).describe(err))
		}
	})
	create.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(t("start.back"), theme.NavigateBackIcon(), l.showChoice)

	form := func(items ...*widget.FormItem) fyne.CanvasObject { return widget.NewForm(items...) }
	shopForm := form(
		widget.NewFormItem(t("start.shop_name"), name),
		widget.NewFormItem(t("start.logo"), container.NewHBox(logoPreview, logoButton)),
		widget.NewFormItem(t("start.currency"), currency),
		widget.NewFormItem(t("start.languages"), langBox),
	)
	ownerForm := form(
		widget.NewFormItem(t("start.owner_name"), owner),
		widget.NewFormItem(t("start.pin"), pin),
		widget.NewFormItem(t("start.pin_again"), pin2),
	)
	programForm := form(
		widget.NewFormItem(t("start.starter"), container.NewVBox(starter, starterHelp)),
		widget.NewFormItem(t("start.reward"), reward),
	)
	heading := bigText(28, true, theme.ColorNameForeground)
	heading.Text = t("start.setup_title")
	intro := widget.NewLabel(t("start.setup_intro"))
	intro.Wrapping = fyne.TextWrapWord
	width := canvas.NewRectangle(nil)
	width.SetMinSize(fyne.NewSize(760, 0))
	body := container.NewVBox(width, heading, intro,
		section(t("start.section_shop"), shopForm),
		section(t("start.section_owner"), ownerForm),
		section(t("start.section_program"), programForm),
		msg,
		container.NewHBox(back, layout.NewSpacer(), tallButton(create, 48)))
	l.page(body)
	l.window().Canvas().Focus(name)
}

// setUp sets the shop up on its store and opens it.
func (l *Launcher) setUp(su localdb.Setup, pinAgain string) error {
	if strings.TrimSpace(su.Shop.Name) == "" {
		return errField{l.lang.T("start.shop_name"), errNameRequired}
	}
	if strings.TrimSpace(su.OwnerName) == "" {
		return errField{l.lang.T("start.owner_name"), errNameRequired}
	}
	if su.OwnerPIN != strings.TrimSpace(pinAgain) {
		return errPINMismatch
	}
	u, err := l.shopUI()
	if err != nil {
		return err
	}
	if _, err := u.store.SetUpShop(u.context(), su); err != nil {
		return err
	}
	u.setLang(l.lang)
	l.enter(u)
	return nil
}

// errPINMismatch means the PIN typed twice differs.
var errPINMismatch = errors.New("the two PINs differ")

// currencies are those the setup offers, the usual ones of Merci's languages first.
var currencies = []string{"EUR", "USD", "BRL", "GBP", "CHF", "CAD", "XOF", "MAD"}

func defaultCurrency(l i18n.Lang) string {
	switch l {
	case i18n.Portuguese:
		return "BRL"
	case i18n.French:
		return "EUR"
	}
	return "USD"
}

// showJoin asks for the server's address and an enrollment code, joins the shop and
// pulls it with a progress bar, then opens it. resume takes up a join cut short.
func (l *Launcher) showJoin(resume bool) {
	l.redraw = func() { l.showJoin(resume) }
	t := l.lang.T
	server, code, name := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	server.SetPlaceHolder("https://cloud.example.com")
	code.SetPlaceHolder("ABCD-EFGH")
	host, _ := os.Hostname()
	name.SetText(host)
	bar := widget.NewProgressBar()
	bar.Hide()
	counts := widget.NewLabel("")
	counts.Wrapping = fyne.TextWrapWord
	msg := widget.NewLabel("")
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	var connect *widget.Button
	back := widget.NewButtonWithIcon(t("start.back"), theme.NavigateBackIcon(), l.showChoice)
	progress := func(p syncclient.JoinProgress) {
		l.do(func() {
			bar.Show()
			bar.SetValue(p.Fraction())
			counts.SetText(t("start.join_progress", l.lang.Number(int64(p.Customers)), l.lang.Number(int64(p.Operations)), l.lang.Number(int64(p.Changes))))
		})
	}
	run := func() {
		u, err := l.shopUI()
		if err != nil {
			l.fail(err)
			return
		}
		connect.Disable()
		back.Disable()
		msg.SetText("")
		counts.SetText(t("cloud.connecting"))
		req := syncclient.JoinRequest{ServerURL: server.Text, Code: code.Text, DeviceName: strings.TrimSpace(name.Text), Progress: progress}
		go func() {
			var err error
			if resume {
				err = u.sync.ResumeJoin(context.Background(), progress)
			} else {
				_, err = u.sync.Join(context.Background(), req)
			}
			l.do(func() {
				if err != nil {
					connect.Enable()
					back.Enable()
					counts.SetText("")
					msg.SetText(u.describe(err))
					if _, jerr := u.store.Joining(u.context()); jerr == nil {
						resume = true // the code is used: what is left is pulling
					}
					return
				}
				if err := l.openShop(); err != nil {
					l.fail(err)
				}
			})
		}()
	}
	connect = widget.NewButtonWithIcon(t("start.join_button"), theme.LoginIcon(), run)
	connect.Importance = widget.HighImportance
	heading := bigText(28, true, theme.ColorNameForeground)
	heading.Text = t("start.join_title")
	intro := widget.NewLabel(t("start.join_intro"))
	intro.Wrapping = fyne.TextWrapWord
	width := canvas.NewRectangle(nil)
	width.SetMinSize(fyne.NewSize(640, 0))
	var fields fyne.CanvasObject = widget.NewForm(
		widget.NewFormItem(t("cloud.server"), server),
		widget.NewFormItem(t("cloud.code"), code),
		widget.NewFormItem(t("cloud.device_name"), name),
	)
	if resume {
		fields = widget.NewLabel(t("start.join_resume"))
	}
	body := container.NewVBox(width, heading, intro, card(container.NewVBox(fields, bar, counts)), msg,
		container.NewHBox(back, layout.NewSpacer(), tallButton(connect, 48)))
	l.page(body)
	if resume {
		back.Hide()
		run()
	}
}

// demoBanner is the band across the counter of the demo: what it is, and the way out.
func (u *UI) demoBanner(w fyne.Window) fyne.CanvasObject {
	l := u.lang
	bg := canvas.NewRectangle(themeColor(theme.ColorNameWarning))
	bg.CornerRadius = 8
	text := canvas.NewText(l.T("start.demo_banner"), themeColor(colorSurface))
	text.TextStyle.Bold = true
	leave := widget.NewButtonWithIcon(l.T("start.demo_leave"), theme.LogoutIcon(), func() {
		dialog.ShowConfirm(l.T("start.demo_leave"), l.T("start.demo_leave_confirm"), func(ok bool) {
			if ok {
				u.leaveDemo()
			}
		}, w)
	})
	return container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil, nil, leave, container.NewCenter(text))))
}

// shopLogo is the shop's logo at height h, or nil if it has none.
func shopLogo(shop localdb.Shop, h float32) fyne.CanvasObject {
	if len(shop.Logo) == 0 {
		return nil
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource("logo.png", shop.Logo))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(h*2, h))
	return img
}

// describeOwnData says what a device holds of its own, for the choice to bring it in.
func (u *UI) describeOwnData(o localdb.OwnData) string {
	return u.lang.T("cloud.own_data", u.lang.Number(int64(o.Customers)), u.lang.Number(int64(o.Operations)))
}

// pickLogo asks for a PNG or JPEG file over w and hands it to picked as a logo ready to
// store (localdb.PrepareLogo), or its error to fail.
func pickLogo(w fyne.Window, fail func(error), picked func([]byte)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		png, err := localdb.PrepareLogo(r)
		if err != nil {
			fail(err)
			return
		}
		picked(png)
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg"}))
	d.Show()
}
