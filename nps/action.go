package nps

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a response stands in the owner's inbox.
type Status string

// Statuses: a new answer is untreated; opening it, or any follow-up, puts it in progress;
// closing ends it, and a closed answer can be reopened.
const (
	Untreated  Status = "untreated"
	InProgress Status = "in_progress"
	Closed     Status = "closed"
)

func (s Status) valid() bool { return s == Untreated || s == InProgress || s == Closed }

// ActionKind says what a follow-up of a response did.
type ActionKind string

// The kinds of follow-up. Each carries an optional note, so "comment and close" is one
// ActionClose with a note, and "comment and keep open" one ActionComment.
const (
	ActionContactAttempt ActionKind = "contact_attempt" // a call; Reached says whether it got through
	ActionComment        ActionKind = "comment"
	ActionEmail          ActionKind = "email"
	ActionClose          ActionKind = "close"
	ActionReopen         ActionKind = "reopen"
)

func (k ActionKind) valid() bool {
	switch k {
	case ActionContactAttempt, ActionComment, ActionEmail, ActionClose, ActionReopen:
		return true
	}
	return false
}

// Errors about follow-ups.
var (
	ErrInvalidAction = errors.New("invalid follow-up")
	ErrClosed        = errors.New("the answer is closed: reopen it first")
	ErrNotClosed     = errors.New("only a closed answer can be reopened")
	ErrWrongResponse = errors.New("the follow-up belongs to another answer")
)

// Open returns the status of a response once the owner opens it: an untreated answer
// moves to in progress, any other keeps its status.
func (s Status) Open() Status {
	if s == Untreated {
		return InProgress
	}
	return s
}

// Next returns the status after an action of kind k, or why k is not allowed now (the
// inbox greys out such buttons). Acting on an untreated answer opens it first.
func (s Status) Next(k ActionKind) (Status, error) {
	switch {
	case !k.valid():
		return s, fmt.Errorf("%w: unknown kind %q", ErrInvalidAction, k)
	case k == ActionReopen && s != Closed:
		return s, ErrNotClosed
	case k == ActionReopen:
		return InProgress, nil
	case s == Closed:
		return s, ErrClosed
	case k == ActionClose:
		return Closed, nil
	}
	return InProgress, nil
}

// Action is one follow-up of a response, kept in its history.
type Action struct {
	ID         string     `json:"id"` // UUIDv7
	ResponseID string     `json:"response_id"`
	Kind       ActionKind `json:"kind"`
	Reached    *bool      `json:"reached,omitempty"` // contact attempts only: did the call get through
	Note       string     `json:"note,omitempty"`    // trimmed
	Staff      string     `json:"staff"`
	At         time.Time  `json:"at"`
}

// Validate checks the invariants every stored or received action keeps.
func (a Action) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrInvalidAction, a.ID, fmt.Sprintf(format, args...))
	}
	switch {
	case !isV7(a.ID):
		return bad("id is not a UUIDv7")
	case a.ResponseID == "":
		return bad("no response")
	case a.Staff == "":
		return bad("no staff member")
	case a.At.IsZero():
		return bad("no time")
	case strings.TrimSpace(a.Note) != a.Note:
		return bad("note not trimmed")
	case utf8.RuneCountInString(a.Note) > MaxComment:
		return bad("note longer than %d characters", MaxComment)
	case (a.Kind == ActionContactAttempt) != (a.Reached != nil):
		return bad("a contact attempt, and only it, says whether the customer was reached")
	case !a.Kind.valid():
		return bad("unknown kind %q", a.Kind)
	case a.Kind == ActionComment && a.Note == "":
		return bad("a comment needs a note")
	}
	return nil
}

// Act applies the follow-up draft to r: draft gives Kind, Staff, At, and Note and
// Reached as the kind needs; Act fills ID and ResponseID and trims the note. It returns r
// with its new status and the action to keep in r's history.
func (r Response) Act(draft Action) (Response, Action, error) {
	next, err := r.Status.Next(draft.Kind)
	if err != nil {
		return Response{}, Action{}, err
	}
	if draft.ResponseID != "" && draft.ResponseID != r.ID {
		return Response{}, Action{}, ErrWrongResponse
	}
	a := draft
	a.ResponseID = r.ID
	a.Note = strings.TrimSpace(a.Note)
	if a.ID, err = newID(a.At); err != nil {
		return Response{}, Action{}, fmt.Errorf("follow-up: %w", err)
	}
	if err := a.Validate(); err != nil {
		return Response{}, Action{}, err
	}
	r.Status = next
	return r, a, nil
}
