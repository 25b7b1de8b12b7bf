package ui

import (
	"context"
	"time"

	"github.com/merci-loyalty/merci/nps"
)

// Answers is where the owner's desk reads the customers' NPS answers and keeps their
// follow-ups: the kiosk's storage, wired with SetAnswers. Times are instants; a period is
// [from, to).
type Answers interface {
	// Responses returns the answers given in [from, to), newest first.
	Responses(ctx context.Context, from, to time.Time) ([]nps.Response, error)
	// Invitations counts the invitations made in [from, to), for the answer rate.
	Invitations(ctx context.Context, from, to time.Time) (int, error)
	// Inbox returns the answers in status, or all of them for "", newest first.
	Inbox(ctx context.Context, status nps.Status) ([]nps.Response, error)
	// SetResponseStatus changes an answer's status, as opening it does.
	SetResponseStatus(ctx context.Context, id string, status nps.Status) (nps.Response, error)
	// AddAction applies a follow-up (see nps.Response.Act) and keeps it in the history.
	AddAction(ctx context.Context, responseID string, draft nps.Action) (nps.Response, nps.Action, error)
	// Actions returns an answer's follow-ups, oldest first.
	Actions(ctx context.Context, responseID string) ([]nps.Action, error)
}

// SetAnswers wires the storage of NPS answers into the owner's desk. Without it the desk
// shows its loyalty half only.
func (u *UI) SetAnswers(a Answers) { u.answers = a }
