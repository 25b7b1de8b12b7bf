package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// showSurveyTab opens the desk's Customer survey page on its tab i.
func showSurveyTab(t *testing.T, d *desk, i int) fyne.CanvasObject {
	t.Helper()
	page := d.surveyPage()
	d.content.Objects = []fyne.CanvasObject{page}
	d.content.Refresh()
	tabs := findAll[*container.AppTabs](d.win.Content())
	if len(tabs) != 1 {
		t.Fatalf("the survey page has %d tab bars, want 1", len(tabs))
	}
	tabs[0].SelectIndex(i)
	return page
}

func TestRulesPageEditsAndSaves(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	d := openOwnerDesk(t, u)
	page := showSurveyTab(t, d, 2)
	checks := findAll[*widget.Check](page)
	if len(checks) != 9 {
		t.Fatalf("the rules tab has %d ticks, want email, coupon and close for 3 groups", len(checks))
	}
	// Promoters, passives, detractors; each: email, coupon, close.
	if !checks[0].Checked || !checks[1].Checked || !checks[2].Checked || checks[3].Checked || checks[6].Checked {
		t.Errorf("ticks %v, want the default routine: promoters emailed, given a coupon and closed, nobody else", checkStates(checks))
	}
	test.Tap(checks[3]) // passives: email
	test.Tap(checks[4]) // passives: coupon
	entries := findAll[*widget.Entry](page)
	// Per group: offer, days, subject, text.
	passiveDays := entries[5]
	passiveDays.SetText("14")
	if got := entries[2].Text; got != "Thank you! — {shop}" {
		t.Errorf("promoters' subject %q, want the English default", got)
	}
	pick := findAll[*widget.Select](page)[0]
	pick.SetSelected("Français")
	if got := entries[2].Text; got != "Merci ! — {shop}" {
		t.Errorf("promoters' subject in French %q, want the French default", got)
	}
	entries[2].SetText("Un grand merci {name} !")
	test.Tap(button(t, page, "Save the rules"))
	rs, err := u.store.NPSRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rs.For(nps.Passive), (nps.Rule{Email: true, Coupon: true, CouponDays: 14}); got != want {
		t.Errorf("passives' rule %+v, want %+v", got, want)
	}
	if got := rs.Message(nps.French, nps.Promoter); got != (nps.Message{Subject: "Un grand merci {name} !"}) {
		t.Errorf("French promoters' message %+v, want only the subject the owner wrote", got)
	}
	if got := rs.Message(nps.English, nps.Promoter); got != (nps.Message{}) {
		t.Errorf("English promoters' message %+v, want the default kept unsaved", got)
	}
	dialogButton(t, d.win, "OK")

	entries[3].SetText("Bonjour {prenom}") // promoters' text: an unknown field
	test.Tap(button(t, page, "Save the rules"))
	if got, _ := u.store.NPSRules(ctx); got.Message(nps.French, nps.Promoter).Body != "" {
		t.Errorf("a message with an unknown field was saved: %+v", got.Message(nps.French, nps.Promoter))
	}
	var said bool
	for _, l := range findAll[*widget.Label](topOverlay(t, d.win)) {
		said = said || strings.Contains(l.Text, "{name}, {shop}, {code}, {offer}, {until}")
	}
	if !said {
		t.Errorf("the refusal does not name the fields a message may hold")
	}
}

func checkStates(checks []*widget.Check) []bool {
	var out []bool
	for _, c := range checks {
		out = append(out, c.Checked)
	}
	return out
}

func TestRulesThankAPromoterOnce(t *testing.T) {
	u := newTestUI(t)
	store := u.store
	ctx := context.Background()
	customers, err := store.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	promoter := answer(t, store, customers[1], now.Add(-time.Minute), 10, "Lovely croissants")
	detractor := answer(t, store, customers[0], now.Add(-time.Minute), 3, "Waited")
	d := openOwnerDesk(t, u) // the desk applies the rules as it opens

	coupon, err := store.CouponFor(ctx, promoter.ID)
	if err != nil {
		t.Fatalf("the promoter has no coupon: %v", err)
	}
	emails, err := store.Emails(ctx, promoter.ID)
	if err != nil || len(emails) != 1 {
		t.Fatalf("promoter's emails %+v, %v; want one", emails, err)
	}
	if e := emails[0]; e.To != customers[1].Customer.Email || !strings.Contains(e.Text, coupon.Code) ||
		!strings.HasPrefix(e.Subject, "Merci !") {
		t.Errorf("email %+v, want the French thank-you to %s with the code %s", e, customers[1].Customer.Email, coupon.Code)
	}
	if got := status(t, store, promoter.ID); got != nps.Closed {
		t.Errorf("promoter's answer %s, want closed", got)
	}
	if got := status(t, store, detractor.ID); got != nps.Untreated {
		t.Errorf("detractor's answer %s, want left for a person", got)
	}

	// The next round changes nothing; an answer given meanwhile gets its turn.
	later := answer(t, store, customers[2], time.Now(), 9, "")
	u.clock.(*handClock).advance(rulesEvery)
	if n, _ := store.Emails(ctx, promoter.ID); len(n) != 1 {
		t.Errorf("promoter's emails after another round: %d, want 1", len(n))
	}
	if got := status(t, store, later.ID); got != nps.Closed {
		t.Errorf("an answer given while the desk was open is %s, want closed by the next round", got)
	}

	// The inbox's history says the rules did it.
	nav := findAll[*widget.List](d.win.Content())[0]
	nav.Select(1)
	test.Tap(button(t, d.win.Content(), "All · 3"))
	var inbox *widget.List
	for _, l := range findAll[*widget.List](d.win.Content()) {
		if l != nav {
			inbox = l
		}
	}
	// Newest first: the later answer, then the promoter's and the detractor's.
	var joined string
	for i := range inbox.Length() {
		inbox.Select(i)
		var lines []string
		for _, l := range findAll[*widget.Label](d.win.Content()) {
			lines = append(lines, l.Text)
		}
		if joined = strings.Join(lines, "\n"); strings.Contains(joined, "“Lovely croissants”") { // its detail
			break
		}
	}
	if !strings.Contains(joined, "Automatic") || !strings.Contains(joined, coupon.Code) {
		t.Errorf("the promoter's history shows %q, want the rules' follow-ups and the coupon %s", joined, coupon.Code)
	}
}

func TestQuestionEditedShowsOnTheKiosk(t *testing.T) {
	u := newTestUI(t)
	d := openOwnerDesk(t, u)
	page := showSurveyTab(t, d, 1)
	entries := findAll[*widget.Entry](page)
	if len(entries) != 3 {
		t.Fatalf("the question tab has %d fields, want one per language", len(entries))
	}
	test.Type(entries[0], "Would you tell a friend about our croissants?") // English
	test.Tap(button(t, page, "Save"))
	dialogButton(t, d.win, "OK")
	// The kiosk tab's own Save, on the same page, keeps the question.
	findAll[*container.AppTabs](page)[0].SelectIndex(0)
	test.Tap(button(t, page, "Save"))
	dialogButton(t, d.win, "OK")

	k := newTestKiosk(t, u)
	purchase(t, u, "Alice")
	k.poll()
	if want := "Would you tell a friend about our croissants?"; !strings.Contains(k.texts(), want) {
		t.Errorf("the kiosk does not ask %q; it shows:\n%s", want, k.texts())
	}
	set, err := u.store.NPSSettings(context.Background())
	if err != nil || set.Question[nps.French] != "" {
		t.Errorf("French question %q, %v; want the standard one kept", set.Question[nps.French], err)
	}
}

// On the shop's only computer, connected to no cloud, the counter applies the rules
// with no desk open; on a connected till it leaves them to the owner's desk, the only
// device the cloud lets write what they make.
func TestCounterAppliesTheRulesAlone(t *testing.T) {
	for _, connected := range []bool{false, true} {
		u := newTestUI(t)
		ctx := context.Background()
		if connected {
			if err := u.store.SaveEnrollment(ctx, localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1"}); err != nil {
				t.Fatal(err)
			}
		}
		customers, err := u.store.Customers(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		u.ShowCounter()
		r := answer(t, u.store, customers[1], time.Now(), 10, "")
		u.clock.(*handClock).advance(rulesEvery)
		want := map[bool]nps.Status{false: nps.Closed, true: nps.Untreated}[connected]
		if got := status(t, u.store, r.ID); got != want {
			t.Errorf("connected %v: promoter's answer %s after a round, want %s", connected, got, want)
		}
	}
}
