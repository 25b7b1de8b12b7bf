package ui

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// programForm is the loyalty program settings screen: the shop's name, the earning
// rules, the tiers and the rewards catalogue.
type programForm struct {
	u       *UI
	program loyalty.Program // as loaded: the currency and the reward ids are kept

	shop                                   *widget.Entry
	cardPage                               *widget.Entry // the base of the cards' web pages (Shop.CloudURL)
	logo                                   []byte        // PNG, shown on the counter, the kiosk and the cards
	win                                    fyne.Window
	perVisit, perUnit, cashback, xpPerUnit *widget.Entry
	perItem                                *widget.Entry
	combine                                *widget.Select
	maxPurchase, kioskVisit, kioskCashback *widget.Entry
	offlinePoints, offlineCashback         *widget.Entry
	offlineRule                            *widget.RadioGroup
	expiryMonths                           *widget.Entry
	expiryRule                             *widget.Select
	birthdayPoints, birthdayGift           *widget.Entry
	birthdayPeriod                         *widget.Select
	referralPoints                         *widget.Entry
	tierWindow                             *widget.Entry
	tiers, rewards                         *fyne.Container
	tierRows                               []tierRow
	rewardRows                             []rewardRow
	message                                *widget.Label
	save                                   *widget.Button
	onSaved                                func()
}

type tierRow struct {
	name, minXP, percent, perk *widget.Entry
	box                        fyne.CanvasObject
}

type rewardRow struct {
	id           string
	name, points *widget.Entry
	box          fyne.CanvasObject
}

// Errors of typed values, each with its message key.
var (
	errWholeNumber  = errors.New("not a whole number of 0 or more")
	errNameRequired = errors.New("a name is required")
	errCardPage     = errors.New("not a web address")
)

func (d *desk) programPage() fyne.CanvasObject {
	p, err := d.u.program()
	if err != nil {
		d.fail(err)
	}
	shop, err := d.u.store.Shop(d.u.context())
	if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		d.fail(err)
	}
	f := d.u.newProgramForm(p, shop)
	f.win = d.win
	f.onSaved = func() {
		d.changed()
		d.done(d.u.lang.T("program.saved"))
	}
	return f.build()
}

func (u *UI) newProgramForm(p loyalty.Program, shop localdb.Shop) *programForm {
	f := &programForm{u: u, program: p}
	entry := func(v string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(v)
		return e
	}
	num := func(n int64) *widget.Entry { return entry(strconv.FormatInt(n, 10)) }
	f.shop = entry(shop.Name)
	f.cardPage = entry(shop.CloudURL)
	f.cardPage.SetPlaceHolder("https://cloud.example.com/c/TAG")
	f.logo = shop.Logo
	if shop.Demo {
		f.shop.SetText("")
		f.shop.SetPlaceHolder(shop.Name)
	}
	f.perVisit, f.perUnit, f.xpPerUnit = num(p.PointsPerVisit), num(p.PointsPerUnit), num(p.XPPerUnit)
	f.kioskVisit = num(p.SelfServiceVisitPoints)
	f.kioskCashback = entry(u.lang.PlainAmount(p.SelfServiceVisitCashback, p.Currency))
	f.perItem = num(p.PointsPerItem)
	f.combine = widget.NewSelect(combines.labels(f.u.lang), nil)
	f.combine.SetSelected(combines.label(f.u.lang, p.PointsCombine))
	f.cashback = entry(fmt.Sprintf("%d%s%02d", p.CashbackBasisPoints/100, u.lang.DecimalSeparator(), p.CashbackBasisPoints%100))
	f.maxPurchase = entry("")
	if p.MaxPurchase > 0 {
		f.maxPurchase.SetText(u.lang.PlainAmount(p.MaxPurchase, p.Currency))
	}
	f.maxPurchase.SetPlaceHolder(strconv.Itoa(loyalty.DefaultMaxPurchase))
	f.offlinePoints = num(p.OfflinePoints)
	f.offlineCashback = entry(u.lang.PlainAmount(p.OfflineCashback, p.Currency))
	f.offlineRule = widget.NewRadioGroup(offlineRules.labels(f.u.lang), func(string) { f.showOfflineCaps() })
	f.offlineRule.Required = true
	f.offlineRule.SetSelected(f.offlineRuleLabel(p.OfflineSpending, p.OfflinePoints > 0 || p.OfflineCashback > 0))
	f.expiryMonths = num(p.ExpiryMonths)
	f.expiryRule = widget.NewSelect(expiryRules.labels(u.lang), nil)
	f.expiryRule.SetSelected(expiryRules.label(u.lang, p.ExpiryRule))
	f.birthdayPoints, f.birthdayGift = num(p.BirthdayPoints), entry(p.BirthdayGift)
	f.birthdayGift.SetPlaceHolder(u.lang.T("program.birthday_gift_example"))
	f.birthdayPeriod = widget.NewSelect(birthdayPeriods.labels(u.lang), nil)
	f.birthdayPeriod.SetSelected(birthdayPeriods.label(u.lang, p.BirthdayPeriod))
	f.referralPoints = num(p.ReferralPoints)
	f.tierWindow = num(p.TierWindowMonths)
	f.tiers, f.rewards = container.NewVBox(), container.NewVBox()
	for _, t := range p.Tiers {
		f.addTier(t)
	}
	for _, r := range p.Rewards {
		f.addReward(r)
	}
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.save = widget.NewButtonWithIcon(u.lang.T("program.save"), theme.DocumentSaveIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	return f
}

func (f *programForm) build() fyne.CanvasObject {
	l := f.u.lang
	hint := func(s string) *widget.Label {
		h := widget.NewLabel(s)
		h.Wrapping = fyne.TextWrapWord
		return h
	}
	cardPageHint := widget.NewLabel(l.T("program.card_page_hint"))
	cardPageHint.Wrapping = fyne.TextWrapWord
	cardPageHint.Importance = widget.LowImportance
	shop := widget.NewForm(widget.NewFormItem(l.T("program.shop_name"), f.shop),
		widget.NewFormItem(l.T("program.card_page"), container.NewVBox(f.cardPage, cardPageHint)),
		widget.NewFormItem(l.T("start.logo"), f.logoRow()))
	earning := widget.NewForm(
		widget.NewFormItem(l.T("program.points_per_visit"), f.perVisit),
		widget.NewFormItem(l.T("program.points_per_unit", f.program.Currency), f.perUnit),
		widget.NewFormItem(l.T("program.points_per_item"), f.perItem),
		widget.NewFormItem(l.T("program.combine"), f.combine),
		widget.NewFormItem(l.T("program.cashback_percent"), f.cashback),
		widget.NewFormItem(l.T("program.xp_per_unit", f.program.Currency), f.xpPerUnit),
		widget.NewFormItem(l.T("program.max_purchase", f.program.Currency), f.maxPurchase),
		widget.NewFormItem(l.T("program.kiosk_visit_points"), f.kioskVisit),
		widget.NewFormItem(l.T("program.kiosk_visit_cashback", f.program.Currency), f.kioskCashback),
	)
	addTier := widget.NewButtonWithIcon(l.T("program.add_tier"), theme.ContentAddIcon(), func() { f.addTier(loyalty.Tier{}) })
	addReward := widget.NewButtonWithIcon(l.T("program.add_reward"), theme.ContentAddIcon(), func() { f.addReward(loyalty.Reward{}) })
	tierHead := container.NewGridWithColumns(4, caption(l.T("program.tier_name")), caption(l.T("program.tier_min_xp")),
		caption(l.T("program.tier_percent")), caption(l.T("program.tier_perk")))
	tierWindow := widget.NewForm(widget.NewFormItem(l.T("program.tier_window"), f.tierWindow))
	rewardHead := container.NewGridWithColumns(2, caption(l.T("program.reward_name")), caption(l.T("program.reward_points")))
	offline := container.NewGridWithColumns(2,
		widget.NewForm(widget.NewFormItem(l.T("program.offline_points"), f.offlinePoints)),
		widget.NewForm(widget.NewFormItem(l.T("program.offline_cashback", f.program.Currency), f.offlineCashback)),
	)
	overTime := widget.NewForm(
		widget.NewFormItem(l.T("program.expiry_months"), f.expiryMonths),
		widget.NewFormItem(l.T("program.expiry_rule"), f.expiryRule),
	)
	occasions := widget.NewForm(
		widget.NewFormItem(l.T("program.birthday_points"), f.birthdayPoints),
		widget.NewFormItem(l.T("program.birthday_gift"), f.birthdayGift),
		widget.NewFormItem(l.T("program.birthday_period"), f.birthdayPeriod),
		widget.NewFormItem(l.T("program.referral_points"), f.referralPoints),
	)
	left := container.NewVBox(
		section(l.T("program.section_shop"), shop),
		section(l.T("program.section_earning"), container.NewVBox(earning, hint(l.T("program.items_hint")), hint(l.T("program.earning_hint")))),
		section(l.T("program.section_over_time"), container.NewVBox(overTime, hint(l.T("program.expiry_hint")))),
		section(l.T("program.section_occasions"), container.NewVBox(occasions, hint(l.T("program.occasions_hint")))),
		section(l.T("program.section_offline"), container.NewVBox(hint(l.T("program.offline_hint")), f.offlineRule, offline)),
	)
	right := container.NewVBox(
		section(l.T("program.section_tiers"), container.NewVBox(hint(l.T("program.tiers_hint")), tierHead, f.tiers,
			container.NewHBox(addTier), tierWindow, hint(l.T("program.tier_window_hint")))),
		section(l.T("program.section_rewards"), container.NewVBox(rewardHead, f.rewards, container.NewHBox(addReward))),
	)
	bar := container.NewBorder(nil, nil, nil, f.save, f.message)
	return container.NewBorder(nil, bar, nil, nil,
		container.NewVScroll(container.NewGridWithColumns(2, left, right)))
}

func (f *programForm) addTier(t loyalty.Tier) {
	r := tierRow{name: widget.NewEntry(), minXP: widget.NewEntry(), percent: widget.NewEntry(), perk: widget.NewEntry()}
	r.name.SetText(t.Name)
	r.minXP.SetText(strconv.FormatInt(t.MinXP, 10))
	r.name.SetPlaceHolder(f.u.lang.T("program.tier_name"))
	r.percent.SetText(strconv.FormatInt(max(t.PointsPercent, 100), 10))
	r.perk.SetText(t.Perk)
	r.perk.SetPlaceHolder(f.u.lang.T("program.tier_perk_example"))
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	r.box = container.NewBorder(nil, nil, nil, remove, container.NewGridWithColumns(4, r.name, r.minXP, r.percent, r.perk))
	remove.OnTapped = func() {
		for i := range f.tierRows {
			if f.tierRows[i].box == r.box {
				f.tierRows = append(f.tierRows[:i], f.tierRows[i+1:]...)
				break
			}
		}
		f.tiers.Remove(r.box)
	}
	f.tierRows = append(f.tierRows, r)
	f.tiers.Add(r.box)
}

func (f *programForm) addReward(rw loyalty.Reward) {
	r := rewardRow{id: rw.ID, name: widget.NewEntry(), points: widget.NewEntry()}
	r.name.SetText(rw.Name)
	r.name.SetPlaceHolder(f.u.lang.T("program.reward_name"))
	if rw.Points > 0 {
		r.points.SetText(strconv.FormatInt(rw.Points, 10))
	}
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), nil)
	r.box = container.NewBorder(nil, nil, nil, remove, container.NewGridWithColumns(2, r.name, r.points))
	remove.OnTapped = func() {
		for i := range f.rewardRows {
			if f.rewardRows[i].box == r.box {
				f.rewardRows = append(f.rewardRows[:i], f.rewardRows[i+1:]...)
				break
			}
		}
		f.rewards.Remove(r.box)
	}
	f.rewardRows = append(f.rewardRows, r)
	f.rewards.Add(r.box)
}

// values reads the form into a program, naming the field of the first value that is not
// a number. The program's own rules are checked by Program.Validate.
func (f *programForm) values() (loyalty.Program, error) {
	l := f.u.lang
	p := f.program
	p.Tiers, p.Rewards = nil, nil
	whole := func(e *widget.Entry, field string, dst *int64) error {
		n, err := strconv.ParseInt(strings.TrimSpace(e.Text), 10, 64)
		if err != nil || n < 0 {
			return errField{field, errWholeNumber}
		}
		*dst = n
		return nil
	}
	for _, w := range []struct {
		e     *widget.Entry
		field string
		dst   *int64
	}{
		{f.perVisit, l.T("program.points_per_visit"), &p.PointsPerVisit},
		{f.perUnit, l.T("program.points_per_unit", p.Currency), &p.PointsPerUnit},
		{f.perItem, l.T("program.points_per_item"), &p.PointsPerItem},
		{f.xpPerUnit, l.T("program.xp_per_unit", p.Currency), &p.XPPerUnit},
		{f.kioskVisit, l.T("program.kiosk_visit_points"), &p.SelfServiceVisitPoints},
		{f.offlinePoints, l.T("program.offline_points"), &p.OfflinePoints},
		{f.expiryMonths, l.T("program.expiry_months"), &p.ExpiryMonths},
		{f.birthdayPoints, l.T("program.birthday_points"), &p.BirthdayPoints},
		{f.referralPoints, l.T("program.referral_points"), &p.ReferralPoints},
		{f.tierWindow, l.T("program.tier_window"), &p.TierWindowMonths},
	} {
		if err := whole(w.e, w.field, w.dst); err != nil {
			return p, err
		}
	}
	// A percentage with up to two decimals is a count of basis points, read the way an
	// amount of a two-decimal currency is.
	bp, err := loyalty.ParseAmount(strings.TrimSuffix(strings.TrimSpace(f.cashback.Text), "%"), "EUR")
	if err != nil {
		return p, errField{l.T("program.cashback_percent"), err}
	}
	p.CashbackBasisPoints = int64(bp)
	p.MaxPurchase = 0
	if s := strings.TrimSpace(f.maxPurchase.Text); s != "" {
		if p.MaxPurchase, err = loyalty.ParseAmount(s, p.Currency); err != nil {
			return p, errField{l.T("program.max_purchase", p.Currency), err}
		}
	}
	p.SelfServiceVisitCashback = 0
	if s := strings.TrimSpace(f.kioskCashback.Text); s != "" {
		if p.SelfServiceVisitCashback, err = loyalty.ParseAmount(s, p.Currency); err != nil {
			return p, errField{l.T("program.kiosk_visit_cashback", p.Currency), err}
		}
	}
	p.OfflineSpending = f.selectedOfflineRule()
	p.ExpiryRule = expiryRules.value(l, f.expiryRule.Selected)
	p.BirthdayGift = strings.TrimSpace(f.birthdayGift.Text)
	p.BirthdayPeriod = birthdayPeriods.value(l, f.birthdayPeriod.Selected)
	p.PointsCombine = combines.value(f.u.lang, f.combine.Selected)
	p.OfflineCashback = 0
	if s := strings.TrimSpace(f.offlineCashback.Text); s != "" {
		if p.OfflineCashback, err = loyalty.ParseAmount(s, p.Currency); err != nil {
			return p, errField{l.T("program.offline_cashback", p.Currency), err}
		}
	}
	for _, r := range f.tierRows {
		t := loyalty.Tier{Name: strings.TrimSpace(r.name.Text), Perk: strings.TrimSpace(r.perk.Text)}
		if err := whole(r.minXP, l.T("program.tier_min_xp")+" ("+t.Name+")", &t.MinXP); err != nil {
			return p, err
		}
		if err := whole(r.percent, l.T("program.tier_percent")+" ("+t.Name+")", &t.PointsPercent); err != nil {
			return p, err
		}
		if t.PointsPercent == 100 {
			t.PointsPercent = 0 // no multiplier, as a tier saved before multipliers
		}
		p.Tiers = append(p.Tiers, t)
	}
	for _, r := range f.rewardRows {
		rw := loyalty.Reward{ID: r.id, Name: strings.TrimSpace(r.name.Text)}
		if rw.ID == "" {
			rw.ID = uuid.NewString()[:8] // new rewards get an id that later renames keep
		}
		if err := whole(r.points, l.T("program.reward_points")+" ("+rw.Name+")", &rw.Points); err != nil {
			return p, err
		}
		p.Rewards = append(p.Rewards, rw)
	}
	return p, p.Validate()
}

// onSave validates and stores the program and the shop's name. Saving the owner's own
// name ends the demo.
func (f *programForm) onSave() {
	l := f.u.lang
	p, err := f.values()
	if err != nil {
		f.showError(err)
		return
	}
	ctx := f.u.context()
	shop, err := f.u.store.Shop(ctx)
	if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		f.showError(err)
		return
	}
	shop.Logo = f.logo
	shop.CloudURL = strings.TrimSpace(f.cardPage.Text)
	if u, err := url.Parse(shop.CloudURL); shop.CloudURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		f.showError(errField{l.T("program.card_page"), errCardPage})
		return
	}
	if name := strings.TrimSpace(f.shop.Text); name != "" {
		shop.Name, shop.Demo = name, false
	} else if !shop.Demo {
		f.showError(errField{l.T("program.shop_name"), errNameRequired})
		return
	}
	if err := f.u.store.SaveProgram(ctx, p); err != nil {
		f.showError(err)
		return
	}
	if err := f.u.store.SaveSetting(ctx, localdb.SettingShop, shop); err != nil {
		f.showError(err)
		return
	}
	f.program = p
	for i := range f.rewardRows {
		f.rewardRows[i].id = p.Rewards[i].ID
	}
	f.message.Importance = widget.SuccessImportance
	f.message.SetText(l.T("program.saved"))
	if f.onSaved != nil {
		f.onSaved()
	}
}

func (f *programForm) showError(err error) {
	f.message.Importance = widget.DangerImportance
	f.message.SetText(f.u.describe(err))
}

// choices are the options of a select or radio group: values, each with the key of
// its label, the first the default.
type choices[T comparable] []struct {
	value T
	key   string
}

func (cs choices[T]) labels(l i18n.Lang) []string {
	labels := make([]string, len(cs))
	for i, c := range cs {
		labels[i] = l.T(c.key)
	}
	return labels
}

// label is the label of v, or the default's.
func (cs choices[T]) label(l i18n.Lang, v T) string {
	for _, c := range cs {
		if c.value == v {
			return l.T(c.key)
		}
	}
	return l.T(cs[0].key)
}

// value is the value labelled selected, or the default.
func (cs choices[T]) value(l i18n.Lang, selected string) T {
	for _, c := range cs {
		if l.T(c.key) == selected {
			return c.value
		}
	}
	return cs[0].value
}

// combines are the ways to combine the points of a purchase, as the owner reads them.
var combines = choices[loyalty.Combine]{
	{loyalty.CombineSum, "program.combine_sum"},
	{loyalty.CombineBest, "program.combine_best"},
}

// expiryRules are the rules for points and cashback to expire, as the owner reads them.
var expiryRules = choices[loyalty.ExpiryRule]{
	{loyalty.ExpireAfterEarning, "program.expiry_after_earning"},
	{loyalty.ExpireAfterInactivity, "program.expiry_after_inactivity"},
}

// birthdayPeriods are when a birthday reward may be given.
var birthdayPeriods = choices[loyalty.BirthdayPeriod]{
	{loyalty.BirthdayWeek, "program.birthday_week"},
	{loyalty.BirthdayMonth, "program.birthday_month"},
}

// offlineRules are the rules for spending offline, in the order the owner reads them.
var offlineRules = choices[loyalty.OfflineSpending]{
	{loyalty.OfflineUpToBalance, "program.offline_up_to_balance"},
	{loyalty.OfflineCapped, "program.offline_capped"},
	{loyalty.OfflineNever, "program.offline_never"},
}

// offlineRuleLabel is the option of rule; a program saved before the rule existed
// with an allowance meant a cap.
func (f *programForm) offlineRuleLabel(rule loyalty.OfflineSpending, allowance bool) string {
	if rule == loyalty.OfflineUpToBalance && allowance {
		rule = loyalty.OfflineCapped
	}
	return offlineRules.label(f.u.lang, rule)
}

func (f *programForm) selectedOfflineRule() loyalty.OfflineSpending {
	return offlineRules.value(f.u.lang, f.offlineRule.Selected)
}

// showOfflineCaps lets the owner type the caps only when they apply.
func (f *programForm) showOfflineCaps() {
	if f.offlinePoints == nil {
		return // the radio group reports its first selection before the caps exist
	}
	if f.selectedOfflineRule() == loyalty.OfflineCapped {
		f.offlinePoints.Enable()
		f.offlineCashback.Enable()
	} else {
		f.offlinePoints.Disable()
		f.offlineCashback.Disable()
	}
}

// logoRow shows the shop's logo with a button to choose another; it is saved with the
// program.
func (f *programForm) logoRow() fyne.CanvasObject {
	preview := canvas.NewImageFromResource(nil)
	preview.FillMode = canvas.ImageFillContain
	preview.SetMinSize(fyne.NewSize(96, 48))
	if len(f.logo) > 0 {
		preview.Resource = fyne.NewStaticResource("logo.png", f.logo)
	}
	choose := widget.NewButtonWithIcon(f.u.lang.T("start.logo_choose"), theme.FileImageIcon(), func() {
		if f.win == nil {
			return
		}
		pickLogo(f.win, f.showError, func(png []byte) {
			f.logo = png
			preview.Resource = fyne.NewStaticResource("logo.png", png)
			preview.Refresh()
		})
	})
	return container.NewHBox(preview, choose)
}
