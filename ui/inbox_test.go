package ui

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// memAnswers keeps answers in memory, with the rules of the nps package. It stands in
// for the kiosk's storage, which lives on another branch until it merges.
type memAnswers struct {
	mu        sync.Mutex
	responses []nps.Response
	actions   map[string][]nps.Action
}

func (m *memAnswers) Responses(_ context.Context, from, to time.Time) ([]nps.Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []nps.Response
	for _, r := range m.responses {
		if !r.At.Before(from) && r.At.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *memAnswers) Invitations(context.Context, time.Time, time.Time) (int, error) {
	return 2 * len(m.responses), nil
}

func (m *memAnswers) Inbox(_ context.Context, status nps.Status) ([]nps.Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []nps.Response
	for _, r := range m.responses {
		if status == "" || r.Status == status {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b nps.Response) int { return b.At.Compare(a.At) })
	return out, nil
}

func (m *memAnswers) find(id string) *nps.Response {
	for i := range m.responses {
		if m.responses[i].ID == id {
			return &m.responses[i]
		}
	}
	return nil
}

func (m *memAnswers) SetResponseStatus(_ context.Context, id string, s nps.Status) (nps.Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.find(id)
	r.Status = s
	return *r, nil
}

func (m *memAnswers) AddAction(_ context.Context, id string, draft nps.Action) (nps.Response, nps.Action, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.find(id)
	next, a, err := r.Act(draft)
	if err != nil {
		return nps.Response{}, nps.Action{}, err
	}
	*r = next
	m.actions[id] = append(m.actions[id], a)
	return next, a, nil
}

func (m *memAnswers) Actions(_ context.Context, id string) ([]nps.Action, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.actions[id]), nil
}

func (m *memAnswers) status(id string) nps.Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.find(id).Status
}

func (m *memAnswers) kinds(id string) []nps.ActionKind {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []nps.ActionKind
	for _, a := range m.actions[id] {
		out = append(out, a.Kind)
	}
	return out
}

func response(t *testing.T, customerID string, score int, comment string, status nps.Status, at time.Time) nps.Response {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return nps.Response{ID: id.String(), InvitationID: "inv-" + id.String(), PurchaseOpID: "op", CustomerID: customerID,
		Score: score, Comment: comment, Lang: nps.French, At: at, Status: status}
}

// dialogButton taps the button text of the dialog open over w.
func dialogButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	test.Tap(button(t, topOverlay(t, w), text))
}

func TestInboxFlow(t *testing.T) {
	u, store := newTestUI(t)
	ctx := context.Background()
	customers, err := store.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	alice, bruno := customers[0].Customer, customers[1].Customer
	now := time.Now()
	detractor := response(t, alice.ID, 3, "Waited twenty minutes", nps.Untreated, now.Add(-time.Hour))
	promoter := response(t, bruno.ID, 10, "Lovely croissants", nps.Untreated, now.Add(-2*time.Hour))
	closed := response(t, "", 7, "", nps.Closed, now.Add(-3*time.Hour))
	answers := &memAnswers{responses: []nps.Response{detractor, promoter, closed}, actions: map[string][]nps.Action{}}
	u.SetAnswers(answers)
	owner, err := store.StaffByPIN(ctx, localdb.DemoOwnerPIN, localdb.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	w := u.ShowOwnerDesk(owner, nil)
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
	if got := answers.status(detractor.ID); got != nps.InProgress {
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
	if subject := entries[1].Text; !strings.Contains(subject, "sorry") {
		t.Errorf("detractor email subject %q, want the apology template", subject)
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
	if got := answers.status(detractor.ID); got != nps.Closed {
		t.Errorf("after Comment and close, status = %s, want closed", got)
	}
	want := []nps.ActionKind{nps.ActionComment, nps.ActionEmail, nps.ActionClose}
	if got := answers.kinds(detractor.ID); !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	button(t, w.Content(), "Reopen") // a closed answer offers to reopen, nothing else

	test.Tap(button(t, w.Content(), "Untreated"))
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
	test.Tap(button(t, w.Content(), "All"))
	if n := inbox.Length(); n != 3 {
		t.Errorf("All tab lists %d answers, want 3", n)
	}
}
