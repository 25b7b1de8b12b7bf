package server_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/merci-loyalty/merci/cloud/internal/pgtest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/syncwire"
)

var fuzzDB = flag.String("fuzzdb", "sqlite", "the database FuzzPush runs on: sqlite or postgres")

// FuzzPush sends arbitrary bodies to POST /v1/sync/push. Whatever arrives, the answer
// is 200 or a 4xx, never a server fault; a 200 accounts for every change exactly once;
// and pushing the same body again changes nothing.
//
// It runs on SQLite; go test -run FuzzPush ./cloud/server -args -fuzzdb=postgres replays the corpus on
// PostgreSQL, which refuses more in text than SQLite does.
func FuzzPush(f *testing.F) {
	dsn := synctest.SQLite
	if *fuzzDB == "postgres" {
		dsn = pgtest.URL
	}
	e := newEnv(f, dsn(f), server.Config{MaxBody: 256 << 10, DeviceRate: 1e9, DeviceBurst: 1e9})
	d := e.shop("Fuzz")
	seed := func(changes ...syncwire.Change) []byte {
		b, _ := json.Marshal(syncwire.PushRequest{Changes: changes})
		return b
	}
	f.Add(seed(synctest.Op(f, "c1", 5)))
	f.Add(seed(synctest.Op(f, "c1", -5), synctest.Record(f, "customer", "c1", map[string]string{"id": "c1"})))
	f.Add(seed(synctest.Record(f, "email", "m1", syncwire.Email{To: "a@example.com", Subject: "Hi", Text: "x"})))
	f.Add(seed(synctest.Record(f, "card", "00000000000", map[string]any{"code": "00000000000", "customer_id": "c", "status": "active"})))
	f.Add(seed(synctest.Record(f, "setting", "program", map[string]any{"Currency": "EUR", "Tiers": []any{map[string]any{"Name": "A"}}})))
	f.Add([]byte(`{"changes":[{"id":"0190f2a4-7b7c-7cc0-8000-000000000000","type":"op","key":"x","body":{"id":1},"at":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"changes":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		push := func() (int, syncwire.PushResponse) {
			req := httptest.NewRequest("POST", "/v1/sync/push", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+d.Token)
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			var resp syncwire.PushResponse
			if rec.Code == http.StatusOK {
				if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
					t.Fatalf("200 with an undecodable answer %q: %v", rec.Body.Bytes(), err)
				}
			}
			return rec.Code, resp
		}
		status, first := push()
		if status >= 500 || (status != http.StatusOK && status < 400) {
			t.Fatalf("push of %q: status %d, want 200 or 4xx", body, status)
		}
		if status != http.StatusOK {
			return
		}
		var req syncwire.PushRequest
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("server accepted %q that does not decode: %v", body, err)
		}
		if n := len(first.Accepted) + len(first.Duplicate) + len(first.Rejected); n != len(req.Changes) {
			t.Fatalf("%d changes pushed, %d accounted for", len(req.Changes), n)
		}
		_, second := push()
		if len(second.Accepted) != 0 || second.Version != first.Version {
			t.Fatalf("repeated push accepted %v and moved the version from %d to %d", second.Accepted, first.Version, second.Version)
		}
	})
}
