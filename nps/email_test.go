package nps_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/nps"
)

func TestEmailDecide(t *testing.T) {
	on := nps.EmailPolicy{Enabled: true}
	ready := nps.EmailCandidate{InvitedAt: t0, KioskUntil: t0.Add(5 * time.Minute), Email: "alice@example.com", Consent: true}
	with := func(edit func(*nps.EmailCandidate)) nps.EmailCandidate {
		c := ready
		edit(&c)
		return c
	}
	tests := []struct {
		name string
		p    nps.EmailPolicy
		c    nps.EmailCandidate
		now  time.Time
		want nps.EmailDecision
	}{
		{"due after the default 2 hours", on, ready, t0.Add(2 * time.Hour), nps.EmailSend},
		{"not yet", on, ready, t0.Add(2*time.Hour - time.Millisecond), nps.EmailWait},
		{"the owner's delay", nps.EmailPolicy{Enabled: true, Delay: 30 * time.Minute}, ready, t0.Add(30 * time.Minute), nps.EmailSend},
		{"never while the kiosk may answer", nps.EmailPolicy{Enabled: true, Delay: time.Minute}, ready, t0.Add(4 * time.Minute), nps.EmailWait},
		{"off", nps.EmailPolicy{}, ready, t0.Add(3 * time.Hour), nps.EmailSkip},
		{"answered on the kiosk", on, with(func(c *nps.EmailCandidate) { c.Answered = true }), t0.Add(time.Minute), nps.EmailSkip},
		{"no email", on, with(func(c *nps.EmailCandidate) { c.Email = "" }), t0.Add(3 * time.Hour), nps.EmailSkip},
		{"no consent", on, with(func(c *nps.EmailCandidate) { c.Consent = false }), t0.Add(3 * time.Hour), nps.EmailSkip},
		{"unsubscribed", on, with(func(c *nps.EmailCandidate) { c.Unsubscribed = true }), t0.Add(3 * time.Hour), nps.EmailSkip},
		{"too old", on, ready, t0.Add(nps.EmailMaxAge + time.Millisecond), nps.EmailSkip},
		{"emailed 29 days ago", on, with(func(c *nps.EmailCandidate) { c.LastEmailed = t0.Add(-29 * 24 * time.Hour) }), t0.Add(3 * time.Hour), nps.EmailSkip},
		{"emailed 30 days ago", on, with(func(c *nps.EmailCandidate) { c.LastEmailed = t0.Add(-30*24*time.Hour + 2*time.Hour) }), t0.Add(2 * time.Hour), nps.EmailSend},
		{"the owner's throttle", nps.EmailPolicy{Enabled: true, Throttle: 7 * 24 * time.Hour},
			with(func(c *nps.EmailCandidate) { c.LastEmailed = t0.Add(-8 * 24 * time.Hour) }), t0.Add(2 * time.Hour), nps.EmailSend},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, why := tc.p.Decide(tc.c, tc.now)
			if got != tc.want {
				t.Errorf("Decide = %v (%q), want %v", got, why, tc.want)
			}
			if (got == nps.EmailSkip) != (why != "") {
				t.Errorf("Decide = %v with reason %q: a skip, and only a skip, says why", got, why)
			}
		})
	}
}

func TestAnswerByLink(t *testing.T) {
	inv := invite(t, nps.Policy{})
	r, err := nps.AnswerByLink(inv, 9, "  Lovely croissants ", nps.French, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatalf("AnswerByLink: %v", err)
	}
	again, err := nps.AnswerByLink(inv, 9, "Lovely croissants", nps.French, t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != again.ID {
		t.Errorf("two answers to one link have ids %s and %s, want one", r.ID, again.ID)
	}
	if id := uuid.MustParse(r.ID); id.Version() != 7 || id.Variant() != uuid.RFC4122 {
		t.Errorf("id %s is not a UUIDv7", r.ID)
	}
	if r.Comment != "Lovely croissants" || r.InvitationID != inv.ID || r.CardCode != inv.CardCode || r.Status != nps.Untreated {
		t.Errorf("AnswerByLink = %+v", r)
	}
	other := invite(t, nps.Policy{})
	if o, _ := nps.AnswerByLink(other, 9, "", nps.French, t0); o.ID == r.ID {
		t.Errorf("answers to two invitations share id %s", r.ID)
	}
	if _, err := nps.AnswerByLink(inv, 11, "", nps.French, t0); !errors.Is(err, nps.ErrInvalidScore) {
		t.Errorf("score 11: err = %v, want ErrInvalidScore", err)
	}
}
