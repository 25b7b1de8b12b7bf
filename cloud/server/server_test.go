package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/internal/pgtest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is a server on loopback with its database.
type env struct {
	t       testing.TB
	db      *store.DB
	srv     *server.Server
	http    *httptest.Server
	logs    *syncBuffer
	metrics *prometheus.Registry
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newEnv(t testing.TB, dsn string, cfg server.Config) *env {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	e := &env{t: t, db: db, logs: &syncBuffer{}}
	cfg.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.Metrics == nil {
		cfg.Metrics = prometheus.NewRegistry()
	}
	e.metrics = cfg.Metrics
	e.srv = server.New(db, cfg)
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(func() {
		e.srv.Close()
		e.http.Close()
		db.Close()
	})
	return e
}

// device is an enrolled device as a client holds it.
type device struct {
	syncwire.EnrollResponse
}

// shop creates a shop and enrolls its owner device through the API.
func (e *env) shop(name string) device {
	e.t.Helper()
	_, code, err := e.db.CreateShop(context.Background(), name)
	if err != nil {
		e.t.Fatalf("CreateShop: %v", err)
	}
	return e.enroll(code.Code, "Till of "+name)
}

func (e *env) enroll(code, name string) device {
	e.t.Helper()
	var resp syncwire.EnrollResponse
	if st := e.call("POST", "/v1/enroll", "", syncwire.EnrollRequest{Code: code, DeviceName: name}, &resp); st != http.StatusOK {
		e.t.Fatalf("enroll: status %d", st)
	}
	return device{resp}
}

// call sends a JSON request and decodes the answer into out, returning the status.
func (e *env) call(method, path, token string, body, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(req, out)
}

func (e *env) do(req *http.Request, out any) int {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read answer: %v", err)
	}
	if resp.StatusCode >= 400 && strings.HasPrefix(req.URL.Path, "/v1/") {
		var apiErr syncwire.Error
		if err := json.Unmarshal(b, &apiErr); err != nil || apiErr.Code == "" || apiErr.Message == "" {
			e.t.Errorf("%s %s: status %d with body %q, want an syncwire.Error", req.Method, req.URL.Path, resp.StatusCode, b)
		}
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("decode %s: %v", b, err)
		}
	}
	return resp.StatusCode
}

// waitGauge waits until the server's gauge name reads want: the server announces that
// it reached a point, such as a pull waiting, however slowly this machine runs.
func (e *env) waitGauge(name string, want float64) {
	e.t.Helper()
	deadline := time.Now().Add(time.Minute) // a failure bound only
	for {
		got := -1.0
		families, err := e.metrics.Gather()
		if err != nil {
			e.t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() == name && len(f.GetMetric()) == 1 {
				got = f.GetMetric()[0].GetGauge().GetValue()
			}
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("gauge %s = %v after a minute, want %v", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) push(d device, changes ...syncwire.Change) syncwire.PushResponse {
	e.t.Helper()
	var resp syncwire.PushResponse
	if st := e.call("POST", "/v1/sync/push", d.Token, syncwire.PushRequest{Changes: changes}, &resp); st != http.StatusOK {
		e.t.Fatalf("push: status %d", st)
	}
	return resp
}

func (e *env) pull(d device, query string) syncwire.PullResponse {
	e.t.Helper()
	var resp syncwire.PullResponse
	if st := e.call("GET", "/v1/sync/pull?"+query, d.Token, nil, &resp); st != http.StatusOK {
		e.t.Fatalf("pull: status %d", st)
	}
	return resp
}

func TestSyncRoundTrip(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, server.Config{})
		till := e.shop("Café Lune")
		if !till.Owner || till.ShopName != "Café Lune" || till.Epoch != e.db.Epoch() {
			t.Errorf("enroll = %+v, want the owner of Café Lune", till.EnrollResponse)
		}
		var batch []syncwire.Change
		for range 300 {
			batch = append(batch, synctest.Op(t, "c1", 1))
		}
		// A gzip-compressed push, as the client sends large batches.
		var zbody bytes.Buffer
		zw := gzip.NewWriter(&zbody)
		json.NewEncoder(zw).Encode(syncwire.PushRequest{Changes: batch})
		zw.Close()
		req, _ := http.NewRequest("POST", e.http.URL+"/v1/sync/push", &zbody)
		req.Header.Set("Authorization", "Bearer "+till.Token)
		req.Header.Set("Content-Encoding", "gzip")
		var pushed syncwire.PushResponse
		if st := e.do(req, &pushed); st != http.StatusOK || len(pushed.Accepted) != 300 || pushed.Version != 300 {
			t.Fatalf("gzip push: status %d, %d accepted, version %d; want 300 at version 300", st, len(pushed.Accepted), pushed.Version)
		}
		// The answer was lost; the retry changes nothing.
		again := e.push(till, batch...)
		if len(again.Duplicate) != 300 || again.Version != 300 {
			t.Errorf("retried push: %d duplicates at version %d, want 300 at 300", len(again.Duplicate), again.Version)
		}

		// A second device of the shop pulls everything, page by page; the answer is
		// gzip-compressed (Go's client asks for it and undoes it).
		var code syncwire.CodeResponse
		if st := e.call("POST", "/v1/codes", till.Token, syncwire.CodeRequest{}, &code); st != http.StatusCreated {
			t.Fatalf("new code: status %d", st)
		}
		kiosk := e.enroll(code.Code, "Kiosk")
		var got []string
		for cursor := int64(0); ; {
			page := e.pull(kiosk, fmt.Sprintf("cursor=%d&limit=128", cursor))
			for _, c := range page.Changes {
				got = append(got, c.ID)
			}
			cursor = page.Cursor
			if !page.More {
				break
			}
		}
		var want []string
		for _, c := range batch {
			want = append(want, c.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pulled (-want +got):\n%s", diff)
		}
		if strings.Contains(e.logs.String(), till.Token) || strings.Contains(e.logs.String(), kiosk.Token) {
			t.Errorf("a token appears in the logs")
		}
	})
}

func TestLongPollWakesOnPush(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		// The pull waits for an hour: only the push can end it within the test.
		e := newEnv(t, dsn, server.Config{MaxWait: time.Hour})
		// On PostgreSQL, a second server process on the same database does the push.
		pusher := e
		if strings.HasPrefix(dsn, "postgres") {
			pusher = newEnv(t, dsn, server.Config{})
		}
		till := e.shop("Shop")
		var code syncwire.CodeResponse
		e.call("POST", "/v1/codes", till.Token, syncwire.CodeRequest{}, &code)
		kiosk := e.enroll(code.Code, "Kiosk")
		invitation := synctest.Record(t, "nps_invitation", "inv-1", map[string]string{"card": "K7QM2XRT9PC"})
		done := make(chan syncwire.PullResponse)
		go func() { done <- e.pull(kiosk, "cursor=0&wait=1h") }()
		e.waitGauge("merci_pull_waiting", 1) // subscribed, found nothing: now waiting
		pusher.push(till, invitation)
		select {
		case resp := <-done:
			if len(resp.Changes) != 1 || resp.Changes[0].ID != invitation.ID {
				t.Errorf("long-poll = %+v, want the invitation", resp.Changes)
			}
		case <-time.After(time.Minute): // a failure bound only
			t.Fatalf("the push did not wake the waiting pull")
		}
		// Nothing new: an empty answer when the wait ends.
		resp := e.pull(kiosk, "cursor=1&wait=1")
		if len(resp.Changes) != 0 || resp.Cursor != 1 {
			t.Errorf("idle long-poll = %+v, want nothing at cursor 1", resp)
		}
	})
}

func TestShopsSeeNothingOfEachOther(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, server.Config{})
		a, b := e.shop("A"), e.shop("B")
		e.push(a, synctest.Op(t, "c1", 10), synctest.Op(t, "c1", -20))
		if resp := e.pull(b, "cursor=0"); len(resp.Changes) != 0 {
			t.Errorf("B pulls %d of A's changes", len(resp.Changes))
		}
		var over syncwire.OverdrawnResponse
		e.call("GET", "/v1/overdrawn", b.Token, nil, &over)
		if len(over.Overdrawn) != 0 {
			t.Errorf("B sees A's overdrawn customers: %+v", over)
		}
		var devs syncwire.DevicesResponse
		e.call("GET", "/v1/devices", b.Token, nil, &devs)
		if len(devs.Devices) != 1 || devs.Devices[0].ID != b.DeviceID {
			t.Errorf("B's devices = %+v, want only its own", devs.Devices)
		}
		if st := e.call("DELETE", "/v1/devices/"+a.DeviceID, b.Token, nil, nil); st != http.StatusNotFound {
			t.Errorf("B revoking A's device: status %d, want 404", st)
		}
		if st := e.call("GET", "/v1/sync/pull?cursor=0", a.Token, nil, nil); st != http.StatusOK {
			t.Errorf("A after B's attempt: status %d, want 200", st)
		}
		e.call("GET", "/v1/overdrawn", a.Token, nil, &over)
		if len(over.Overdrawn) != 1 || over.Overdrawn[0].Points != -10 {
			t.Errorf("A's overdrawn = %+v, want c1 at -10", over.Overdrawn)
		}
	})
}

func TestTokensAndOwnership(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{EnrollLimit: server.Limit{Rate: 1000, Burst: 1000}})
	owner := e.shop("Shop")
	var code syncwire.CodeResponse
	e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{}, &code)
	till := e.enroll(code.Code, "Till 2")
	if till.Owner {
		t.Fatalf("second device is an owner")
	}
	if st := e.call("POST", "/v1/enroll", "", syncwire.EnrollRequest{Code: code.Code, DeviceName: "Again"}, nil); st != http.StatusUnauthorized {
		t.Errorf("reusing a code: status %d, want 401", st)
	}
	for _, path := range []string{"/v1/devices", "/v1/codes"} {
		method := map[string]string{"/v1/devices": "GET", "/v1/codes": "POST"}[path]
		if st := e.call(method, path, till.Token, syncwire.CodeRequest{}, nil); st != http.StatusForbidden {
			t.Errorf("%s %s by a plain device: status %d, want 403", method, path, st)
		}
	}
	if st := e.call("DELETE", "/v1/devices/"+owner.DeviceID, till.Token, nil, nil); st != http.StatusForbidden {
		t.Errorf("plain device revoking: status %d, want 403", st)
	}
	if st := e.call("DELETE", "/v1/devices/"+till.DeviceID, owner.Token, nil, nil); st != http.StatusNoContent {
		t.Fatalf("owner revoking: status %d, want 204", st)
	}
	endpoints := []struct{ method, path string }{
		{"POST", "/v1/sync/push"}, {"GET", "/v1/sync/pull"}, {"GET", "/v1/devices"},
		{"DELETE", "/v1/devices/" + owner.DeviceID}, {"POST", "/v1/codes"}, {"GET", "/v1/overdrawn"},
	}
	// The owner's token with its first random character changed.
	flip := map[bool]string{true: "B", false: "A"}[owner.Token[4] == 'A']
	forged := owner.Token[:4] + flip + owner.Token[5:]
	for _, token := range []string{"", till.Token, "mct_forged", forged} {
		for _, ep := range endpoints {
			if st := e.call(ep.method, ep.path, token, syncwire.PushRequest{}, nil); st != http.StatusUnauthorized {
				t.Errorf("%s %s with token %.8q...: status %d, want 401", ep.method, ep.path, token, st)
			}
		}
	}
}

func TestHostileRequests(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{MaxBody: 64 << 10, MaxChanges: 50, DeviceRate: 1000, DeviceBurst: 1000})
	d := e.shop("Shop")
	post := func(body []byte, header ...string) int {
		req, _ := http.NewRequest("POST", e.http.URL+"/v1/sync/push", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+d.Token)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return e.do(req, nil)
	}
	// 10 MB of zeros compresses to about 10 kB: the limit holds after decompression.
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"changes":[`))
	zw.Write(bytes.Repeat([]byte(" "), 10<<20))
	zw.Close()
	many := make([]syncwire.Change, 51)
	for i := range many {
		many[i] = synctest.Op(t, "c", 1)
	}
	manyJSON, _ := json.Marshal(syncwire.PushRequest{Changes: many})
	for _, tc := range []struct {
		name   string
		body   []byte
		header []string
		want   int
	}{
		{"oversized", bytes.Repeat([]byte(" "), 70<<10), nil, http.StatusRequestEntityTooLarge},
		{"gzip bomb", bomb.Bytes(), []string{"Content-Encoding", "gzip"}, http.StatusRequestEntityTooLarge},
		{"too many changes", manyJSON, nil, http.StatusRequestEntityTooLarge},
		{"not JSON", []byte("hello"), nil, http.StatusBadRequest},
		{"wrong shape", []byte(`{"changes":{"id":1}}`), nil, http.StatusBadRequest},
		{"trailing data", []byte(`{"changes":[]} {}`), nil, http.StatusBadRequest},
		{"bad gzip", []byte("not gzip"), []string{"Content-Encoding", "gzip"}, http.StatusBadRequest},
		{"unknown encoding", []byte(`{}`), []string{"Content-Encoding", "br"}, http.StatusUnsupportedMediaType},
		{"empty", nil, nil, http.StatusBadRequest},
	} {
		if got := post(tc.body, tc.header...); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	for _, q := range []string{"cursor=-1", "cursor=x", "limit=0", "limit=100000", "wait=forever", "wait=-3s"} {
		if st := e.call("GET", "/v1/sync/pull?"+q, d.Token, nil, nil); st != http.StatusBadRequest {
			t.Errorf("pull?%s: status %d, want 400", q, st)
		}
	}
	if st := e.call("GET", "/v1/nothing", d.Token, nil, nil); st != http.StatusNotFound {
		t.Errorf("unknown endpoint: status %d, want 404", st)
	}
	// The server is still up and serving.
	if resp := e.push(d, synctest.Op(t, "c", 1)); len(resp.Accepted) != 1 {
		t.Errorf("push after hostile requests = %+v", resp)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{DeviceRate: 1, DeviceBurst: 3, AuthFailLimit: server.Limit{Rate: 0.001, Burst: 20}, Now: stopped()})
	d := e.shop("Shop")
	var last *http.Response
	for range 4 {
		req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync/pull", nil)
		req.Header.Set("Authorization", "Bearer "+d.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") != "1" {
		t.Errorf("4th request in a burst of 3: status %d, Retry-After %q; want 429 and 1", last.StatusCode, last.Header.Get("Retry-After"))
	}
	// Another device is not held back by the first.
	other := e.shop("Other")
	if st := e.call("GET", "/v1/sync/pull", other.Token, nil, nil); st != http.StatusOK {
		t.Errorf("other device: status %d, want 200", st)
	}
	// Guessing tokens from one address is held back too: 20 guesses spend the burst.
	statuses := map[int]int{}
	for range 30 {
		statuses[e.call("GET", "/v1/sync/pull", "mct_guess", nil, nil)]++
	}
	if statuses[http.StatusUnauthorized] != 20 || statuses[http.StatusTooManyRequests] != 10 {
		t.Errorf("30 guessed tokens: %v, want 20 refused and then 10 held back", statuses)
	}
}

// stopped returns a clock that does not move: a burst is counted exactly, however
// slowly a busy machine sends it.
func stopped() func() time.Time {
	now := time.Now()
	return func() time.Time { return now }
}

// With the default limits, a device back from a week offline catches up without being
// held back, and a device that goes on flooding the server is held back.
func TestDefaultRateLimit(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{Now: stopped()})
	d := e.shop("Shop")
	// 100,000 changes pushed and pulled by 1,000: 100 pushes and 100 pulls, back to
	// back. The limiter counts requests, so each push carries one change.
	for i := range 100 {
		if st := e.call("POST", "/v1/sync/push", d.Token, syncwire.PushRequest{Changes: []syncwire.Change{synctest.Op(t, "c", 1)}}, nil); st != http.StatusOK {
			t.Fatalf("catch-up push %d: status %d, want 200", i+1, st)
		}
		if st := e.call("GET", "/v1/sync/pull?cursor=0&limit=1000", d.Token, nil, nil); st != http.StatusOK {
			t.Fatalf("catch-up pull %d: status %d, want 200", i+1, st)
		}
	}
	for i := range 1000 {
		req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync/pull?cursor=0", nil)
		req.Header.Set("Authorization", "Bearer "+d.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			if got, want := resp.Header.Get("Retry-After"), "1"; got != want {
				t.Errorf("Retry-After = %q, want %q", got, want)
			}
			if served := 200 + i; served != 300 {
				t.Errorf("held back after %d requests, want the burst of 300", served)
			}
			return
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("flood request %d: status %d, want 200 or 429", i+1, resp.StatusCode)
		}
	}
	t.Errorf("1,200 requests in a row were all served, want a 429 before")
}

// cardOfCafeLune gives a card of a's shop a customer with 120 points, €2.40 of
// cashback and a program with tiers and rewards; more are pushed with it.
func cardOfCafeLune(t *testing.T, e *env, a device, more ...syncwire.Change) cards.Code {
	t.Helper()
	prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1, CashbackBasisPoints: 200,
		Tiers:   []loyalty.Tier{{Name: "Bronze"}, {Name: "Gold", MinXP: 500}},
		Rewards: []loyalty.Reward{{ID: "r1", Name: "Espresso", Points: 50}, {ID: "r2", Name: "Croissant box", Points: 200}}}
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	credit := synctest.Op(t, "cust-1", 0)
	var op loyalty.Operation
	json.Unmarshal(credit.Body, &op)
	op.Kind, op.Amount, op.Currency, op.Delta = loyalty.KindCredit, 12000, "EUR", loyalty.Delta{Points: 120, Cashback: 240, XP: 120}
	credit.Body, _ = json.Marshal(op)
	e.push(a, append(more,
		synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, prog),
		synctest.Record(t, syncwire.TypeCustomer, "cust-1", loyalty.Customer{ID: "cust-1", Name: "Ana Private", Email: "ana@example.com"}),
		synctest.Record(t, syncwire.TypeCard, string(code), loyalty.Card{Code: string(code), CustomerID: "cust-1", Status: loyalty.CardActive}),
		credit)...)
	return code
}

func TestCardPage(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{})
	a, b := e.shop("Café Lune"), e.shop("Secret Bakery")
	code := cardOfCafeLune(t, e, a)
	e.push(b, synctest.Record(t, syncwire.TypeCard, "0000000000"+"0", loyalty.Card{Code: "00000000000", CustomerID: "x", Status: loyalty.CardActive}))

	get := func(path string) (int, string) {
		resp, err := http.Get(e.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// As typed from the printed card: lower case, with dashes.
	st, page := get("/c/" + a.ShopTag + "/" + strings.ToLower(code.String()))
	if st != http.StatusOK {
		t.Fatalf("card page: status %d", st)
	}
	for _, want := range []string{"Café Lune", code.String(), ">120<", "€2.40", "Bronze", "380 more to reach Gold", "Espresso", "Croissant box", "80 points to go"} {
		if !strings.Contains(page, want) {
			t.Errorf("card page lacks %q", want)
		}
	}
	for _, secret := range []string{"Ana", "ana@example.com", "cust-1", "Secret Bakery"} {
		if strings.Contains(page, secret) {
			t.Errorf("card page shows %q", secret)
		}
	}
	mistyped := string(code[:10]) + map[bool]string{true: "Y", false: "Z"}[code[10] == 'Z']
	for _, path := range []string{"/c/" + a.ShopTag + "/" + mistyped, "/c/" + a.ShopTag + "/ZZZZZZZZZZZ", "/c/%3Cscript%3E",
		"/c/" + strings.Repeat("A", 5000), "/c/" + b.ShopTag + "/" + string(code), "/c/" + string(code)} {
		if st, page := get(path); st != http.StatusNotFound || !strings.Contains(page, "Card not found") {
			t.Errorf("GET %.30s: status %d, want the 404 page", path, st)
		}
	}
}

// The logo set on the shop's devices shows on its card pages; what is not a PNG does not.
func TestCardPageShowsShopLogo(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{})
	d := e.shop("Café Lune")
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	e.push(d, synctest.Record(t, syncwire.TypeCard, string(code), loyalty.Card{Code: string(code), CustomerID: "c", Status: loyalty.CardActive}))
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewRGBA(image.Rect(0, 0, 40, 20))); err != nil {
		t.Fatal(err)
	}
	get := func(path string, header ...string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", e.http.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	page, logoPath := "/c/"+d.ShopTag+"/"+string(code), "/c/"+d.ShopTag+"/logo.png"
	if _, body := get(page); strings.Contains(body, "<img") {
		t.Errorf("card page of a shop without a logo shows an image")
	}
	if resp, _ := get(logoPath); resp.StatusCode != http.StatusNotFound {
		t.Errorf("logo of a shop without one: status %d, want 404", resp.StatusCode)
	}

	e.push(d, synctest.Record(t, syncwire.TypeSetting, syncwire.SettingShop, map[string]any{"name": "Café Lune", "logo": logo.Bytes()}))
	if _, body := get(page); !strings.Contains(body, `<img class="logo" src="`+logoPath+`"`) {
		t.Errorf("card page lacks the logo")
	}
	resp, body := get(logoPath)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || body != logo.String() {
		t.Fatalf("logo: status %d, type %q, %d bytes; want 200, image/png, the %d bytes pushed",
			resp.StatusCode, resp.Header.Get("Content-Type"), len(body), logo.Len())
	}
	if again, _ := get(logoPath, "If-None-Match", resp.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("logo asked again with its ETag: status %d, want 304", again.StatusCode)
	}

	// A device may push anything as a logo: the public sees only a PNG.
	e.push(d, synctest.Record(t, syncwire.TypeSetting, syncwire.SettingShop, map[string]any{"name": "Café Lune", "logo": []byte("<svg onload=alert(1)>")}))
	if resp, body := get(page); resp.StatusCode != http.StatusOK || strings.Contains(body, "<img") {
		t.Errorf("card page with a logo that is not a PNG: status %d, image shown %v", resp.StatusCode, strings.Contains(body, "<img"))
	}
	if resp, _ := get(logoPath); resp.StatusCode != http.StatusNotFound {
		t.Errorf("logo that is not a PNG: status %d, want 404", resp.StatusCode)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{})
	d := e.shop("Shop")
	e.push(d, synctest.Op(t, "c", 1))
	var health map[string]string
	if st := e.call("GET", "/healthz", "", nil, &health); st != http.StatusOK || health["epoch"] != e.db.Epoch() {
		t.Errorf("healthz: status %d, %v", st, health)
	}
	// The API does not serve the metrics: they have an address of their own.
	if st, _ := get(t, e.http.URL+"/metrics"); st != http.StatusNotFound {
		t.Errorf("GET /metrics on the API: status %d, want 404", st)
	}
	metrics := httptest.NewServer(e.srv.Metrics())
	defer metrics.Close()
	resp, err := http.Get(metrics.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`merci_push_changes_total{outcome="accepted"} 1`, `merci_http_requests_total{route="POST /v1/sync/push",status="200"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDroppedConnections cuts a push's connection mid-request and after the request
// (the answer is lost), then retries as the client does: every change applies once.
func TestDroppedConnections(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, server.Config{})
		d := e.shop("Shop")
		var batch []syncwire.Change
		for range 200 {
			batch = append(batch, synctest.Op(t, "c1", 3))
		}
		body, _ := json.Marshal(syncwire.PushRequest{Changes: batch})
		raw := func(n int, waitForServer bool) {
			conn, err := net.Dial("tcp", e.http.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(conn, "POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", d.Token, len(body))
			conn.Write(body[:n])
			if waitForServer {
				// Read one byte of the answer, then hang up: the push has committed
				// but the client never hears of it.
				conn.Read(make([]byte, 1))
			}
			conn.Close()
		}
		raw(len(body)/2, false) // cut in the middle of the body
		raw(len(body), true)    // the answer is lost
		raw(len(body), false)   // hung up at once: the server may or may not finish
		resp := e.push(d, batch...)
		if n := len(resp.Accepted) + len(resp.Duplicate); n != len(batch) || len(resp.Rejected) != 0 {
			t.Errorf("retry: %d accepted, %d duplicate, %d rejected; want all 200 applied once", len(resp.Accepted), len(resp.Duplicate), len(resp.Rejected))
		}
		if resp.Version != int64(len(batch)) {
			t.Errorf("version = %d, want %d", resp.Version, len(batch))
		}
		if b, err := e.db.Balance(context.Background(), d.ShopID, "c1"); err != nil || b.Points != 600 {
			t.Errorf("balance = %d, %v; want 600", b.Points, err)
		}
	})
}
