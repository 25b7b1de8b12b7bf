package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/scanner"
)

// counter is the cashier's screen: one always-focused input for card codes (typed or
// from a USB scanner that types code + Enter), searches and amounts; the card panel; the
// keypad and actions; a message bar with Undo; the day's operations.
type counter struct {
	u   *UI
	win fyne.Window

	input   *keyEntry
	account *localdb.Account // the card on screen, nil when none
	lastOp  *loyalty.Operation

	// card panel
	panel       *fyne.Container
	name        *canvas.Text
	details     *widget.Label
	tier        *canvas.Text
	points      *canvas.Text
	cashback    *canvas.Text
	progress    *widget.ProgressBar
	progressTxt *widget.Label
	expiry      *widget.Label // what expires next, and when
	rewards     *fyne.Container
	results     *fyne.Container // search results, shown instead of the card

	amount *canvas.Text

	// message bar
	msgBg   *canvas.Rectangle
	msg     *widget.Label
	undo    *widget.Button
	entries []localdb.Entry
	recent  *widget.List
	status  *widget.Label
	camera  *cameraPane

	// The lock: the counter's rules, the PIN pad while one is shown, who is at the till.
	rules      localdb.CounterRules
	main       *fyne.Container // the counter, hidden while locked
	lockBox    *fyne.Container // the lock screen
	locked     bool
	pad        *pinPad
	lastActive time.Time
	stopIdle   func()
	who        *widget.Label
	lockBtn    *widget.Button
	// selected is the operation of today's list picked to be cancelled.
	selected     *localdb.Entry
	cancelSelect *widget.Button

	// checking is set while the cloud checks a spend; work tracks that check, so
	// that tests can wait for it.
	checking bool
	work     sync.WaitGroup
	// do runs the slips' outcome on the UI goroutine: u.do, or a test's own loop.
	do func(func())
}

// ShowCounter opens the counter in the app's main window.
func (u *UI) ShowCounter() fyne.Window {
	c := u.newCounter()
	c.win.Show()
	return c.win
}

func (u *UI) newCounter() *counter {
	w := u.app.NewWindow("Merci")
	c := &counter{u: u, win: w, do: u.do}
	var err error
	if c.rules, err = u.store.CounterRules(u.context()); err != nil {
		u.log.Error("read counter rules", "err", err)
		c.rules = localdb.DefaultCounterRules
	}
	c.camera = u.newCameraPane(c.onScan)
	w.SetContent(c.build())
	w.Canvas().SetOnTypedRune(c.onTypedRune)
	w.Canvas().SetOnTypedKey(c.onTypedKey)
	w.Resize(fyne.NewSize(1280, 720))
	c.refreshRecent()
	w.Canvas().Focus(c.input)
	c.camera.start()
	stopRules := u.repeat(rulesEvery, u.applyRulesAlone)
	w.SetOnClosed(func() {
		stopRules()
		c.camera.close()
		if c.stopIdle != nil {
			c.stopIdle()
		}
	})
	if u.staff.ID == "" && (c.rules.PIN == localdb.PINAtStart || c.rules.PIN == localdb.PINWhenIdle) {
		c.lock()
	}
	u.statusListeners = append(u.statusListeners, c.refreshStatus)
	return c
}

// shownCustomer returns the id of the customer on screen, or "".
func (c *counter) shownCustomer() string {
	if c.account == nil {
		return ""
	}
	return c.account.Customer.ID
}

// onScan loads a card read by the camera exactly as a typed code does.
func (c *counter) onScan(ev scanner.Event) {
	defer c.focus()
	if ev.Err != nil {
		c.fail(ev.Err)
		return
	}
	c.loadCard(ev.Code)
}

func (c *counter) build() fyne.CanvasObject {
	l := c.u.lang
	c.input = newKeyEntry()
	c.input.SetPlaceHolder(l.T("counter.input_placeholder"))
	c.input.OnSubmitted = c.onSubmit
	c.input.OnChanged = c.onInputChanged
	c.input.onEscape = c.onEscape

	c.name = bigText(30, true, theme.ColorNameForeground)
	c.details = widget.NewLabel("")
	c.details.Truncation = fyne.TextTruncateEllipsis
	c.tier = bigText(15, true, theme.ColorNamePrimary)
	c.points = bigText(64, true, theme.ColorNamePrimary)
	c.cashback = bigText(26, true, theme.ColorNameForeground)
	c.progress = widget.NewProgressBar()
	c.progress.TextFormatter = func() string { return "" }
	c.progressTxt = widget.NewLabel("")
	c.expiry = widget.NewLabel("")
	c.expiry.Importance = widget.WarningImportance
	c.rewards = container.NewGridWrap(fyne.NewSize(200, 56))
	c.results = container.NewVBox()
	c.panel = container.NewStack()

	c.amount = bigText(amountSize, true, theme.ColorNameForeground)
	c.msgBg = canvas.NewRectangle(color.Transparent)
	c.msgBg.CornerRadius = 8
	c.msg = widget.NewLabel(l.T("counter.ready"))
	c.msg.TextStyle.Bold = true
	c.msg.Wrapping = fyne.TextWrapWord
	c.undo = widget.NewButtonWithIcon(l.T("counter.undo"), theme.ContentUndoIcon(), c.onUndo)
	c.undo.Hide()

	c.recent = widget.NewList(func() int { return len(c.entries) }, c.newEntryRow, c.updateEntryRow)
	c.cancelSelect = widget.NewButtonWithIcon(l.T("counter.cancel_selected"), theme.CancelIcon(), c.onCancelSelected)
	c.cancelSelect.Hide()
	c.recent.OnSelected = func(i widget.ListItemID) {
		e := c.entries[i]
		c.selected = &e
		if e.Kind == loyalty.KindVoid || e.Voided {
			c.cancelSelect.Hide()
		} else {
			c.cancelSelect.Show()
		}
		c.focus()
	}
	c.status = widget.NewLabel("")
	c.showEmptyPanel()

	header := c.header()
	inputRow := container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, c.input)
	left := container.NewBorder(nil, nil, nil, nil, card(c.panel))
	right := card(c.keypad())
	middle := container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(380, 430), right), left)
	message := container.NewStack(c.msgBg, container.NewBorder(nil, nil, nil, c.undo, c.msg))
	recentTitle := caption(strings.ToUpper(l.T("counter.today")))
	recent := container.NewBorder(container.NewBorder(nil, nil, recentTitle, c.cancelSelect), nil, nil, nil, c.recent)
	preview := container.NewGridWrap(fyne.NewSize(230, 140), c.camera.box)
	bottom := container.NewBorder(message, nil, preview, nil, container.NewGridWrap(fyne.NewSize(1000, 140), recent))
	body := container.NewBorder(container.NewVBox(header, inputRow), container.NewVBox(bottom, c.statusBar()), nil, nil, middle)
	c.main = container.NewPadded(body)
	c.lockBox = container.NewStack()
	c.lockBox.Hide()
	return container.NewStack(c.main, c.lockBox)
}

func (c *counter) header() fyne.CanvasObject {
	l := c.u.lang
	shop, err := c.u.store.Shop(c.u.context())
	if err != nil {
		shop.Name = "Merci"
	}
	title := bigText(22, true, theme.ColorNameForeground)
	title.Text = shop.Name
	items := []fyne.CanvasObject{title}
	if logo := shopLogo(shop, 36); logo != nil {
		items = []fyne.CanvasObject{logo, title}
	}
	if shop.Demo && c.u.leaveDemo == nil { // a demo of an older version, connected: see localdb.Folder
		badge := canvas.NewText(" "+l.T("counter.demo_badge")+" ", themeColor(theme.ColorNameWarning))
		badge.TextStyle.Bold = true
		items = append(items, badge)
	}
	newCustomer := widget.NewButtonWithIcon(l.T("counter.new_customer"), theme.ContentAddIcon(), c.onNewCustomer)
	customerScreen := widget.NewButtonWithIcon(l.T("counter.customer_screen"), theme.ComputerIcon(), func() { c.u.ShowKiosk(false) })
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { c.u.showSettings(c.win, c.rebuild) })
	owner := widget.NewButtonWithIcon(l.T("owner.open"), theme.AccountIcon(), func() { c.u.askOwnerPIN(c.win, c.rebuild) })
	bar := container.NewBorder(nil, nil, container.NewHBox(items...), container.NewHBox(newCustomer, customerScreen, owner, settings))
	if c.u.leaveDemo != nil {
		return container.NewVBox(c.u.demoBanner(c.win), bar)
	}
	return bar
}

func (c *counter) statusBar() fyne.CanvasObject {
	c.refreshStatus()
	items := []fyne.CanvasObject{widget.NewIcon(theme.StorageIcon()), c.status}
	if c.u.sync != nil {
		syncNow := widget.NewButtonWithIcon(c.u.lang.T("status.sync_now"), theme.ViewRefreshIcon(), func() {
			c.u.sync.SyncNow()
			c.focus()
		})
		syncNow.Importance = widget.LowImportance
		items = append(items, syncNow)
	}
	return container.NewVBox(c.u.backupWarning(),
		container.NewBorder(nil, nil, container.NewHBox(items...), c.whoBar()))
}

// rebuild redraws the whole screen and restarts the camera, after a change of settings.
func (c *counter) rebuild() {
	account := c.account
	c.camera.close()
	c.camera = c.u.newCameraPane(c.onScan)
	if rules, err := c.u.store.CounterRules(c.u.context()); err == nil {
		c.rules = rules // the owner may have changed them on the desk
	}
	c.win.SetContent(c.build())
	c.camera.start()
	c.refreshRecent()
	c.lastActive = c.u.clock.Now() // whoever changed the settings just used the counter
	if c.locked {
		c.lock()
	} else {
		c.armIdle()
	}
	if account != nil {
		c.showAccount(*account)
	}
	c.win.Canvas().Focus(c.input)
}

func (c *counter) keypad() fyne.CanvasObject {
	l := c.u.lang
	key := func(label string) fyne.CanvasObject {
		b := widget.NewButton(label, func() { c.typeKey(label) })
		return tallButton(b, 52)
	}
	grid := container.NewGridWithColumns(3,
		key("7"), key("8"), key("9"),
		key("4"), key("5"), key("6"),
		key("1"), key("2"), key("3"),
		key(c.u.lang.DecimalSeparator()), key("0"), key("⌫"),
	)
	credit := widget.NewButtonWithIcon(l.T("counter.credit"), theme.ConfirmIcon(), c.onCredit)
	credit.Importance = widget.HighImportance
	debit := widget.NewButton(l.T("counter.debit_points"), c.onDebit)
	spend := widget.NewButton(l.T("counter.spend_cashback"), c.onSpendCashback)
	amountCaption := caption(strings.ToUpper(l.T("counter.amount")))
	return container.NewVBox(amountCaption, c.amountRow(), grid,
		tallButton(credit, 60), container.NewGridWithColumns(2, debit, spend))
}

func (c *counter) typeKey(k string) {
	switch k {
	case "⌫":
		if t := []rune(c.input.Text); len(t) > 0 {
			c.input.SetText(string(t[:len(t)-1]))
		}
	default:
		c.input.SetText(c.input.Text + k)
	}
	c.focus()
}

// focus gives the input the focus back after an action: the counter was used, which
// also keeps it from locking while idle.
func (c *counter) focus() {
	c.lastActive = c.u.clock.Now()
	if !c.locked {
		c.win.Canvas().Focus(c.input)
	}
}

func (c *counter) onInputChanged(text string) {
	c.lastActive = c.u.clock.Now()
	c.amount.Text, c.amount.TextSize = "", amountSize
	if c.account != nil && text != "" {
		if p, err := c.u.program(); err == nil {
			c.amount.Text, c.amount.TextSize = c.u.purchasePreview(text, p.Currency)
		}
	}
	c.amount.Refresh()
}

// onSubmit handles Enter in the input: a card code or card URL loads the card; with a
// card on screen, an amount credits it; anything else searches customers.
func (c *counter) onSubmit(text string) {
	text = strings.TrimSpace(text)
	defer c.focus()
	if text == "" {
		return
	}
	code, err := cards.ParsePayload(text)
	switch {
	case err == nil:
		c.input.SetText("")
		c.loadCard(code)
		return
	case looksLikeCode(text):
		if _, err := cards.ParseCode(text); errors.Is(err, cards.ErrCheck) {
			c.fail(err)
			return
		}
	}
	if isCoupon(text) {
		c.redeemCoupon(text)
		return
	}
	if c.account != nil && loyalty.IsPurchaseText(text) {
		c.onCredit()
		return
	}
	c.search(text) // with no card shown, digits are a phone number
}

// looksLikeCode reports whether text has the length and symbols of a card code, so that a
// failed check is a typo rather than a search.
func looksLikeCode(text string) bool {
	n := 0
	for _, r := range strings.ToUpper(text) {
		switch {
		case r == '-' || r == ' ':
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			n++
		default:
			return false
		}
	}
	return n == 11
}

// LoadCode loads the card with code, as a scan does.
func (c *counter) loadCard(code cards.Code) {
	a, err := c.u.store.AccountByCode(c.u.context(), code)
	if err != nil {
		c.fail(err)
		return
	}
	c.lastOp = nil
	c.undo.Hide()
	c.showAccount(a)
	if err := a.Card.Usable(); err != nil {
		c.fail(err)
		return
	}
	c.info(c.u.lang.T("counter.card_loaded", a.Customer.Name))
}

func (c *counter) search(q string) {
	found, err := c.u.store.SearchAccounts(c.u.context(), q, 8)
	if err != nil {
		c.fail(err)
		return
	}
	l := c.u.lang
	if len(found) == 0 {
		c.info(l.T("counter.no_match", q))
		return
	}
	if len(found) == 1 {
		c.input.SetText("")
		c.loadCard(found[0].Code())
		return
	}
	c.results.RemoveAll()
	c.results.Add(caption(strings.ToUpper(l.T("counter.results", len(found)))))
	for _, a := range found {
		label := fmt.Sprintf("%s  ·  %s  ·  %s", a.Customer.Name, a.Customer.Email, l.T("counter.points_n", l.Number(a.Balance.Points)))
		b := widget.NewButton(label, func() {
			c.input.SetText("")
			c.loadCard(a.Code())
			c.focus()
		})
		b.Alignment = widget.ButtonAlignLeading
		c.results.Add(b)
	}
	c.panel.Objects = []fyne.CanvasObject{container.NewVScroll(c.results)}
	c.panel.Refresh()
	c.info(l.T("counter.pick_result"))
}

func (c *counter) onEscape() {
	if c.input.Text != "" {
		c.input.SetText("")
		return
	}
	c.account = nil
	c.lastOp = nil
	c.undo.Hide()
	c.showEmptyPanel()
	c.info(c.u.lang.T("counter.ready"))
}

func (c *counter) showEmptyPanel() {
	l := c.u.lang
	icon := widget.NewIcon(theme.AccountIcon())
	iconBox := container.NewGridWrap(fyne.NewSize(96, 96), icon)
	title := bigText(24, true, theme.ColorNameForeground)
	title.Text = l.T("counter.empty_title")
	hint := widget.NewLabel(l.T("counter.empty_hint"))
	hint.Alignment = fyne.TextAlignCenter
	hint.Wrapping = fyne.TextWrapWord
	c.panel.Objects = []fyne.CanvasObject{container.NewCenter(container.NewVBox(
		container.NewCenter(iconBox), container.NewCenter(title), hint))}
	c.panel.Refresh()
}

// showAccount fills the card panel: who it is, what they have, what they can get now.
func (c *counter) showAccount(a localdb.Account) {
	l := c.u.lang
	c.account = &a
	p, err := c.u.program()
	if err != nil {
		c.fail(err)
		return
	}
	soon, expired, err := c.u.store.SettleExpiries(c.u.context(), c.origin(), a.Customer.ID)
	if err != nil {
		c.fail(err)
		return
	}
	if expired > 0 { // the balance shown must be the one after the expiry
		if a, err = c.u.store.AccountByCode(c.u.context(), a.Code()); err != nil {
			c.fail(err)
			return
		}
		c.account = &a
		c.refreshRecent()
	}
	c.expiry.SetText("")
	if soon != nil {
		c.expiry.SetText(l.Expiry(*soon, p.Currency))
	}
	c.name.Text = a.Customer.Name
	if c.name.Text == "" {
		c.name.Text = l.T("counter.anonymous")
	}
	details := []string{cards.Code(a.Card.Code).String()}
	for _, d := range []string{a.Customer.Email, a.Customer.Phone, a.Customer.Company} {
		if d != "" {
			details = append(details, d)
		}
	}
	if a.Card.Status != loyalty.CardActive {
		details = append(details, strings.ToUpper(l.T("card.status."+string(a.Card.Status))))
	}
	c.details.SetText(strings.Join(details, "  ·  "))
	status, err := c.u.store.TierStatus(c.u.context(), p, a, c.u.store.Now())
	if err != nil {
		c.fail(err)
		return
	}
	c.tier.Text = tierText(l, status)
	c.points.Text = l.Number(a.Balance.Points)
	c.cashback.Text = ""
	if p.CashbackBasisPoints > 0 || a.Balance.Cashback != 0 {
		c.cashback.Text = l.Money(a.Balance.Cashback, p.Currency)
	}
	now, next := p.Reachable(a.Balance.Points)
	if next != nil {
		c.progress.SetValue(float64(a.Balance.Points) / float64(next.Points))
		c.progressTxt.SetText(l.T("counter.points_to_reward", l.Number(next.Points-a.Balance.Points), next.Name))
	} else {
		c.progress.SetValue(1)
		c.progressTxt.SetText(l.T("counter.all_rewards"))
	}
	c.rewards.RemoveAll()
	for _, r := range now {
		b := widget.NewButtonWithIcon(fmt.Sprintf("%s · %s", r.Name, l.T("counter.points_n", l.Number(r.Points))), theme.ConfirmIcon(), func() { c.onRedeem(r.ID) })
		b.Importance = widget.SuccessImportance
		c.rewards.Add(b)
	}
	var rewardsTitle fyne.CanvasObject = caption(strings.ToUpper(l.T("counter.rewards_now")))
	if len(now) == 0 {
		rewardsTitle = caption(strings.ToUpper(l.T("counter.no_reward_yet")))
	}
	pointsCaption := caption(strings.ToUpper(l.T("counter.points")))
	balance := container.NewHBox(
		container.NewVBox(pointsCaption, c.points),
		layout.NewSpacer(),
	)
	if c.cashback.Text != "" {
		balance.Add(container.NewVBox(caption(strings.ToUpper(l.T("counter.cashback"))), c.cashback))
	}
	send, why := c.u.sendCardButton(a, c.u.staff.ID, func(to string) {
		c.succeed(l.T("sendcard.sent", to))
		c.focus()
	}, c.fail)
	var sendRow fyne.CanvasObject = send
	if why != nil {
		sendRow = container.NewBorder(nil, nil, send, nil, why)
	}
	body := container.NewVBox(
		container.NewBorder(nil, nil, nil, c.tier, c.name),
		c.details,
		sendRow,
		widget.NewSeparator(),
		balance,
		c.progress, c.progressTxt,
	)
	if c.expiry.Text != "" {
		body.Add(c.expiry)
	}
	body.Add(rewardsTitle)
	body.Add(c.rewards)
	if birthday := c.birthdayBanner(a, p); birthday != nil {
		body.Objects = append([]fyne.CanvasObject{birthday}, body.Objects...)
	}
	if note := c.noteBanner(a); note != nil {
		body.Objects = append([]fyne.CanvasObject{note}, body.Objects...)
	}
	c.panel.Objects = []fyne.CanvasObject{body}
	c.panel.Refresh()
	c.onInputChanged(c.input.Text)
}

// recorder stores an operation: Store.Record, or Store.RecordPurchase for a credit,
// which also invites the customer to the kiosk survey.
type recorder func(context.Context, cards.Code, func(localdb.Account) (loyalty.Operation, error)) (loyalty.Operation, localdb.Account, error)

// builder makes an operation of the card's account under the program.
type builder func(p loyalty.Program, o loyalty.Origin, a localdb.Account) (loyalty.Operation, error)

// record runs an operation on the card on screen with store and shows the outcome.
func (c *counter) record(store recorder, build builder, success func(op loyalty.Operation, p loyalty.Program) string) {
	defer c.focus()
	code, p, o, ok := c.prepare()
	if !ok {
		return
	}
	op, after, err := store(c.u.context(), code, func(a localdb.Account) (loyalty.Operation, error) {
		return build(p, o, a)
	})
	c.show(op, after, err, p, success)
}

// spend runs a spend (a redemption, a debit, cashback spent) on the card on screen.
// With a cloud account it goes through the sync client, which has the cloud check it
// and may wait seconds for the answer: off the UI goroutine, one at a time.
func (c *counter) spend(kind loyalty.Kind, build builder, success func(op loyalty.Operation, p loyalty.Program) string) {
	if c.rules.PIN == localdb.PINEverySpend {
		if c.account == nil {
			c.info(c.u.lang.T("counter.scan_first"))
			return
		}
		c.askSpendPIN(func() { c.spendAs(kind, build, success) })
		return
	}
	c.spendAs(kind, build, success)
}

// spendAs runs a spend of kind as whoever is at the till, within the rights the owner
// gives them: refused before anything else is checked or the cloud is asked.
func (c *counter) spendAs(kind loyalty.Kind, build builder, success func(op loyalty.Operation, p loyalty.Program) string) {
	if err := c.rules.Allows(c.u.staff.Role, loyalty.Operation{Kind: kind}, true); err != nil {
		c.fail(err)
		c.focus()
		return
	}
	if _, err := c.u.store.SyncState(c.u.context()); c.u.sync == nil || errors.Is(err, localdb.ErrNotFound) {
		// No cloud account: this is the shop's only till, and nothing can overspend.
		c.record(c.u.store.Record, build, success)
		return
	}
	defer c.focus()
	if c.checking {
		return // the cashier tapped again while the cloud answers the first
	}
	code, p, o, ok := c.prepare()
	if !ok {
		return
	}
	c.checking = true
	c.info(c.u.lang.T("counter.checking"))
	c.work.Add(1)
	go func() {
		defer c.work.Done()
		op, after, err := c.u.sync.Spend(context.Background(), code, func(a localdb.Account) (loyalty.Operation, error) {
			return build(p, o, a)
		})
		c.u.do(func() {
			c.checking = false
			c.show(op, after, err, p, success)
			c.focus()
		})
	}()
}

// prepare reads what an operation on the card on screen needs, or says why there is
// none to make.
func (c *counter) prepare() (cards.Code, loyalty.Program, loyalty.Origin, bool) {
	if c.account == nil {
		c.info(c.u.lang.T("counter.scan_first"))
		return "", loyalty.Program{}, loyalty.Origin{}, false
	}
	p, err := c.u.program()
	if err != nil {
		c.fail(err)
		return "", loyalty.Program{}, loyalty.Origin{}, false
	}
	return c.account.Code(), p, c.origin(), true
}

// show shows what an operation did, or why it was not made. An unconfirmed spend over
// the offline allowance may have been stored with its cancellation: the card is shown
// as it is then.
func (c *counter) show(op loyalty.Operation, after localdb.Account, err error, p loyalty.Program, success func(op loyalty.Operation, p loyalty.Program) string) {
	if err != nil {
		if after.Card.Code != "" {
			c.showAccount(after)
			c.refreshRecent()
		}
		c.fail(err)
		return
	}
	c.input.SetText("")
	c.lastOp = &op
	c.showAccount(after)
	confirmation := success(op, p)
	c.succeed(confirmation)
	c.undo.Show()
	c.refreshRecent()
	c.printSlip(op, after, p, confirmation)
}

// The handlers read what was typed when the key is pressed: a spend's builder runs off
// the UI goroutine, which must not read widgets.

func (c *counter) onCredit() {
	l, typed := c.u.lang, c.input.Text
	c.record(c.u.store.RecordPurchase, func(p loyalty.Program, o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
		b, err := loyalty.ParsePurchase(typed, p.Currency)
		if err != nil {
			return loyalty.Operation{}, err
		}
		return p.CreditPurchaseIn(o, a.Card, b, a.Tier.Tier)
	}, func(op loyalty.Operation, p loyalty.Program) string {
		if op.Items > 0 {
			return l.T("counter.credited_items", l.Money(op.Amount, p.Currency), l.Number(op.Items), l.Number(op.Delta.Points))
		}
		return l.T("counter.credited", l.Money(op.Amount, p.Currency), l.Number(op.Delta.Points))
	})
}

func (c *counter) onDebit() {
	l, typed := c.u.lang, c.input.Text
	c.spend(loyalty.KindDebit, func(p loyalty.Program, o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(typed), 10, 64)
		if err != nil {
			return loyalty.Operation{}, loyalty.ErrInvalidAmount
		}
		return loyalty.Debit(o, a.Card, a.Balance, n)
	}, func(op loyalty.Operation, _ loyalty.Program) string {
		return l.T("counter.debited", l.Number(-op.Delta.Points))
	})
}

func (c *counter) onSpendCashback() {
	l, typed := c.u.lang, c.input.Text
	c.spend(loyalty.KindSpendCashback, func(p loyalty.Program, o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
		m, err := loyalty.ParseAmount(typed, p.Currency)
		if err != nil {
			return loyalty.Operation{}, err
		}
		return p.SpendCashback(o, a.Card, a.Balance, m)
	}, func(op loyalty.Operation, p loyalty.Program) string {
		return l.T("counter.cashback_spent", l.Money(-op.Delta.Cashback, p.Currency))
	})
}

func (c *counter) onRedeem(rewardID string) {
	l := c.u.lang
	c.spend(loyalty.KindRedeem, func(p loyalty.Program, o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
		return p.Redeem(o, a.Card, a.Balance, rewardID)
	}, func(op loyalty.Operation, _ loyalty.Program) string {
		return l.T("counter.redeemed", op.Reason, l.Number(-op.Delta.Points))
	})
}

func (c *counter) onUndo() {
	if c.lastOp == nil {
		c.focus()
		return
	}
	c.cancelOp(c.lastOp.ID)
}

// onCancelSelected cancels the operation picked in today's list; the store refuses a
// cashier one that is not the card's last, unless the owner allows it.
func (c *counter) onCancelSelected() {
	if c.selected == nil {
		c.focus()
		return
	}
	c.cancelOp(c.selected.ID)
}

func (c *counter) cancelOp(id string) {
	defer c.focus()
	_, after, err := c.u.store.Void(c.u.context(), c.origin(), id)
	if err != nil {
		c.fail(err)
		return
	}
	c.lastOp = nil
	c.undo.Hide()
	c.showAccount(after)
	c.info(c.u.lang.T("counter.undone"))
	c.refreshRecent()
}

// origin is who makes an operation at the counter now.
func (c *counter) origin() loyalty.Origin {
	return loyalty.Origin{Device: c.u.store.Device(), Staff: c.u.staff.ID, At: c.u.store.Now()}
}

func (c *counter) setMessage(text string, bg color.Color) {
	lines := c.msg.MinSize().Height
	c.msg.SetText(text)
	c.msgBg.FillColor = bg
	c.msgBg.Refresh()
	if c.msg.MinSize().Height != lines {
		// A message on two lines needs the bar taller: lay the screen out again.
		c.win.Content().Refresh()
	}
}

func (c *counter) succeed(text string) {
	c.setMessage("✓ "+text, withAlpha(themeColor(theme.ColorNameSuccess), 0x40))
}

func (c *counter) info(text string) { c.setMessage(text, color.Transparent) }

func (c *counter) fail(err error) {
	c.setMessage(c.u.describe(err), withAlpha(themeColor(theme.ColorNameError), 0x40))
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

func (c *counter) refreshRecent() {
	now := c.u.store.Now()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	entries, err := c.u.store.Entries(c.u.context(), midnight, "", 100)
	if err != nil {
		c.fail(err)
		return
	}
	c.entries = entries
	c.selected = nil
	c.recent.UnselectAll()
	c.cancelSelect.Hide()
	c.recent.Refresh()
	c.refreshStatus()
}

func (c *counter) refreshStatus() {
	n, err := c.u.store.Pending(c.u.context())
	if err != nil {
		c.status.SetText(c.u.describe(err))
		return
	}
	c.status.SetText(c.u.syncLine(n))
}

func (c *counter) newEntryRow() fyne.CanvasObject {
	when := widget.NewLabel("00:00")
	who := widget.NewLabel("")
	who.Truncation = fyne.TextTruncateEllipsis
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	delta := widget.NewLabel("")
	delta.TextStyle.Bold = true
	return container.NewBorder(nil, nil, when, delta, container.NewGridWithColumns(2, who, what))
}

func (c *counter) updateEntryRow(i widget.ListItemID, o fyne.CanvasObject) {
	e := c.entries[i]
	row := o.(*fyne.Container)
	grid := row.Objects[0].(*fyne.Container)
	when, delta := row.Objects[1].(*widget.Label), row.Objects[2].(*widget.Label)
	who, what := grid.Objects[0].(*widget.Label), grid.Objects[1].(*widget.Label)
	when.SetText(c.u.lang.Time(e.At))
	who.SetText(e.CustomerName)
	what.SetText(c.u.describeEntry(e))
	delta.SetText(signed(c.u.lang.Number(e.Delta.Points), e.Delta.Points) + " " + c.u.lang.T("counter.pts"))
}

func signed(s string, n int64) string {
	if n > 0 {
		return "+" + s
	}
	return s
}

// describeEntry says what an operation of a list was, whether it was cancelled and who
// made it.
func (u *UI) describeEntry(e localdb.Entry) string {
	desc := u.describeOp(e.Operation)
	if e.Voided {
		desc += " · " + u.lang.T("counter.cancelled")
	}
	if e.StaffName != "" {
		desc += " · " + e.StaffName
	}
	return desc
}

// describeOp says what an operation was, in the current language.
func (u *UI) describeOp(op loyalty.Operation) string {
	l := u.lang
	switch op.Kind {
	case loyalty.KindCredit, loyalty.KindSpendCashback, loyalty.KindRefund:
		if op.Items > 0 {
			return l.T("op.credit_items", l.Money(op.Amount, op.Currency), l.Number(op.Items))
		}
		return l.T("op."+string(op.Kind), l.Money(op.Amount, op.Currency))
	case loyalty.KindAdjust:
		if op.Reason == loyalty.ReasonOpening { // Merci's own reason, in the reader's language
			return l.T("op.adjust", l.T("cards.opening_reason"))
		}
		return l.T("op.adjust", op.Reason)
	case loyalty.KindRedeem:
		return l.T("op."+string(op.Kind), op.Reason)
	case loyalty.KindBonus:
		if _, ok := loyalty.ReferralOf(op.Reason); ok {
			return l.T("op.bonus_referral")
		}
		return l.T("op.bonus_birthday")
	case loyalty.KindVoid:
		if op.Reason != "" && op.Reason != localdb.NotConfirmedReason {
			return l.T("op.void_reason", op.Reason) // the owner's cancellation
		}
	}
	return l.T("op." + string(op.Kind))
}
