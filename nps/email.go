package nps

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Defaults and bounds of the survey by email.
const (
	// DefaultEmailDelay is how long after a purchase the invitation goes by email when
	// the kiosk got no answer: the customer is home, the visit still fresh.
	DefaultEmailDelay = 2 * time.Hour
	// EmailMaxAge is the oldest purchase an email asks about: turning the survey on, or
	// a server back after an outage, never asks about last month's coffee.
	EmailMaxAge = 3 * 24 * time.Hour
	// LinkTTL is how long an emailed link can be answered.
	LinkTTL = 7 * 24 * time.Hour
)

// EmailPolicy is the owner's settings of the survey by email. A zero Delay or
// Throttle takes its default.
type EmailPolicy struct {
	Enabled  bool
	Delay    time.Duration
	Throttle time.Duration // the kiosk's: one invitation per customer in this period
}

// EmailCandidate is what the rules read of an invitation the counter made.
type EmailCandidate struct {
	InvitedAt  time.Time // the purchase's time
	KioskUntil time.Time // the kiosk's answer window ends (Invitation.ExpiresAt)
	Answered   bool      // on the kiosk, or by an earlier link
	Email      string    // the customer's, "" if none or no customer
	Consent    bool
	// Unsubscribed: the customer asked for no more surveys by email.
	Unsubscribed bool
	// LastEmailed is when the customer was last sent a survey by email; zero if never.
	LastEmailed time.Time
}

// EmailDecision is what becomes of an invitation at a scan.
type EmailDecision int

// Decisions of EmailPolicy.Decide.
const (
	EmailWait EmailDecision = iota // not yet due: look again later
	EmailSend                      // send the invitation now
	EmailSkip                      // never send it; the reason says why
)

// Decide says whether the invitation c is emailed at now, and why not when it is
// skipped. The order matters: an answered or refused invitation is skipped even
// before it is due, so that it leaves the scan at once.
func (p EmailPolicy) Decide(c EmailCandidate, now time.Time) (EmailDecision, string) {
	due := c.InvitedAt.Add(orDefault(p.Delay, DefaultEmailDelay))
	if c.KioskUntil.After(due) {
		due = c.KioskUntil // never while the kiosk may still be answered
	}
	switch {
	case !p.Enabled:
		return EmailSkip, "surveys by email are off"
	case c.Answered:
		return EmailSkip, "already answered"
	case c.Email == "":
		return EmailSkip, "no email address"
	case !c.Consent:
		return EmailSkip, "no consent to be contacted"
	case c.Unsubscribed:
		return EmailSkip, "unsubscribed from surveys"
	case now.Sub(c.InvitedAt) > EmailMaxAge:
		return EmailSkip, "the purchase is too old"
	case !c.LastEmailed.IsZero() && now.Sub(c.LastEmailed) < orDefault(p.Throttle, DefaultThrottle):
		return EmailSkip, "surveyed by email recently"
	case now.Before(due):
		return EmailWait, ""
	}
	return EmailSend, ""
}

// AnswerByLink makes the response to inv given through its emailed link at now. Its id
// derives from the invitation's, so that a form submitted twice is one answer
// wherever it lands; it carries the invitation's time, so it sorts with it.
func AnswerByLink(inv Invitation, score int, comment string, lang Lang, now time.Time) (Response, error) {
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxComment {
		return Response{}, fmt.Errorf("%w: the comment has %d characters, the most is %d", ErrInvalidResponse, n, MaxComment)
	}
	id, err := linkResponseID(inv.ID)
	if err != nil {
		return Response{}, err
	}
	r := Response{ID: id, InvitationID: inv.ID, PurchaseOpID: inv.PurchaseOpID, CustomerID: inv.CustomerID,
		CardCode: inv.CardCode, Score: score, Comment: comment, Lang: lang, At: now, Status: Untreated}
	if err := r.Validate(); err != nil {
		return Response{}, err
	}
	return r, nil
}

// linkResponseID returns the UUIDv7 of the answer by link to the invitation with id:
// the invitation's time, then bits of a hash of its id.
func linkResponseID(invitationID string) (string, error) {
	inv, err := uuid.Parse(invitationID)
	if err != nil || inv.Version() != 7 {
		return "", fmt.Errorf("%w: invitation %q is not a UUIDv7", ErrInvalidInvitation, invitationID)
	}
	sum := sha256.Sum256([]byte("merci survey link answer " + invitationID))
	var u uuid.UUID
	copy(u[:6], inv[:6])
	copy(u[6:], sum[:10])
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u.String(), nil
}
