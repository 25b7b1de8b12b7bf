package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// surveyPage lets the owner set how the kiosk asks: how long a purchase's survey stays
// open, how long a customer is left alone after being asked, the kiosk's idle reset and
// the self-service visit period. Empty fields keep the defaults.
type surveyPage struct {
	d   *desk
	set localdb.NPSSettings // as saved
	// The fields, in minutes, days, seconds and hours.
	ttl, throttle, idle, visit *widget.Entry
	email                      *surveyEmail
}

func (d *desk) surveyPage() fyne.CanvasObject {
	set, err := d.u.store.NPSSettings(d.u.context())
	if err != nil {
		d.fail(err)
	}
	p := &surveyPage{d: d, set: set}
	return p.routine(p.build())
}

func (p *surveyPage) build() fyne.CanvasObject {
	l := p.d.u.lang
	field := func(v, def int) *widget.Entry {
		e := widget.NewEntry()
		if v > 0 {
			e.SetText(strconv.Itoa(v))
		}
		e.SetPlaceHolder(strconv.Itoa(def))
		return e
	}
	p.ttl = field(p.set.TTLMinutes, int(nps.DefaultTTL.Minutes()))
	p.throttle = field(p.set.ThrottleDays, int(nps.DefaultThrottle.Hours()/24))
	p.idle = field(p.set.IdleSeconds, int(localdb.DefaultIdle.Seconds()))
	p.visit = field(p.set.VisitHours, int(nps.DefaultVisitWindow.Hours()))
	form := widget.NewForm(
		widget.NewFormItem(l.T("survey.ttl"), p.ttl),
		widget.NewFormItem(l.T("survey.throttle"), p.throttle),
		widget.NewFormItem(l.T("survey.idle"), p.idle),
		widget.NewFormItem(l.T("survey.visit"), p.visit),
	)
	save := widget.NewButtonWithIcon(l.T("program.save"), theme.DocumentSaveIcon(), p.onSave)
	save.Importance = widget.HighImportance
	hint := widget.NewLabel(l.T("survey.hint"))
	hint.Wrapping = fyne.TextWrapWord
	p.email = newSurveyEmail(l, p.set)
	return container.NewVBox(section(l.T("survey.title"), container.NewVBox(hint, form)), p.email.view, container.NewHBox(save))
}

// onSave saves the fields; an empty one goes back to the default.
func (p *surveyPage) onSave() {
	next := p.set
	for _, f := range []struct {
		entry *widget.Entry
		to    *int
	}{{p.ttl, &next.TTLMinutes}, {p.throttle, &next.ThrottleDays}, {p.idle, &next.IdleSeconds}, {p.visit, &next.VisitHours}} {
		text := strings.TrimSpace(f.entry.Text)
		if text == "" {
			*f.to = 0
			continue
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 {
			p.d.fail(errField{field: text, err: localdb.ErrInvalidNPSSettings})
			return
		}
		*f.to = n
	}
	if err := p.email.apply(&next); err != nil {
		p.d.fail(err)
		return
	}
	if err := p.d.u.store.SaveNPSSettings(p.d.u.context(), next); err != nil {
		p.d.fail(err)
		return
	}
	p.set = next
	p.d.done(p.d.u.lang.T("survey.saved"))
}
