package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/nps"
)

func TestApplyNPSRecord(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	inv, err := nps.Policy{}.Invite(uuid.Must(uuid.NewV7()).String(), "c1", "", "other-device", at)
	if err != nil {
		t.Fatal(err)
	}
	// Two kiosks answered the same invitation offline, a minute apart.
	first, err := inv.Answer(6, "slow", nps.English, false, at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	second, err := inv.Answer(10, "", nps.French, false, at.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	reached := false
	_, action, err := first.Act(nps.Action{Kind: nps.ActionContactAttempt, Reached: &reached, Staff: "owner", At: at.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	apply := func(typ, key string, v any) error {
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return inTx(ctx, s.db, func(tx *sql.Tx) error { return s.applyNPSRecord(ctx, tx, typ, key, body) })
	}
	// Either order of arrival keeps the earlier answer.
	for _, err := range []error{
		apply(TypeNPSInvitation, inv.ID, inv),
		apply(TypeNPSInvitation, inv.ID, inv), // a repeated pull
		apply(TypeNPSResponse, second.ID, second),
		apply(TypeNPSResponse, first.ID, first),
		apply(TypeNPSResponse, second.ID, second),
		apply(TypeNPSAction, action.ID, action),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	rs, err := s.Responses(ctx, ResponseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].ID != first.ID {
		t.Errorf("responses after both answers = %+v, want only the first, %s", rs, first.ID)
	}
	if _, err := s.Invitation(ctx, inv.ID); err != nil {
		t.Errorf("Invitation(%s): %v", inv.ID, err)
	}
	closed := first
	closed.Status = nps.Closed
	if err := apply(TypeNPSResponse, closed.ID, closed); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Response(ctx, first.ID); err != nil || got.Status != nps.Closed {
		t.Errorf("Response after a pulled status change = %v, %v; want closed", got.Status, err)
	}
	if acts, err := s.Actions(ctx, first.ID); err != nil || len(acts) != 1 {
		t.Errorf("Actions = %v, %v; want the pulled one", acts, err)
	}
	if n, err := s.Pending(ctx); err != nil || n != 0 {
		t.Errorf("Pending after applying pulled records = %d, %v; want 0: pulled records are not pushed back", n, err)
	}

	bad := []struct{ typ, key, body string }{
		{TypeNPSResponse, first.ID, `{"id": "` + first.ID + `", "score": 12}`},
		{TypeNPSResponse, "another-key", mustJSON(t, first)},
		{TypeNPSInvitation, inv.ID, `not json`},
		{"nps_unknown", "k", `{}`},
	}
	for _, b := range bad {
		err := inTx(ctx, s.db, func(tx *sql.Tx) error { return s.applyNPSRecord(ctx, tx, b.typ, b.key, []byte(b.body)) })
		if !errors.Is(err, errBadNPSRecord) {
			t.Errorf("applyNPSRecord(%s, %s, %s) = %v, want errBadNPSRecord", b.typ, b.key, b.body, err)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
