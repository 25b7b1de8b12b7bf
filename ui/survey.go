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
func (d *desk) surveyPage() fyne.CanvasObject {
	l := d.u.lang
	set, err := d.u.store.NPSSettings(d.u.context())
	if err != nil {
		d.fail(err)
	}
	field := func(v, def int) *widget.Entry {
		e := widget.NewEntry()
		if v > 0 {
			e.SetText(strconv.Itoa(v))
		}
		e.SetPlaceHolder(strconv.Itoa(def))
		return e
	}
	ttl := field(set.TTLMinutes, int(nps.DefaultTTL.Minutes()))
	throttle := field(set.ThrottleDays, int(nps.DefaultThrottle.Hours()/24))
	idle := field(set.IdleSeconds, int(localdb.DefaultIdle.Seconds()))
	visit := field(set.VisitHours, int(nps.DefaultVisitWindow.Hours()))
	form := widget.NewForm(
		widget.NewFormItem(l.T("survey.ttl"), ttl),
		widget.NewFormItem(l.T("survey.throttle"), throttle),
		widget.NewFormItem(l.T("survey.idle"), idle),
		widget.NewFormItem(l.T("survey.visit"), visit),
	)
	save := widget.NewButtonWithIcon(l.T("program.save"), theme.DocumentSaveIcon(), func() {
		next := set
		for _, f := range []struct {
			entry *widget.Entry
			to    *int
		}{{ttl, &next.TTLMinutes}, {throttle, &next.ThrottleDays}, {idle, &next.IdleSeconds}, {visit, &next.VisitHours}} {
			text := strings.TrimSpace(f.entry.Text)
			if text == "" {
				*f.to = 0
				continue
			}
			n, err := strconv.Atoi(text)
			if err != nil || n < 0 {
				d.fail(errField{field: text, err: localdb.ErrInvalidNPSSettings})
				return
			}
			*f.to = n
		}
		if err := d.u.store.SaveNPSSettings(d.u.context(), next); err != nil {
			d.fail(err)
			return
		}
		set = next
		d.done(l.T("survey.saved"))
	})
	save.Importance = widget.HighImportance
	hint := widget.NewLabel(l.T("survey.hint"))
	hint.Wrapping = fyne.TextWrapWord
	return container.NewVBox(section(l.T("survey.title"), container.NewVBox(hint, form)), container.NewHBox(save))
}
