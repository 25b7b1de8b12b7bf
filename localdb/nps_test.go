package localdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// purchase credits amount on code at the counter at time at, as RecordPurchase does.
func purchase(tb testing.TB, s *localdb.Store, code cards.Code, at time.Time) loyalty.Operation {
	tb.Helper()
	ctx := context.Background()
	p, err := s.Program(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	op, _, err := s.RecordPurchase(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: s.Device(), At: at}, a.Card, 1250)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return op
}

// queued returns the types and keys waiting in the outbox, oldest first.
func queued(tb testing.TB, s *localdb.Store) [][2]string {
	tb.Helper()
	rows, err := s.DB().Query(`SELECT type, key FROM outbox ORDER BY seq`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var tk [2]string
		if err := rows.Scan(&tk[0], &tk[1]); err != nil {
			tb.Fatal(err)
		}
		out = append(out, tk)
	}
	return out
}

func TestRecordPurchaseInvites(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "ines")
	before := len(queued(t, s))
	changed := s.NPSChanged()
	op := purchase(t, s, a.Code(), t0)

	select {
	case <-changed:
	default:
		t.Error("NPSChanged was not closed by a new invitation")
	}
	inv, err := s.PendingInvitation(ctx, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := nps.Invitation{ID: inv.ID, PurchaseOpID: op.ID, CustomerID: a.Customer.ID, CardCode: a.Card.Code,
		Device: s.Device(), CreatedAt: t0, ExpiresAt: t0.Add(nps.DefaultTTL)}
	if diff := cmp.Diff(want, inv, cmpTimes); diff != "" {
		t.Errorf("PendingInvitation (-want +got):\n%s", diff)
	}
	got := queued(t, s)[before:]
	wantQueued := [][2]string{{"op", op.ID}, {localdb.TypeNPSInvitation, inv.ID}}
	if diff := cmp.Diff(wantQueued, got); diff != "" {
		t.Errorf("outbox after a purchase (-want +got):\n%s", diff)
	}
	if _, err := s.PendingInvitation(ctx, t0.Add(nps.DefaultTTL)); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("PendingInvitation at expiry: err = %v, want ErrNotFound", err)
	}
}

var cmpTimes = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func TestRecordPurchaseThrottles(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.SaveNPSSettings(ctx, localdb.NPSSettings{ThrottleDays: 7}); err != nil {
		t.Fatal(err)
	}
	a := newAccount(t, s, "jon")
	other := newAccount(t, s, "kim")
	tests := []struct {
		code    cards.Code
		at      time.Time
		invited bool
	}{
		{a.Code(), t0, true},
		{a.Code(), t0.Add(time.Hour), false},
		{other.Code(), t0.Add(time.Hour), true}, // the throttle is per customer
		{a.Code(), t0.Add(7*24*time.Hour - time.Second), false},
		{a.Code(), t0.Add(7 * 24 * time.Hour), true},
	}
	for i, tt := range tests {
		op := purchase(t, s, tt.code, tt.at)
		inv, err := s.PendingInvitation(ctx, tt.at)
		if err != nil && !errors.Is(err, localdb.ErrNotFound) {
			t.Fatal(err)
		}
		if got := err == nil && inv.PurchaseOpID == op.ID; got != tt.invited {
			t.Errorf("purchase %d at %v: invited = %v, want %v", i, tt.at, got, tt.invited)
		}
	}
}

func TestAnswer(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "lou")
	op := purchase(t, s, a.Code(), t0)
	inv, err := s.PendingInvitation(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Answer(ctx, inv.ID, 9, "  Lovely croissants ", nps.French, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := nps.Response{ID: r.ID, InvitationID: inv.ID, PurchaseOpID: op.ID, CustomerID: a.Customer.ID, CardCode: a.Card.Code,
		Score: 9, Comment: "Lovely croissants", Lang: nps.French, At: t0.Add(time.Minute), Status: nps.Untreated}
	stored, err := s.Response(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored, cmpTimes); diff != "" {
		t.Errorf("stored response (-want +got):\n%s", diff)
	}
	if _, err := s.Answer(ctx, inv.ID, 3, "", nps.English, t0.Add(2*time.Minute)); !errors.Is(err, nps.ErrAlreadyAnswered) {
		t.Errorf("second Answer: err = %v, want ErrAlreadyAnswered", err)
	}
	if _, err := s.PendingInvitation(ctx, t0.Add(time.Minute)); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("PendingInvitation after the answer: err = %v, want ErrNotFound", err)
	}

	b := newAccount(t, s, "max")
	purchase(t, s, b.Code(), t0)
	late, err := s.PendingInvitation(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Answer(ctx, late.ID, 10, "", nps.English, late.ExpiresAt); !errors.Is(err, nps.ErrExpired) {
		t.Errorf("Answer at expiry: err = %v, want ErrExpired", err)
	}
	if _, err := s.Answer(ctx, late.ID, 11, "", nps.English, t0); !errors.Is(err, nps.ErrInvalidScore) {
		t.Errorf("Answer with score 11: err = %v, want ErrInvalidScore", err)
	}
	all, err := s.Responses(ctx, localdb.ResponseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Errorf("%d responses stored, want 1", len(all))
	}
}

func TestRecordVisit(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.SaveNPSSettings(ctx, localdb.NPSSettings{VisitHours: 12}); err != nil {
		t.Fatal(err)
	}
	a := newAccount(t, s, "noa")
	visit := func(at time.Time) (loyalty.Operation, localdb.Account, *nps.Invitation, error) {
		return s.RecordVisit(ctx, a.Code(), loyalty.Origin{Device: s.Device(), At: at})
	}
	op, after, inv, err := visit(t0)
	if err != nil {
		t.Fatal(err)
	}
	if op.Kind != loyalty.KindVisit || op.Delta.Points != 2 || after.Balance.Points != 2 {
		t.Errorf("visit = %s %+v, balance %d; want visit of 2 points, balance 2", op.Kind, op.Delta, after.Balance.Points)
	}
	if inv == nil || inv.PurchaseOpID != op.ID {
		t.Errorf("visit invitation = %+v, want one for operation %s", inv, op.ID)
	}
	if _, _, _, err := visit(t0.Add(11 * time.Hour)); !errors.Is(err, nps.ErrVisitLimit) {
		t.Errorf("second visit within 12 h: err = %v, want ErrVisitLimit", err)
	}
	if got := ledgerBalance(t, s, a.Customer.ID).Points; got != 2 {
		t.Errorf("balance after a refused visit = %d, want 2", got)
	}
	_, after, inv, err = visit(t0.Add(12 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if after.Balance.Points != 4 || inv != nil {
		t.Errorf("visit after 12 h: balance %d, invitation %v; want 4 and none (the throttle)", after.Balance.Points, inv)
	}

	p, err := s.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.SelfServiceVisitPoints = 0
	if err := s.SaveProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := visit(t0.Add(48 * time.Hour)); !errors.Is(err, localdb.ErrNoSelfService) {
		t.Errorf("visit with self-service off: err = %v, want ErrNoSelfService", err)
	}
}

func TestInbox(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	var ids []string
	for i, score := range []int{2, 8, 10} {
		a := newAccount(t, s, string(rune('p'+i)))
		at := t0.Add(time.Duration(i) * 24 * time.Hour)
		purchase(t, s, a.Code(), at)
		inv, err := s.PendingInvitation(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Answer(ctx, inv.ID, score, "", nps.English, at)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	listIDs := func(f localdb.ResponseFilter) []string {
		t.Helper()
		rs, err := s.Responses(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if diff := cmp.Diff([]string{ids[2], ids[1], ids[0]}, listIDs(localdb.ResponseFilter{})); diff != "" {
		t.Errorf("all responses, newest first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{ids[1]}, listIDs(localdb.ResponseFilter{From: t0.Add(time.Hour), To: t0.Add(48 * time.Hour)})); diff != "" {
		t.Errorf("responses of the second day (-want +got):\n%s", diff)
	}

	if _, err := s.SetResponseStatus(ctx, ids[0], nps.Untreated.Open()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ids[0]}, listIDs(localdb.ResponseFilter{Status: nps.InProgress})); diff != "" {
		t.Errorf("responses in progress (-want +got):\n%s", diff)
	}
	reached := true
	if _, _, err := s.AddAction(ctx, ids[0], nps.Action{Kind: nps.ActionContactAttempt, Reached: &reached, Staff: "owner", At: t0.Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	r, closing, err := s.AddAction(ctx, ids[0], nps.Action{Kind: nps.ActionClose, Note: " Offered a coffee ", Staff: "owner", At: t0.Add(73 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != nps.Closed {
		t.Errorf("status after closing = %s, want closed", r.Status)
	}
	if _, _, err := s.AddAction(ctx, ids[0], nps.Action{Kind: nps.ActionComment, Note: "late", Staff: "owner", At: t0.Add(74 * time.Hour)}); !errors.Is(err, nps.ErrClosed) {
		t.Errorf("comment on a closed answer: err = %v, want ErrClosed", err)
	}
	actions, err := s.Actions(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 2 || !*actions[0].Reached || !cmp.Equal(actions[1], closing, cmpTimes) || closing.Note != "Offered a coffee" {
		t.Errorf("Actions = %+v, want the contact attempt then %+v", actions, closing)
	}
	stored, err := s.Response(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != nps.Closed {
		t.Errorf("stored status = %s, want closed", stored.Status)
	}
	var typesQueued []string
	for _, tk := range queued(t, s) {
		if tk[1] == ids[0] || tk[1] == closing.ID {
			typesQueued = append(typesQueued, tk[0])
		}
	}
	// The answer, its opening, its closing, and the closing follow-up itself.
	want := []string{localdb.TypeNPSResponse, localdb.TypeNPSResponse, localdb.TypeNPSAction, localdb.TypeNPSResponse}
	if diff := cmp.Diff(want, typesQueued); diff != "" {
		t.Errorf("queued changes of the answer (-want +got):\n%s", diff)
	}
}

func TestSaveNPSSettingsRefusesBadValues(t *testing.T) {
	s := mustOpen(t)
	for _, n := range []localdb.NPSSettings{{TTLMinutes: -1}, {IdleSeconds: 3}, {VisitHours: -2}} {
		if err := s.SaveNPSSettings(context.Background(), n); !errors.Is(err, localdb.ErrInvalidNPSSettings) {
			t.Errorf("SaveNPSSettings(%+v) = %v, want ErrInvalidNPSSettings", n, err)
		}
	}
}
