package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
)

// labelWith returns the label under o whose text contains part, or nil.
func labelWith(o fyne.CanvasObject, part string) *widget.Label {
	for _, l := range findAll[*widget.Label](o) {
		if strings.Contains(l.Text, part) {
			return l
		}
	}
	return nil
}

// A card credited six times in a day shows on the owner's Alerts page, where one tap
// (and a confirmation) blocks it; the counter then refuses it.
func TestAlertsPageBlocksTheCard(t *testing.T) {
	u, store := newCounterUI(t, i18n.English)
	c := u.newCounter()
	bruno, err := store.NewAccount(u.context(), loyalty.Customer{Name: "Zoé Lemaire"})
	if err != nil {
		t.Fatal(err)
	}
	enter(c, bruno.Code().String())
	for range 6 {
		enter(c, "3")
	}

	d := openOwnerDesk(t, u)
	d.win.Resize(fyne.NewSize(1366, 768))
	d.nav.Select(slices.IndexFunc(d.pages, func(p deskPage) bool { return p.key == "owner.nav.alerts" }))
	if got := d.title.Text; got != "Alerts" {
		t.Fatalf("desk page = %q, want Alerts", got)
	}
	page := d.content.Objects[0]
	want := "Zoé Lemaire: 6 operations in one day on card " + bruno.Code().String()
	if labelWith(page, want) == nil {
		t.Fatalf("Alerts page does not say %q; it shows %q", want, texts(page))
	}

	test.Tap(button(t, page, "Block the card"))
	dialogButton(t, d.win, "Yes")
	if a, err := store.AccountByCode(u.context(), bruno.Code()); err != nil || a.Card.Status != loyalty.CardBlocked {
		t.Errorf("card after blocking from the alert = %+v, %v; want blocked", a.Card, err)
	}
	if labelWith(page, "Card blocked") == nil {
		t.Errorf("the alert does not say the card is blocked: %q", texts(page))
	}
	enter(c, bruno.Code().String())
	if !strings.Contains(c.msg.Text, "blocked") {
		t.Errorf("counter message for the blocked card = %q", c.msg.Text)
	}

	// Raised above six, the threshold no longer alerts; a word is refused.
	entries := findAll[*widget.Entry](page)
	ops := entries[0]
	ops.SetText("many")
	test.Tap(button(t, page, "Save"))
	if !strings.Contains(texts(topOverlay(t, d.win)), "More operations a day than: type a whole number") {
		t.Errorf("saving a word: dialog says %q", texts(topOverlay(t, d.win)))
	}
	dialogButton(t, d.win, "OK")
	ops.SetText("6")
	test.Tap(button(t, page, "Save"))
	dialogButton(t, d.win, "OK")
	if labelWith(page, "Nothing unusual in the last 30 days.") == nil {
		t.Errorf("with the threshold at 6: page shows %q", texts(page))
	}
	if r, err := store.AlertRules(u.context()); err != nil || r.OpsPerDay != 6 || r.PointsPerDay != 0 || r.AdjustedPoints != 0 || r.Email != "" {
		t.Errorf("saved rules = %+v, %v; want 6 operations and the rest off", r, err)
	}

	// The owner asks for the alerts by email: a named address is refused, a bare one is
	// kept with the desk's language, for the cloud to write in.
	email := entries[len(entries)-1]
	email.SetText("Owner <owner@example.com>")
	test.Tap(button(t, page, "Save"))
	if !strings.Contains(texts(topOverlay(t, d.win)), "not an email address") {
		t.Errorf("saving a named address: dialog says %q", texts(topOverlay(t, d.win)))
	}
	dialogButton(t, d.win, "OK")
	email.SetText(" owner@Example.com ")
	test.Tap(button(t, page, "Save"))
	dialogButton(t, d.win, "OK")
	if r, err := store.AlertRules(u.context()); err != nil || r.Email != "owner@example.com" || r.Lang != "en" || r.OpsPerDay != 6 {
		t.Errorf("saved rules = %+v, %v; want the address, in English, and 6 operations", r, err)
	}
}
