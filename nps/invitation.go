package nps

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults of a zero Policy.
const (
	DefaultTTL         = 5 * time.Minute
	DefaultThrottle    = 30 * 24 * time.Hour // Delighted's shortest; see domain notes
	DefaultVisitLimit  = 1
	DefaultVisitWindow = 24 * time.Hour
)

// Policy is the owner's settings for inviting customers. A zero field takes its default.
type Policy struct {
	// TTL is how long after a purchase the kiosk accepts its answer.
	TTL time.Duration
	// Throttle is how long a customer is not asked again after being invited.
	Throttle time.Duration
	// VisitLimit self-service visits per card are credited in any VisitWindow; the window
	// rolls (like a delay between stamps) rather than following the calendar, so a visit
	// at 23:59 and another at 00:01 are not two days' visits.
	VisitLimit  int
	VisitWindow time.Duration
}

// Errors about invitations and visits.
var (
	ErrInvalidPolicy     = errors.New("invalid survey settings")
	ErrExpired           = errors.New("the survey has expired")
	ErrAlreadyAnswered   = errors.New("the survey was already answered")
	ErrVisitLimit        = errors.New("visit already counted")
	ErrInvalidInvitation = errors.New("invalid invitation")
)

// Validate reports a setting that cannot be used, wrapped in ErrInvalidPolicy.
func (p Policy) Validate() error {
	if p.TTL < 0 || p.Throttle < 0 || p.VisitLimit < 0 || p.VisitWindow < 0 {
		return fmt.Errorf("%w: durations and limits cannot be negative", ErrInvalidPolicy)
	}
	return nil
}

func orDefault[T time.Duration | int](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Invitation is the kiosk's question after a purchase. It can be answered once, until it
// expires.
type Invitation struct {
	ID           string    `json:"id"` // UUIDv7
	PurchaseOpID string    `json:"purchase_op_id"`
	CustomerID   string    `json:"customer_id,omitempty"`
	CardCode     string    `json:"card_code,omitempty"`
	Device       string    `json:"device"`
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Invite makes the invitation that follows the loyalty operation purchaseOpID, made on
// device at now. customerID and cardCode may be empty for a purchase without a customer.
func (p Policy) Invite(purchaseOpID, customerID, cardCode, device string, now time.Time) (Invitation, error) {
	if err := p.Validate(); err != nil {
		return Invitation{}, err
	}
	switch {
	case purchaseOpID == "":
		return Invitation{}, fmt.Errorf("%w: no purchase", ErrInvalidInvitation)
	case device == "":
		return Invitation{}, fmt.Errorf("%w: no device", ErrInvalidInvitation)
	case cardCode != "" && customerID == "":
		return Invitation{}, fmt.Errorf("%w: a card but no customer", ErrInvalidInvitation)
	case now.IsZero():
		return Invitation{}, fmt.Errorf("%w: no time", ErrInvalidInvitation)
	}
	id, err := newID(now)
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	return Invitation{
		ID:           id,
		PurchaseOpID: purchaseOpID,
		CustomerID:   customerID,
		CardCode:     cardCode,
		Device:       device,
		CreatedAt:    now,
		ExpiresAt:    now.Add(orDefault(p.TTL, DefaultTTL)),
	}, nil
}

// CheckAnswer reports why inv cannot be answered at now: ErrAlreadyAnswered if answered
// says it has a response, ErrExpired from ExpiresAt on.
func (inv Invitation) CheckAnswer(answered bool, now time.Time) error {
	if answered {
		return ErrAlreadyAnswered
	}
	if !now.Before(inv.ExpiresAt) {
		return ErrExpired
	}
	return nil
}

// Answer makes the response to inv given at now, untreated. answered says whether inv
// already has a response. The comment is trimmed.
func (inv Invitation) Answer(score int, comment string, lang Lang, answered bool, now time.Time) (Response, error) {
	if err := inv.CheckAnswer(answered, now); err != nil {
		return Response{}, err
	}
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxComment {
		return Response{}, fmt.Errorf("%w: the comment has %d characters, the most is %d", ErrInvalidResponse, n, MaxComment)
	}
	id, err := newID(now)
	if err != nil {
		return Response{}, fmt.Errorf("answer: %w", err)
	}
	r := Response{
		ID:           id,
		InvitationID: inv.ID,
		PurchaseOpID: inv.PurchaseOpID,
		CustomerID:   inv.CustomerID,
		CardCode:     inv.CardCode,
		Score:        score,
		Comment:      comment,
		Lang:         lang,
		At:           now,
		Status:       Untreated,
	}
	if err := r.Validate(); err != nil {
		return Response{}, err
	}
	return r, nil
}

// ShouldInvite reports whether a customer last invited at last (the zero time if never)
// may be invited at now. A last time in the future (a clock set back) does not invite.
func (p Policy) ShouldInvite(last, now time.Time) bool {
	return last.IsZero() || now.Sub(last) >= orDefault(p.Throttle, DefaultThrottle)
}

// CheckVisit reports ErrVisitLimit if a card whose earlier self-service visits were at
// previous may not be credited another visit at now. Visits after now (another device's
// clock ahead) count, so a skewed clock cannot add visits.
func (p Policy) CheckVisit(previous []time.Time, now time.Time) error {
	window, limit := orDefault(p.VisitWindow, DefaultVisitWindow), orDefault(p.VisitLimit, DefaultVisitLimit)
	n := 0
	for _, t := range previous {
		if now.Sub(t) < window {
			n++
		}
	}
	if n >= limit {
		return fmt.Errorf("%w: %d in the last %s, the most is %d", ErrVisitLimit, n, window, limit)
	}
	return nil
}
