package ui

import (
	"context"
	"time"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// Answers is where the owner's desk reads the customers' NPS answers and keeps their
// follow-ups: the kiosk's storage in the local database (storeAnswers). An interface, so
// that the desk depends on what it reads, not on how the kiosk stores it. Times are
// instants; a period is [from, to).
type Answers interface {
	// Figures returns what the answers given in [from, to) say, in total and by period p
	// (see localdb.Store.NPSFigures).
	Figures(ctx context.Context, from, to time.Time, p nps.Period) (nps.Summary, []nps.Bucket, error)
	// Invitations counts the invitations made in [from, to), for the answer rate.
	Invitations(ctx context.Context, from, to time.Time) (int, error)
	// Inbox returns the answers f selects, newest first.
	Inbox(ctx context.Context, f localdb.ResponseFilter) ([]nps.Response, error)
	// Counts counts the answers f selects by status, whatever its status says.
	Counts(ctx context.Context, f localdb.ResponseFilter) (map[nps.Status]int, error)
	// SetResponseStatus changes an answer's status, as opening it does.
	SetResponseStatus(ctx context.Context, id string, status nps.Status) (nps.Response, error)
	// AddAction applies a follow-up (see nps.Response.Act) and keeps it in the history.
	AddAction(ctx context.Context, responseID string, draft nps.Action) (nps.Response, nps.Action, error)
	// Actions returns an answer's follow-ups, oldest first.
	Actions(ctx context.Context, responseID string) ([]nps.Action, error)
}

// storeAnswers reads the answers the kiosk stored in the local database.
type storeAnswers struct{ s *localdb.Store }

func (a storeAnswers) Figures(ctx context.Context, from, to time.Time, p nps.Period) (nps.Summary, []nps.Bucket, error) {
	return a.s.NPSFigures(ctx, from, to, p)
}

func (a storeAnswers) Invitations(ctx context.Context, from, to time.Time) (int, error) {
	return a.s.Invitations(ctx, from, to)
}

func (a storeAnswers) Inbox(ctx context.Context, f localdb.ResponseFilter) ([]nps.Response, error) {
	return a.s.Responses(ctx, f)
}

func (a storeAnswers) Counts(ctx context.Context, f localdb.ResponseFilter) (map[nps.Status]int, error) {
	return a.s.CountResponses(ctx, f)
}

func (a storeAnswers) SetResponseStatus(ctx context.Context, id string, status nps.Status) (nps.Response, error) {
	return a.s.SetResponseStatus(ctx, id, status)
}

func (a storeAnswers) AddAction(ctx context.Context, id string, draft nps.Action) (nps.Response, nps.Action, error) {
	return a.s.AddAction(ctx, id, draft)
}

func (a storeAnswers) Actions(ctx context.Context, id string) ([]nps.Action, error) {
	return a.s.Actions(ctx, id)
}
