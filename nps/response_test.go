package nps_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/nps"
)

func validResponse(t *testing.T) nps.Response {
	t.Helper()
	r, err := invite(t, nps.Policy{}).Answer(3, "Too long a wait", nps.English, false, t0.Add(time.Minute))
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	return r
}

func TestResponseValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*nps.Response)
		want   error
	}{
		{"valid", func(*nps.Response) {}, nil},
		{"score 0", func(r *nps.Response) { r.Score = 0 }, nil},
		{"score 10", func(r *nps.Response) { r.Score = 10 }, nil},
		{"no comment", func(r *nps.Response) { r.Comment = "" }, nil},
		{"anonymous", func(r *nps.Response) { r.CustomerID, r.CardCode = "", "" }, nil},
		{"closed", func(r *nps.Response) { r.Status = nps.Closed }, nil},
		{"score -1", func(r *nps.Response) { r.Score = -1 }, nps.ErrInvalidScore},
		{"score 11", func(r *nps.Response) { r.Score = 11 }, nps.ErrInvalidScore},
		{"UUIDv4 id", func(r *nps.Response) { r.ID = "0b3e1d5c-7e0a-4c8f-9a51-2f4b6d8e0c1a" }, nps.ErrInvalidResponse},
		{"no invitation", func(r *nps.Response) { r.InvitationID = "" }, nps.ErrInvalidResponse},
		{"no purchase", func(r *nps.Response) { r.PurchaseOpID = "" }, nps.ErrInvalidResponse},
		{"card without customer", func(r *nps.Response) { r.CustomerID = "" }, nps.ErrInvalidResponse},
		{"untrimmed comment", func(r *nps.Response) { r.Comment = " slow" }, nps.ErrInvalidResponse},
		{"comment too long", func(r *nps.Response) { r.Comment = strings.Repeat("a", nps.MaxComment+1) }, nps.ErrInvalidResponse},
		{"lang pt", func(r *nps.Response) { r.Lang = "pt" }, nps.ErrInvalidResponse},
		{"no time", func(r *nps.Response) { r.At = time.Time{} }, nps.ErrInvalidResponse},
		{"unknown status", func(r *nps.Response) { r.Status = "done" }, nps.ErrInvalidResponse},
	}
	for _, tt := range tests {
		r := validResponse(t)
		tt.change(&r)
		err := r.Validate()
		if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, err, tt.want)
		}
		if err != nil && !errors.Is(err, nps.ErrInvalidResponse) {
			t.Errorf("%s: Validate() = %v, want it to wrap %v", tt.name, err, nps.ErrInvalidResponse)
		}
	}
}
