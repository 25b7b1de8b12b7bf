package nps_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/merci-loyalty/merci/nps"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 123e6, time.UTC)

func invite(t *testing.T, p nps.Policy) nps.Invitation {
	t.Helper()
	inv, err := p.Invite("op-1", "cust-1", "K7QM2XRT9PC", "till-1", t0)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	return inv
}

func TestInvite(t *testing.T) {
	inv := invite(t, nps.Policy{})
	id, err := uuid.Parse(inv.ID)
	if err != nil || id.Version() != 7 {
		t.Fatalf("Invite().ID = %q, want a UUIDv7", inv.ID)
	}
	// The id carries the time passed in, to the millisecond, not the clock's.
	if sec, nsec := id.Time().UnixTime(); !time.Unix(sec, nsec).Equal(t0) {
		t.Errorf("Invite().ID time = %v, want %v", time.Unix(sec, nsec).UTC(), t0)
	}
	want := nps.Invitation{ID: inv.ID, PurchaseOpID: "op-1", CustomerID: "cust-1", CardCode: "K7QM2XRT9PC",
		Device: "till-1", CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
	if diff := cmp.Diff(want, inv); diff != "" {
		t.Errorf("Invite() mismatch (-want +got):\n%s", diff)
	}
	if got := invite(t, nps.Policy{TTL: time.Minute}).ExpiresAt; !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("Invite() with TTL 1m expires at %v, want %v", got, t0.Add(time.Minute))
	}
	if other := invite(t, nps.Policy{}); other.ID == inv.ID {
		t.Errorf("two invitations at the same time share id %s", inv.ID)
	}
}

func TestInviteRefuses(t *testing.T) {
	tests := []struct {
		name                   string
		p                      nps.Policy
		op, cust, card, device string
		now                    time.Time
		want                   error
	}{
		{"no purchase", nps.Policy{}, "", "c", "K", "d", t0, nps.ErrInvalidInvitation},
		{"no device", nps.Policy{}, "op", "c", "K", "", t0, nps.ErrInvalidInvitation},
		{"card without customer", nps.Policy{}, "op", "", "K", "d", t0, nps.ErrInvalidInvitation},
		{"no time", nps.Policy{}, "op", "c", "K", "d", time.Time{}, nps.ErrInvalidInvitation},
		{"negative TTL", nps.Policy{TTL: -time.Minute}, "op", "c", "K", "d", t0, nps.ErrInvalidPolicy},
		{"anonymous purchase", nps.Policy{}, "op", "", "", "d", t0, nil},
	}
	for _, tt := range tests {
		_, err := tt.p.Invite(tt.op, tt.cust, tt.card, tt.device, tt.now)
		if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("%s: Invite() error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCheckAnswer(t *testing.T) {
	inv := invite(t, nps.Policy{})
	tests := []struct {
		answered bool
		after    time.Duration
		want     error
	}{
		{false, 0, nil},
		{false, 4*time.Minute + 59*time.Second, nil},
		{false, 5 * time.Minute, nps.ErrExpired},
		{false, time.Hour, nps.ErrExpired},
		{true, time.Minute, nps.ErrAlreadyAnswered},
		{true, time.Hour, nps.ErrAlreadyAnswered}, // the more useful reason
	}
	for _, tt := range tests {
		if err := inv.CheckAnswer(tt.answered, t0.Add(tt.after)); err != tt.want {
			t.Errorf("CheckAnswer(%t, created+%v) = %v, want %v", tt.answered, tt.after, err, tt.want)
		}
	}
}

func TestAnswer(t *testing.T) {
	inv := invite(t, nps.Policy{})
	at := t0.Add(time.Minute)
	r, err := inv.Answer(9, "  Great coffee!\n", nps.French, false, at)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("Answer() made an invalid response: %v", err)
	}
	want := nps.Response{ID: r.ID, InvitationID: inv.ID, PurchaseOpID: "op-1", CustomerID: "cust-1",
		CardCode: "K7QM2XRT9PC", Score: 9, Comment: "Great coffee!", Lang: nps.French, At: at, Status: nps.Untreated}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("Answer() mismatch (-want +got):\n%s", diff)
	}

	refusals := []struct {
		name     string
		score    int
		comment  string
		lang     nps.Lang
		answered bool
		at       time.Time
		want     error
	}{
		{"score 11", 11, "", nps.English, false, at, nps.ErrInvalidScore},
		{"score -1", -1, "", nps.English, false, at, nps.ErrInvalidScore},
		{"unknown language", 5, "", "de", false, at, nps.ErrInvalidResponse},
		{"comment too long", 5, strings.Repeat("é", nps.MaxComment+1), nps.English, false, at, nps.ErrInvalidResponse},
		{"expired", 5, "", nps.English, false, t0.Add(5 * time.Minute), nps.ErrExpired},
		{"answered twice", 5, "", nps.English, true, at, nps.ErrAlreadyAnswered},
	}
	for _, tt := range refusals {
		if _, err := inv.Answer(tt.score, tt.comment, tt.lang, tt.answered, tt.at); !errors.Is(err, tt.want) {
			t.Errorf("%s: Answer() error = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := inv.Answer(5, strings.Repeat("é", nps.MaxComment)+"  ", nps.BrazilianPortuguese, false, at); err != nil {
		t.Errorf("Answer() with a comment of %d characters and trailing spaces: %v", nps.MaxComment, err)
	}
}

func TestShouldInvite(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name     string
		throttle time.Duration
		last     time.Time
		want     bool
	}{
		{"never invited", 0, time.Time{}, true},
		{"29 days ago", 0, t0.Add(-29 * day), false},
		{"just under 30 days ago", 0, t0.Add(-30*day + time.Second), false},
		{"30 days ago", 0, t0.Add(-30 * day), true},
		{"a year ago", 0, t0.Add(-365 * day), true},
		{"clock set back", 0, t0.Add(time.Hour), false},
		{"90-day throttle, 60 days ago", 90 * day, t0.Add(-60 * day), false},
		{"90-day throttle, 90 days ago", 90 * day, t0.Add(-90 * day), true},
	}
	for _, tt := range tests {
		if got := (nps.Policy{Throttle: tt.throttle}).ShouldInvite(tt.last, t0); got != tt.want {
			t.Errorf("%s: ShouldInvite(%v, %v) = %t, want %t", tt.name, tt.last, t0, got, tt.want)
		}
	}
}

func TestCheckVisit(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name     string
		p        nps.Policy
		previous []time.Duration // before t0
		want     error
	}{
		{"first visit", nps.Policy{}, nil, nil},
		{"23h after the last", nps.Policy{}, []time.Duration{23 * h}, nps.ErrVisitLimit},
		{"24h after the last", nps.Policy{}, []time.Duration{24 * h}, nil},
		{"a visit ahead on another clock", nps.Policy{}, []time.Duration{-h}, nps.ErrVisitLimit},
		{"limit 2, one today", nps.Policy{VisitLimit: 2}, []time.Duration{h, 30 * h}, nil},
		{"limit 2, two today", nps.Policy{VisitLimit: 2}, []time.Duration{h, 2 * h}, nps.ErrVisitLimit},
		{"weekly window", nps.Policy{VisitWindow: 7 * 24 * h}, []time.Duration{100 * h}, nps.ErrVisitLimit},
	}
	for _, tt := range tests {
		var previous []time.Time
		for _, ago := range tt.previous {
			previous = append(previous, t0.Add(-ago))
		}
		if err := tt.p.CheckVisit(previous, t0); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("%s: CheckVisit() = %v, want %v", tt.name, err, tt.want)
		}
	}
}
