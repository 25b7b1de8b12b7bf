package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncwire"
)

// The owner turns the survey by email on, with a delay in hours, on the Customer survey
// page; the setting is what the cloud reads, queued for it.
func TestSurveyByEmailSettingSaved(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	d := openOwnerDesk(t, u)
	page := d.surveyPage()
	d.content.Objects = []fyne.CanvasObject{page}
	d.content.Refresh()
	var on *widget.Check
	for _, c := range findAll[*widget.Check](page) {
		if c.Text == u.lang.T("survey.email_on") {
			on = c
		}
	}
	if on == nil || on.Checked {
		t.Fatalf("no unchecked %q on the survey page", u.lang.T("survey.email_on"))
	}
	entries := findAll[*widget.Entry](page)
	delay := entries[len(entries)-1]
	if delay.PlaceHolder != "2" {
		t.Errorf("the delay's placeholder = %q, want the default 2 hours", delay.PlaceHolder)
	}
	save := button(t, page, u.lang.T("program.save"))
	test.Tap(on)
	test.Type(delay, "0")
	test.Tap(save)
	if set, _ := u.store.NPSSettings(ctx); set.EmailSurveys {
		t.Fatalf("a delay of 0 hours saved the settings anyway: %+v", set)
	}
	delay.SetText("3")
	test.Tap(save)
	set, err := u.store.NPSSettings(ctx)
	if err != nil || !set.EmailSurveys || set.EmailDelayMinutes != 180 {
		t.Fatalf("saved settings = %+v, %v; want the survey by email on, after 180 minutes", set, err)
	}
	var cloud syncwire.SurveySetting
	if err := u.store.Setting(ctx, localdb.SettingNPS, &cloud); err != nil || !cloud.EmailSurveys || cloud.EmailDelayMinutes != 180 {
		t.Errorf("the cloud reads %+v, %v; want on, 180 minutes", cloud, err)
	}
	queued, err := u.store.Outgoing(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range queued {
		found = found || q.Type == syncwire.TypeSetting && q.Key == syncwire.SettingNPS
	}
	if !found {
		t.Errorf("the survey setting is not queued for the cloud")
	}
	if err := newSurveyEmail(u.lang, set).apply(&set); err != nil || set.EmailDelayMinutes != 180 {
		t.Errorf("the page opened again reads %+v, %v", set, err)
	}
	e := newSurveyEmail(u.lang, set)
	e.delay.SetText("x")
	if err := e.apply(&set); !errors.Is(err, localdb.ErrInvalidNPSSettings) {
		t.Errorf("delay x: err = %v, want ErrInvalidNPSSettings", err)
	}
}
