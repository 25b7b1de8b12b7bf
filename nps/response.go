package nps

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Lang is a language the kiosk asks the question in.
type Lang string

// The languages Merci speaks.
const (
	English             Lang = "en"
	French              Lang = "fr"
	BrazilianPortuguese Lang = "pt-BR"
)

func (l Lang) valid() bool { return l == English || l == French || l == BrazilianPortuguese }

// MaxComment is the most characters (runes) a comment may have: enough for a paragraph,
// short enough that a stuck key cannot fill the inbox.
const MaxComment = 2000

// ErrInvalidResponse means a response breaks a rule every stored response keeps.
var ErrInvalidResponse = errors.New("invalid response")

// Response is a customer's answer to an invitation: a score, an optional comment, and
// where the answer stands in the owner's inbox.
type Response struct {
	ID           string    `json:"id"` // UUIDv7
	InvitationID string    `json:"invitation_id"`
	PurchaseOpID string    `json:"purchase_op_id"`        // the loyalty operation the invitation followed
	CustomerID   string    `json:"customer_id,omitempty"` // empty when the purchase had no customer
	CardCode     string    `json:"card_code,omitempty"`   // the card shown, if any
	Score        int       `json:"score"`
	Comment      string    `json:"comment,omitempty"` // trimmed
	Lang         Lang      `json:"lang"`
	At           time.Time `json:"at"`
	Status       Status    `json:"status"`
	// Assignee is the staff member the answer was handed to; empty: nobody yet.
	Assignee string `json:"assignee,omitempty"`
}

// Validate checks the invariants every stored or received response keeps, whoever made
// it: the local store and the server both call it. A bad score is also ErrInvalidScore.
func (r Response) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrInvalidResponse, r.ID, fmt.Sprintf(format, args...))
	}
	if _, err := CategoryOf(r.Score); err != nil {
		return fmt.Errorf("%w %s: %w", ErrInvalidResponse, r.ID, err)
	}
	switch {
	case !isV7(r.ID):
		return bad("id is not a UUIDv7")
	case r.InvitationID == "":
		return bad("no invitation")
	case r.PurchaseOpID == "":
		return bad("no purchase")
	case r.CardCode != "" && r.CustomerID == "":
		return bad("a card but no customer")
	case strings.TrimSpace(r.Comment) != r.Comment:
		return bad("comment not trimmed")
	case utf8.RuneCountInString(r.Comment) > MaxComment:
		return bad("comment longer than %d characters", MaxComment)
	case !r.Lang.valid():
		return bad("unknown language %q", r.Lang)
	case r.At.IsZero():
		return bad("no time")
	case !r.Status.valid():
		return bad("unknown status %q", r.Status)
	}
	return nil
}

// newID returns a UUIDv7 stamped with at rather than the clock, so that this package never
// reads the clock. Two ids made in the same millisecond are unique but not ordered.
func newID(at time.Time) (string, error) {
	u, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	ms := uint64(at.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | u[6]&0x0f // version 7; NewRandom already set the RFC 9562 variant
	return u.String(), nil
}

func isV7(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.Version() == 7
}
