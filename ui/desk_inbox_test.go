package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// answer records a purchase on the card of a at the counter at the time at, which
// invites its customer to the survey, and answers it as the kiosk does.
func answer(t *testing.T, store *localdb.Store, a localdb.Account, at time.Time, score int, comment string) nps.Response {
	t.Helper()
	ctx := context.Background()
	p, err := store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := loyalty.Origin{Device: store.Device(), At: at}
	if _, _, err := store.RecordPurchase(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(o, a.Card, 1200)
	}); err != nil {
		t.Fatal(err)
	}
	inv, err := store.PendingInvitation(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	r, err := store.Answer(ctx, inv.ID, score, comment, nps.French, at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func status(t *testing.T, store *localdb.Store, id string) nps.Status {
	t.Helper()
	r, err := store.Response(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

func kinds(t *testing.T, store *localdb.Store, id string) []nps.ActionKind {
	t.Helper()
	acts, err := store.Actions(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []nps.ActionKind
	for _, a := range acts {
		out = append(out, a.Kind)
	}
	return out
}

// dialogButton taps the button text of the dialog open over w.
func dialogButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	test.Tap(button(t, topOverlay(t, w), text))
}

func TestInboxFlow(t *testing.T) {
	u := newTestUI(t)
	store := u.store
	ctx := context.Background()
	customers, err := store.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	alice := customers[0].Customer
	// This test works the routine by hand: no rule acts on the answers.
	if err := store.SaveNPSRules(ctx, nps.Rules{}); err != nil {
		t.Fatal(err)
	}
	// Answers a minute apart, the last a minute ago: the newest sorts first.
	now := time.Now()
	closed := answer(t, store, customers[2], now.Add(-3*time.Minute), 7, "")
	if _, _, err := store.AddAction(ctx, closed.ID, nps.Action{Kind: nps.ActionClose, Staff: "owner", At: now}); err != nil {
		t.Fatal(err)
	}
	promoter := answer(t, store, customers[1], now.Add(-2*time.Minute), 10, "Lovely croissants")
	detractor := answer(t, store, customers[0], now.Add(-time.Minute), 3, "Waited twenty minutes")
	d := openOwnerDesk(t, u)
	w := d.win
	w.Resize(fyne.NewSize(1366, 768))
	nav := findAll[*widget.List](w.Content())[0] // the dashboard has no list
	nav.Select(1)                                // Answers
	var inbox *widget.List
	for _, l := range findAll[*widget.List](w.Content()) {
		if l != nav {
			inbox = l
		}
	}
	if inbox == nil {
		t.Fatal("the answers page has no list")
	}
	if n := inbox.Length(); n != 2 {
		t.Fatalf("Untreated tab lists %d answers, want 2", n)
	}

	inbox.Select(0) // the newest: the detractor
	if got := status(t, store, detractor.ID); got != nps.InProgress {
		t.Errorf("after opening, status = %s, want in progress", got)
	}

	test.Tap(button(t, w.Content(), "Comment, keep open"))
	test.Type(findAll[*widget.Entry](topOverlay(t, w))[0], "Called back, will come on Friday")
	dialogButton(t, w, "Apply")

	test.Tap(button(t, w.Content(), "Write an email"))
	entries := findAll[*widget.Entry](topOverlay(t, w))
	if to := entries[0].Text; to != alice.Email {
		t.Errorf("email to %q, want the customer's %q", to, alice.Email)
	}
	if subject := entries[1].Text; !strings.Contains(subject, "Toutes nos excuses") {
		t.Errorf("detractor email subject %q, want the apology template in French, the language of the answer", subject)
	}
	dialogButton(t, w, "Send")
	emails, err := store.Emails(ctx, detractor.ID)
	if err != nil || len(emails) != 1 || emails[0].Status != localdb.EmailQueued || emails[0].To != alice.Email {
		t.Fatalf("emails = %+v, %v; want one queued to Alice", emails, err)
	}
	var queued int
	if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE type = 'email' AND change_id = ?`, emails[0].ID).Scan(&queued); err != nil || queued != 1 {
		t.Errorf("email changes in the outbox = %d, %v; want 1", queued, err)
	}
	var shown bool
	for _, l := range findAll[*widget.Label](w.Content()) {
		shown = shown || l.Text == "queued"
	}
	if !shown {
		t.Errorf("the history does not show the email as queued")
	}

	test.Tap(button(t, w.Content(), "Comment and close"))
	test.Type(findAll[*widget.Entry](topOverlay(t, w))[0], "Sorted out")
	dialogButton(t, w, "Apply")
	if got := status(t, store, detractor.ID); got != nps.Closed {
		t.Errorf("after Comment and close, status = %s, want closed", got)
	}
	want := []nps.ActionKind{nps.ActionComment, nps.ActionEmail, nps.ActionClose}
	if got := kinds(t, store, detractor.ID); !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	button(t, w.Content(), "Reopen") // a closed answer offers to reopen, nothing else

	test.Tap(button(t, w.Content(), "Untreated · 1")) // the count of the tab
	if n := inbox.Length(); n != 1 {
		t.Fatalf("Untreated tab lists %d answers after closing one, want 1", n)
	}
	inbox.Select(0)
	test.Tap(button(t, w.Content(), "Thank-you coupon"))
	dialogButton(t, w, "Apply")
	coupon, err := store.CouponFor(ctx, promoter.ID)
	if err != nil {
		t.Fatal(err)
	}

	// At the counter the code is accepted once.
	c := u.ShowCounter()
	input := findAll[*keyEntry](c.Content())[0]
	for _, wantMsg := range []string{"Coupon accepted: give A free coffee.", "This coupon was already used."} {
		test.Type(input, coupon.Code)
		input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		var got []string
		for _, l := range findAll[*widget.Label](c.Content()) {
			got = append(got, l.Text)
		}
		if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, wantMsg) }) {
			t.Errorf("counter after the coupon shows %q, want %q", got, wantMsg)
		}
		input.SetText("")
	}
	test.Tap(button(t, w.Content(), "All · 3"))
	if n := inbox.Length(); n != 3 {
		t.Errorf("All tab lists %d answers, want 3", n)
	}
}
