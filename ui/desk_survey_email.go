package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// surveyEmail is the part of the Customer survey page about the survey by email: on or
// off, and how long after the purchase the cloud sends it.
type surveyEmail struct {
	on    *widget.Check
	delay *widget.Entry // hours; empty keeps the default
	view  fyne.CanvasObject
}

func newSurveyEmail(l i18n.Lang, set localdb.NPSSettings) *surveyEmail {
	e := &surveyEmail{on: widget.NewCheck(l.T("survey.email_on"), nil), delay: widget.NewEntry()}
	e.on.SetChecked(set.EmailSurveys)
	if set.EmailDelayMinutes > 0 {
		e.delay.SetText(strconv.Itoa(set.EmailDelayMinutes / 60))
	}
	e.delay.SetPlaceHolder(strconv.Itoa(int(nps.DefaultEmailDelay.Hours())))
	hint := widget.NewLabel(l.T("survey.email_hint"))
	hint.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(l.T("survey.email_delay"), e.delay))
	e.view = section(l.T("survey.email_title"), container.NewVBox(e.on, hint, form))
	return e
}

// apply puts the fields into next; a delay that is not a whole number of hours, from
// 1, is an errField.
func (e *surveyEmail) apply(next *localdb.NPSSettings) error {
	next.EmailSurveys = e.on.Checked
	text := strings.TrimSpace(e.delay.Text)
	if text == "" {
		next.EmailDelayMinutes = 0
		return nil
	}
	hours, err := strconv.Atoi(text)
	if err != nil || hours < 1 {
		return errField{field: text, err: localdb.ErrInvalidNPSSettings}
	}
	next.EmailDelayMinutes = hours * 60
	return nil
}
