package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// rulesEvery is how often an open desk applies the survey's rules to answers that
// arrived since (from this device's kiosk or pulled from the shop's others).
const rulesEvery = 20 * time.Second

// defaultMessage is group c's message in lang as Merci ships it.
func defaultMessage(lang nps.Lang, c nps.Category) nps.Message {
	l := i18n.Parse(string(lang))
	m := nps.Message{Offer: l.T("inbox.coupon_default")}
	switch c {
	case nps.Promoter:
		m.Subject, m.Body = l.T("rules.tpl.promoter.subject"), l.T("rules.tpl.promoter.body")
	case nps.Passive:
		m.Subject, m.Body = l.T("rules.tpl.passive.subject"), l.T("rules.tpl.passive.body")
	default:
		m.Subject, m.Body = l.T("rules.tpl.detractor.subject"), l.T("rules.tpl.detractor.body")
	}
	return m
}

// applyRules applies the survey's rules to the answers waiting for them. The owner's
// desk runs it: the cloud lets only the owner's device write emails, coupons and
// follow-ups for answers other devices recorded. So does the counter of a device that
// is the whole shop, connected to no cloud account (alone).
func (u *UI) applyRules() {
	ctx := u.context()
	rs, err := u.store.NPSRules(ctx)
	if err == nil {
		_, err = u.store.ApplyRules(ctx, rs.WithDefaults(defaultMessage), localdb.RuleFormat{
			Date: func(lang nps.Lang, t time.Time) string { return i18n.Parse(string(lang)).Date(t) },
		})
	}
	if err != nil {
		u.log.Error("apply the survey's rules", "err", err)
	}
}

// alone reports whether this device is connected to no cloud account, nor joining one.
func (u *UI) alone() (bool, error) {
	ctx := u.context()
	_, err := u.store.SyncState(ctx)
	if err == nil || !errors.Is(err, localdb.ErrNotFound) {
		return false, err
	}
	if _, err = u.store.Joining(ctx); err == nil || !errors.Is(err, localdb.ErrNotFound) {
		return false, err
	}
	return true, nil
}

// applyRulesAlone applies the rules if this device is alone (see applyRules).
func (u *UI) applyRulesAlone() {
	if ok, err := u.alone(); err != nil {
		u.log.Error("read the cloud connection", "err", err)
	} else if ok {
		u.applyRules()
	}
}

// repeat runs f on the UI goroutine every period until stop is called (on the UI
// goroutine too).
func (u *UI) repeat(period time.Duration, f func()) (stop func()) {
	stopped := false
	var cancel func()
	var tick func()
	tick = func() {
		if stopped {
			return
		}
		f()
		cancel = u.clock.AfterFunc(period, tick)
	}
	cancel = u.clock.AfterFunc(period, tick)
	return func() { stopped = true; cancel() }
}

// routine puts the survey page's settings beside the question and the rules, in tabs.
func (p *surveyPage) routine(kiosk fyne.CanvasObject) fyne.CanvasObject {
	l := p.d.u.lang
	return container.NewAppTabs(
		container.NewTabItem(l.T("survey.tab.kiosk"), kiosk),
		container.NewTabItem(l.T("survey.tab.question"), p.questionTab()),
		container.NewTabItem(l.T("survey.tab.rules"), newRulesEditor(p.d).build()),
	)
}

// questionTab edits the survey's question in each language; an empty one asks the
// standard question, which names the shop.
func (p *surveyPage) questionTab() fyne.CanvasObject {
	l := p.d.u.lang
	shop, _ := p.d.u.store.Shop(p.d.u.context())
	form := widget.NewForm()
	entries := map[nps.Lang]*widget.Entry{}
	for _, lang := range nps.Langs {
		e := widget.NewEntry()
		e.SetText(p.set.Question[lang])
		e.SetPlaceHolder(i18n.Parse(string(lang)).T("kiosk.question", shop.Name))
		entries[lang] = e
		form.Append(i18n.Lang(lang).Name(), e)
	}
	save := widget.NewButtonWithIcon(l.T("program.save"), theme.DocumentSaveIcon(), func() {
		next := p.set
		next.Question = map[nps.Lang]string{}
		for lang, e := range entries {
			if q := strings.TrimSpace(e.Text); q != "" {
				next.Question[lang] = q
			}
		}
		if err := p.d.u.store.SaveNPSSettings(p.d.u.context(), next); err != nil {
			p.d.fail(err)
			return
		}
		p.set = next
		p.d.done(l.T("survey.question_saved"))
	})
	save.Importance = widget.HighImportance
	hint := widget.NewLabel(l.T("survey.question_hint"))
	hint.Wrapping = fyne.TextWrapWord
	return container.NewVBox(section(l.T("survey.question"), container.NewVBox(hint, form)), container.NewHBox(save))
}

// rulesEditor edits what happens by itself to each group's new answers, and the
// messages in each language.
type rulesEditor struct {
	d     *desk
	rules nps.Rules // as edited, messages with their defaults
	lang  nps.Lang  // whose messages the fields show
	cats  map[nps.Category]*ruleFields
}

// ruleFields are one group's fields.
type ruleFields struct {
	email, coupon, closeIt *widget.Check
	days, offer, subject   *widget.Entry
	body                   *widget.Entry
}

func newRulesEditor(d *desk) *rulesEditor {
	rs, err := d.u.store.NPSRules(d.u.context())
	if err != nil {
		d.fail(err)
	}
	return &rulesEditor{d: d, rules: rs.WithDefaults(defaultMessage), lang: nps.Lang(d.u.lang),
		cats: map[nps.Category]*ruleFields{}}
}

func (e *rulesEditor) build() fyne.CanvasObject {
	l := e.d.u.lang
	var langNames []string
	for _, lang := range nps.Langs {
		langNames = append(langNames, i18n.Lang(lang).Name())
	}
	pick := widget.NewSelect(langNames, nil)
	pick.SetSelected(i18n.Lang(e.lang).Name())
	pick.OnChanged = func(name string) {
		e.keep()
		for _, lang := range nps.Langs {
			if i18n.Lang(lang).Name() == name {
				e.lang = lang
			}
		}
		e.show()
	}
	columns := container.NewGridWithColumns(len(nps.Categories))
	for _, c := range nps.Categories {
		columns.Add(e.column(c))
	}
	e.show()
	save := widget.NewButtonWithIcon(l.T("rules.save"), theme.DocumentSaveIcon(), e.onSave)
	save.Importance = widget.HighImportance
	hint := widget.NewLabel(l.T("rules.hint"))
	hint.Wrapping = fyne.TextWrapWord
	head := container.NewBorder(nil, nil, widget.NewLabel(l.T("rules.messages_in")), nil, container.NewHBox(pick))
	return container.NewBorder(container.NewVBox(hint, head), container.NewHBox(save), nil, nil,
		container.NewVScroll(columns))
}

// column is group c's rule and message.
func (e *rulesEditor) column(c nps.Category) fyne.CanvasObject {
	l := e.d.u.lang
	rule := e.rules.For(c)
	f := &ruleFields{
		email: widget.NewCheck(l.T("rules.email"), nil), coupon: widget.NewCheck(l.T("rules.coupon"), nil),
		closeIt: widget.NewCheck(l.T("rules.close"), nil),
		days:    widget.NewEntry(), offer: widget.NewEntry(), subject: widget.NewEntry(), body: widget.NewMultiLineEntry(),
	}
	f.email.SetChecked(rule.Email)
	f.coupon.SetChecked(rule.Coupon)
	f.closeIt.SetChecked(rule.Close)
	if rule.CouponDays > 0 {
		f.days.SetText(strconv.Itoa(rule.CouponDays))
	}
	f.days.SetPlaceHolder(l.T("rules.no_end"))
	f.body.Wrapping = fyne.TextWrapWord
	f.body.SetMinRowsVisible(6)
	e.cats[c] = f
	title := bigText(16, true, theme.ColorNameForeground)
	badge, num := scoreBadge(map[nps.Category]int{nps.Promoter: 10, nps.Passive: 8, nps.Detractor: 3}[c], 28)
	switch c {
	case nps.Promoter:
		title.Text, num.Text = l.T("rules.group.promoter"), l.T("rules.range.promoter")
	case nps.Passive:
		title.Text, num.Text = l.T("rules.group.passive"), l.T("rules.range.passive")
	default:
		title.Text, num.Text = l.T("rules.group.detractor"), l.T("rules.range.detractor")
	}
	num.TextSize = 11
	badge.SetMinSize(fyne.NewSize(52, 28))
	head := container.NewHBox(container.NewStack(badge, num), title)
	couponRow := container.NewGridWithColumns(2,
		container.NewVBox(caption(l.T("rules.offer")), f.offer),
		container.NewVBox(caption(l.T("rules.days")), f.days))
	return card(container.NewVBox(head, f.email, f.coupon, couponRow, f.closeIt, widget.NewSeparator(),
		caption(l.T("inbox.subject")), f.subject, caption(l.T("inbox.text")), f.body))
}

// show puts the messages of the language picked into the fields.
func (e *rulesEditor) show() {
	for c, f := range e.cats {
		m := e.rules.Message(e.lang, c)
		f.offer.SetText(m.Offer)
		f.subject.SetText(m.Subject)
		f.body.SetText(m.Body)
	}
}

// keep takes the fields' messages into the rules being edited.
func (e *rulesEditor) keep() {
	for c, f := range e.cats {
		e.rules = e.rules.SetMessage(e.lang, c, nps.Message{Subject: f.subject.Text, Body: f.body.Text, Offer: f.offer.Text})
	}
}

// onSave stores the rules, keeping only the messages the owner changed: the others
// follow Merci's own wording, in every language, as it improves.
func (e *rulesEditor) onSave() {
	l := e.d.u.lang
	e.keep()
	next := nps.Rules{}
	for c, f := range e.cats {
		days := 0
		if text := strings.TrimSpace(f.days.Text); text != "" {
			n, err := strconv.Atoi(text)
			if err != nil || n < 0 {
				e.d.fail(errField{field: l.T("rules.days") + " " + text, err: nps.ErrInvalidRules})
				return
			}
			days = n
		}
		next = next.Set(c, nps.Rule{Email: f.email.Checked, Coupon: f.coupon.Checked, CouponDays: days, Close: f.closeIt.Checked})
	}
	for _, lang := range nps.Langs {
		for _, c := range nps.Categories {
			m, def := e.rules.Message(lang, c), defaultMessage(lang, c)
			own := nps.Message{}
			if strings.TrimSpace(m.Subject) != def.Subject {
				own.Subject = strings.TrimSpace(m.Subject)
			}
			if strings.TrimSpace(m.Body) != def.Body {
				own.Body = strings.TrimSpace(m.Body)
			}
			if strings.TrimSpace(m.Offer) != def.Offer {
				own.Offer = strings.TrimSpace(m.Offer)
			}
			if own != (nps.Message{}) {
				next = next.SetMessage(lang, c, own)
			}
		}
	}
	if err := e.d.u.store.SaveNPSRules(e.d.u.context(), next); err != nil {
		e.d.fail(err)
		return
	}
	e.d.done(l.T("rules.saved"))
	e.d.u.applyRules()
}
