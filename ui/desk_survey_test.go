package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestSurveySettingsSaved(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	d := openOwnerDesk(t, u)
	page := d.surveyPage()
	d.content.Objects = []fyne.CanvasObject{page}
	d.content.Refresh()
	entries := findAll[*widget.Entry](page)
	if len(entries) != 5 {
		t.Fatalf("survey page has %d fields, want 5 (4 and the email's delay)", len(entries))
	}
	test.Type(entries[1], "60") // throttle days
	test.Type(entries[2], "abc")
	save := button(t, page, u.lang.T("program.save"))
	test.Tap(save)
	if set, _ := u.store.NPSSettings(ctx); set.ThrottleDays != 0 || entries[1].Text != "60" {
		t.Fatalf("a bad idle time saved the settings anyway: %+v", set)
	}
	entries[2].SetText("45")
	test.Tap(save)
	set, err := u.store.NPSSettings(ctx)
	if err != nil || set.ThrottleDays != 60 || set.IdleSeconds != 45 || set.TTLMinutes != 0 {
		t.Errorf("saved settings = %+v, %v; want throttle 60 days, idle 45 s, default TTL", set, err)
	}
}
