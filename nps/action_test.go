package nps_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/merci-loyalty/merci/nps"
)

func TestStatusOpen(t *testing.T) {
	for _, tt := range []struct{ from, want nps.Status }{
		{nps.Untreated, nps.InProgress},
		{nps.InProgress, nps.InProgress},
		{nps.Closed, nps.Closed},
	} {
		if got := tt.from.Open(); got != tt.want {
			t.Errorf("%q.Open() = %q, want %q", tt.from, got, tt.want)
		}
	}
}

func TestStatusNext(t *testing.T) {
	tests := []struct {
		from    nps.Status
		kind    nps.ActionKind
		want    nps.Status
		wantErr error
	}{
		{nps.Untreated, nps.ActionComment, nps.InProgress, nil},
		{nps.Untreated, nps.ActionContactAttempt, nps.InProgress, nil},
		{nps.Untreated, nps.ActionEmail, nps.InProgress, nil},
		{nps.Untreated, nps.ActionClose, nps.Closed, nil},
		{nps.Untreated, nps.ActionReopen, nps.Untreated, nps.ErrNotClosed},
		{nps.InProgress, nps.ActionComment, nps.InProgress, nil},
		{nps.InProgress, nps.ActionContactAttempt, nps.InProgress, nil},
		{nps.InProgress, nps.ActionEmail, nps.InProgress, nil},
		{nps.InProgress, nps.ActionClose, nps.Closed, nil},
		{nps.InProgress, nps.ActionReopen, nps.InProgress, nps.ErrNotClosed},
		{nps.Closed, nps.ActionReopen, nps.InProgress, nil},
		{nps.Closed, nps.ActionComment, nps.Closed, nps.ErrClosed},
		{nps.Closed, nps.ActionContactAttempt, nps.Closed, nps.ErrClosed},
		{nps.Closed, nps.ActionEmail, nps.Closed, nps.ErrClosed},
		{nps.Closed, nps.ActionClose, nps.Closed, nps.ErrClosed},
		{nps.InProgress, "open", nps.InProgress, nps.ErrInvalidAction},
	}
	for _, tt := range tests {
		got, err := tt.from.Next(tt.kind)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("%q.Next(%q) = %q, %v, want %q, %v", tt.from, tt.kind, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAct(t *testing.T) {
	r := validResponse(t)
	at := t0.Add(time.Hour)
	reached := false

	// A call that did not get through, then "comment and close", then a reopening.
	r1, call, err := r.Act(nps.Action{Kind: nps.ActionContactAttempt, Reached: &reached, Staff: "owner", At: at})
	if err != nil {
		t.Fatalf("Act(contact attempt): %v", err)
	}
	if r1.Status != nps.InProgress || r.Status != nps.Untreated {
		t.Errorf("after a call, status = %q (original %q), want %q (original %q)", r1.Status, r.Status, nps.InProgress, nps.Untreated)
	}
	want := nps.Action{ID: call.ID, ResponseID: r.ID, Kind: nps.ActionContactAttempt, Reached: &reached, Staff: "owner", At: at}
	if diff := cmp.Diff(want, call); diff != "" {
		t.Errorf("Act(contact attempt) action mismatch (-want +got):\n%s", diff)
	}
	if err := call.Validate(); err != nil {
		t.Errorf("Act made an invalid action: %v", err)
	}

	r2, closing, err := r1.Act(nps.Action{Kind: nps.ActionClose, Note: " Called back, offered a coffee. ", Staff: "owner", At: at.Add(time.Hour)})
	if err != nil {
		t.Fatalf("Act(close): %v", err)
	}
	if r2.Status != nps.Closed || closing.Note != "Called back, offered a coffee." {
		t.Errorf("after closing with a note, status = %q, note = %q", r2.Status, closing.Note)
	}
	if closing.ID == call.ID {
		t.Errorf("two actions share id %s", call.ID)
	}

	if _, _, err := r2.Act(nps.Action{Kind: nps.ActionComment, Note: "more", Staff: "owner", At: at}); err != nps.ErrClosed {
		t.Errorf("Act(comment) on a closed answer = %v, want %v", err, nps.ErrClosed)
	}
	r3, _, err := r2.Act(nps.Action{Kind: nps.ActionReopen, Staff: "owner", At: at.Add(2 * time.Hour)})
	if err != nil || r3.Status != nps.InProgress {
		t.Errorf("Act(reopen) = %q, %v, want %q, nil", r3.Status, err, nps.InProgress)
	}
}

func TestActRefuses(t *testing.T) {
	r := validResponse(t)
	yes := true
	tests := []struct {
		name  string
		draft nps.Action
		want  error
	}{
		{"comment without note", nps.Action{Kind: nps.ActionComment, Note: "  ", Staff: "s", At: t0}, nps.ErrInvalidAction},
		{"call without outcome", nps.Action{Kind: nps.ActionContactAttempt, Staff: "s", At: t0}, nps.ErrInvalidAction},
		{"email with an outcome", nps.Action{Kind: nps.ActionEmail, Reached: &yes, Staff: "s", At: t0}, nps.ErrInvalidAction},
		{"no staff", nps.Action{Kind: nps.ActionClose, At: t0}, nps.ErrInvalidAction},
		{"no time", nps.Action{Kind: nps.ActionClose, Staff: "s"}, nps.ErrInvalidAction},
		{"unknown kind", nps.Action{Kind: "delete", Staff: "s", At: t0}, nps.ErrInvalidAction},
		{"another response", nps.Action{ResponseID: "other", Kind: nps.ActionClose, Staff: "s", At: t0}, nps.ErrWrongResponse},
		{"reopen an open answer", nps.Action{Kind: nps.ActionReopen, Staff: "s", At: t0}, nps.ErrNotClosed},
	}
	for _, tt := range tests {
		got, a, err := r.Act(tt.draft)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Act() error = %v, want %v", tt.name, err, tt.want)
		}
		if got.Status != "" || a.ID != "" {
			t.Errorf("%s: Act() returned %q and action %q with an error", tt.name, got.Status, a.ID)
		}
	}
}
