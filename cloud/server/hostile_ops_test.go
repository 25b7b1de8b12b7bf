package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Hostile-client tests of the server's operations: limits behind a proxy, revocation
// and suspension of what is in flight, headers, retries, names and deletion.

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// send sends a request with the given headers, as a client behind a proxy would have
// it sent, and returns the answer's status.
func (e *env) send(method, path, token string, body any, header ...string) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return e.do(req, nil)
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// Behind the TLS proxy, every request comes from the proxy's address. A client that
// guesses tokens used to spend the one allowance of that address: card pages and
// enrollment then answered 429 to everybody.
func TestGuessingBehindProxyHoldsBackOnlyTheGuesser(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{TrustedProxies: loopback, Now: stopped()})
	owner := e.shop("Shop")
	attacker := []string{"X-Forwarded-For", "203.0.113.66"}
	statuses := map[int]int{}
	for i := range 40 {
		// The attacker writes what it likes left of what the proxy appends.
		statuses[e.send("GET", "/v1/sync/pull", "mct_guess", nil, "X-Forwarded-For", fmt.Sprintf("10.9.9.%d, 203.0.113.66", i))]++
	}
	if statuses[http.StatusUnauthorized] != 20 || statuses[http.StatusTooManyRequests] != 20 {
		t.Fatalf("40 guessed tokens: %v, want the burst of 20 refused, then 20 held back", statuses)
	}
	if st := e.send("GET", "/v1/sync/pull", "mct_guess", nil, attacker...); st != http.StatusTooManyRequests {
		t.Errorf("guesser after its burst: status %d, want 429", st)
	}
	// Anybody else, through the same proxy, is served.
	customer := []string{"X-Forwarded-For", "198.51.100.7"}
	if st := e.send("GET", "/c/ZZZZZZZZZZZ", "", nil, customer...); st != http.StatusNotFound {
		t.Errorf("card page of another client: status %d, want 404 (not found, not held back)", st)
	}
	var code syncwire.CodeResponse
	e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{}, &code)
	if st := e.send("POST", "/v1/enroll", "", syncwire.EnrollRequest{Code: code.Code, DeviceName: "Till 2"}, customer...); st != http.StatusOK {
		t.Errorf("enrollment of another client: status %d, want 200", st)
	}
	// The guesser's own card pages have their own allowance too.
	if st := e.send("GET", "/c/ZZZZZZZZZZZ", "", nil, attacker...); st != http.StatusNotFound {
		t.Errorf("card page of the guesser: status %d, want 404: guessing tokens spends another allowance", st)
	}
	// A valid token is never held back by guesses from its address.
	if st := e.send("GET", "/v1/sync/pull", owner.Token, nil, attacker...); st != http.StatusOK {
		t.Errorf("device behind the guesser's address: status %d, want 200", st)
	}
}

// Which address a request counts under, whatever the client writes in the headers.
func TestClientAddressFromTrustedProxyOnly(t *testing.T) {
	// One failure allowed per address: a second failure under the same address is 429.
	cfg := server.Config{AuthFailLimit: server.Limit{Rate: 1e-9, Burst: 1}, GlobalLimit: server.Limit{Rate: 1e9, Burst: 1e9},
		TrustedProxies: append([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, loopback...)}
	e := newEnv(t, synctest.SQLite(t), cfg)
	for i, tc := range []struct {
		name   string
		header []string
		want   string // the address the request counts under
	}{
		{"one hop", []string{"X-Forwarded-For", "203.0.113.1"}, "203.0.113.1"},
		{"forged hops left", []string{"X-Forwarded-For", "1.1.1.1, 203.0.113.2"}, "203.0.113.2"},
		{"inner proxy", []string{"X-Forwarded-For", "203.0.113.3, 10.1.2.3"}, "203.0.113.3"},
		{"two header lines", []string{"X-Forwarded-For", "1.1.1.2", "X-Forwarded-For", "203.0.113.4"}, "203.0.113.4"},
		{"port and mapped", []string{"X-Forwarded-For", "[::ffff:203.0.113.5]:4711"}, "203.0.113.5"},
		{"Forwarded", []string{"Forwarded", `for=1.1.1.3;proto=https, For="[2001:db8:6::17]:4711"`}, "2001:db8:6::99"},
		{"IPv6 by /64", []string{"X-Forwarded-For", "2001:db8:7::1"}, "2001:db8:7::ffff"},
		{"X-Forwarded-For first", []string{"Forwarded", "for=1.1.1.4", "X-Forwarded-For", "203.0.113.8"}, "203.0.113.8"},
	} {
		if st := e.send("GET", "/v1/overdrawn", fmt.Sprintf("mct_guess%d", i), nil, tc.header...); st != http.StatusUnauthorized {
			t.Errorf("%s: first failure: status %d, want 401", tc.name, st)
			continue
		}
		if st := e.send("GET", "/v1/overdrawn", "mct_guess", nil, "X-Forwarded-For", tc.want); st != http.StatusTooManyRequests {
			t.Errorf("%s: a second failure from %s: status %d, want 429: the first did not count under it", tc.name, tc.want, st)
		}
	}

	// Not behind a trusted proxy, the headers count for nothing: every forged address
	// is the peer's.
	plain := newEnv(t, synctest.SQLite(t), server.Config{AuthFailLimit: server.Limit{Rate: 1e-9, Burst: 1}})
	if st := plain.send("GET", "/v1/overdrawn", "mct_guess", nil, "X-Forwarded-For", "203.0.113.9"); st != http.StatusUnauthorized {
		t.Errorf("first failure: status %d, want 401", st)
	}
	if st := plain.send("GET", "/v1/overdrawn", "mct_guess", nil, "X-Forwarded-For", "203.0.113.10", "Forwarded", "for=203.0.113.11"); st != http.StatusTooManyRequests {
		t.Errorf("second failure with another forged address: status %d, want 429", st)
	}
}

// Many addresses together cannot guess faster than the global limit.
func TestGlobalLimit(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{GlobalLimit: server.Limit{Rate: 1e-9, Burst: 5}, TrustedProxies: loopback})
	for i := range 5 {
		if st := e.send("GET", "/c/ZZZZZZZZZZZ", "", nil, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)); st != http.StatusNotFound {
			t.Fatalf("card page from address %d: status %d, want 404", i, st)
		}
	}
	if st := e.send("GET", "/c/ZZZZZZZZZZZ", "", nil, "X-Forwarded-For", "198.51.100.1"); st != http.StatusTooManyRequests {
		t.Errorf("6th card page from a 6th address: status %d, want 429", st)
	}
	if st := e.send("POST", "/v1/enroll", "", syncwire.EnrollRequest{Code: "0000-0000-0000-0000", DeviceName: "x"}, "X-Forwarded-For", "198.51.100.2"); st != http.StatusTooManyRequests {
		t.Errorf("enrollment after the global burst: status %d, want 429", st)
	}
}

// waitingPulls reads the gauge of pulls waiting, as the metrics show it.
func (e *env) waitingPulls() string {
	rec := httptest.NewRecorder()
	e.srv.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "merci_pull_waiting "); ok {
			return v
		}
	}
	return ""
}

// untilWaiting returns once n pulls wait, which is a condition and not a delay.
func (e *env) untilWaiting(n int) {
	e.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); e.waitingPulls() != fmt.Sprint(n); {
		if time.Now().After(deadline) {
			e.t.Fatalf("%s pulls waiting, want %d", e.waitingPulls(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// longPoll starts a 25 s long-poll of d and returns the channel of its status and
// changes.
func (e *env) longPoll(d device) <-chan pollResult {
	done := make(chan pollResult, 1)
	go func() {
		req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync/pull?cursor=0&wait=25s", nil)
		req.Header.Set("Authorization", "Bearer "+d.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- pollResult{err: err}
			return
		}
		defer resp.Body.Close()
		var res pollResult
		res.status = resp.StatusCode
		res.err = json.NewDecoder(resp.Body).Decode(&res.pull)
		done <- res
	}()
	return done
}

type pollResult struct {
	status int
	pull   syncwire.PullResponse
	err    error
}

func (e *env) second(d device, name string) device {
	e.t.Helper()
	var code syncwire.CodeResponse
	if st := e.call("POST", "/v1/codes", d.Token, syncwire.CodeRequest{}, &code); st != http.StatusCreated {
		e.t.Fatalf("new code: status %d", st)
	}
	return e.enroll(code.Code, name)
}

// A revoked device's long-poll that was already waiting ends at once; it used to go
// on waiting and return a customer pushed after the revocation.
func TestRevokingEndsWaitingPulls(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, server.Config{})
		owner := e.shop("Shop")
		kiosk := e.second(owner, "Kiosk")
		done := e.longPoll(kiosk)
		e.untilWaiting(1)
		if st := e.call("DELETE", "/v1/devices/"+kiosk.DeviceID, owner.Token, nil, nil); st != http.StatusNoContent {
			t.Fatalf("revoke: status %d", st)
		}
		if res := <-done; res.status != http.StatusUnauthorized {
			t.Errorf("waiting pull of the revoked device: status %d with %d changes, want 401", res.status, len(res.pull.Changes))
		}

		// Revoked from the command line, another process with the database of its own:
		// the push that follows wakes the pull, which must not hand it over.
		till := e.second(owner, "Till")
		done = e.longPoll(till)
		e.untilWaiting(1)
		other, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if err := other.Revoke(context.Background(), owner.ShopID, till.DeviceID); err != nil {
			t.Fatal(err)
		}
		e.push(owner, synctest.Record(t, syncwire.TypeCustomer, "c1", loyalty.Customer{ID: "c1", Name: "Ana", Email: "ana@example.com"}))
		if res := <-done; res.status != http.StatusUnauthorized {
			t.Errorf("waiting pull of a device revoked elsewhere, after a push: status %d with %d changes, want 401", res.status, len(res.pull.Changes))
		}
	})
}

func TestSuspendedShop(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn, server.Config{})
		owner, other := e.shop("Leaving"), e.shop("Staying")
		code, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		e.push(owner, synctest.Record(t, syncwire.TypeCard, string(code), loyalty.Card{Code: string(code), CustomerID: "c1", Status: loyalty.CardActive}),
			synctest.Op(t, "c1", 42), synctest.Record(t, syncwire.TypeEmail, "m1", syncwire.Email{To: "ana@example.com", Subject: "Hello", Text: "Hi"}))
		var enrollCode syncwire.CodeResponse
		e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{}, &enrollCode)
		// A pull waiting after the three changes.
		req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync/pull?cursor=3&wait=25s", nil)
		req.Header.Set("Authorization", "Bearer "+owner.Token)
		waiting := make(chan int, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				waiting <- 0
				return
			}
			resp.Body.Close()
			waiting <- resp.StatusCode
		}()
		e.untilWaiting(1)

		if err := e.db.Suspend(ctx, owner.ShopID); err != nil {
			t.Fatal(err)
		}
		if st := <-waiting; st != http.StatusForbidden {
			t.Errorf("waiting pull when its shop is suspended: status %d, want 403", st)
		}
		var apiErr syncwire.Error
		req, _ = http.NewRequest("POST", e.http.URL+"/v1/sync/push", strings.NewReader(`{"changes":[]}`))
		req.Header.Set("Authorization", "Bearer "+owner.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&apiErr)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || apiErr.Code != syncwire.ErrCodeSuspended || !strings.Contains(apiErr.Message, "suspended") {
			t.Errorf("push of a suspended shop: status %d, %+v; want 403 saying it is suspended", resp.StatusCode, apiErr)
		}
		for _, ep := range []struct{ method, path string }{{"GET", "/v1/sync/pull"}, {"GET", "/v1/devices"}, {"GET", "/v1/overdrawn"}} {
			if st := e.call(ep.method, ep.path, owner.Token, nil, nil); st != http.StatusForbidden {
				t.Errorf("%s %s of a suspended shop: status %d, want 403", ep.method, ep.path, st)
			}
		}
		if st := e.call("POST", "/v1/enroll", "", syncwire.EnrollRequest{Code: enrollCode.Code, DeviceName: "Late"}, nil); st != http.StatusForbidden {
			t.Errorf("enrolling into a suspended shop: status %d, want 403", st)
		}
		st, page := get(t, e.http.URL+"/c/"+owner.ShopTag+"/"+code.String())
		if st != http.StatusForbidden || !strings.Contains(page, "Card unavailable") || strings.Contains(page, "Leaving") || strings.Contains(page, ">42<") {
			t.Errorf("card page of a suspended shop: status %d, want 403 saying unavailable and nothing of the card:\n%s", st, page)
		}
		if st := e.call("GET", "/v1/sync/pull", other.Token, nil, nil); st != http.StatusOK {
			t.Errorf("another shop: status %d, want 200", st)
		}
		if due, err := e.db.DueEmails(ctx, 10); err != nil || len(due) != 0 {
			t.Errorf("emails due of a suspended shop: %+v, %v; want none", due, err)
		}

		if err := e.db.Resume(ctx, owner.ShopID); err != nil {
			t.Fatal(err)
		}
		if got := e.pull(owner, "cursor=0"); len(got.Changes) != 3 {
			t.Errorf("after resuming: %d changes, want the 3 kept", len(got.Changes))
		}
		if due, err := e.db.DueEmails(ctx, 10); err != nil || len(due) != 1 {
			t.Errorf("emails due after resuming: %+v, %v; want the one queued", due, err)
		}
		if st, _ := get(t, e.http.URL+"/c/"+owner.ShopTag+"/"+code.String()); st != http.StatusOK {
			t.Errorf("card page after resuming: status %d, want 200", st)
		}
		// The code refused while suspended was not used up.
		e.enroll(enrollCode.Code, "Late")
		if err := e.db.Suspend(ctx, "no-such-shop"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("suspending an unknown shop: %v, want ErrNotFound", err)
		}
	})
}

// failingSync is an export file whose sync fails, as on a full disk.
type failingSync struct{ bytes.Buffer }

func (*failingSync) Sync() error { return errors.New("no space left on device") }

func TestDeleteShopExportsThenDeletes(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newEnv(t, dsn, server.Config{})
		leaving, staying := e.shop("Leaving"), e.shop("Staying")
		code, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		pushed := []syncwire.Change{
			synctest.Record(t, syncwire.TypeCustomer, "c1", loyalty.Customer{ID: "c1", Name: "Ana", Email: "ana@example.com"}),
			synctest.Record(t, syncwire.TypeCard, string(code), loyalty.Card{Code: string(code), CustomerID: "c1", Status: loyalty.CardActive}),
			synctest.Op(t, "c1", 10), synctest.Op(t, "c1", -30),
			synctest.Record(t, syncwire.TypeEmail, "m1", syncwire.Email{To: "ana@example.com", Subject: "Hello", Text: "Hi"}),
		}
		e.push(leaving, pushed...)
		e.push(staying, synctest.Op(t, "c9", 5))

		if _, err := e.db.DeleteShop(ctx, leaving.ShopID, &failingSync{}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("deleting a shop in use: %v, want ErrInvalid (suspend it first)", err)
		}
		if err := e.db.Suspend(ctx, leaving.ShopID); err != nil {
			t.Fatal(err)
		}
		// The export cannot be made durable: nothing is deleted.
		if _, err := e.db.DeleteShop(ctx, leaving.ShopID, &failingSync{}); err == nil {
			t.Fatalf("delete with a failing export: no error")
		}
		if err := e.db.Resume(ctx, leaving.ShopID); err != nil {
			t.Fatal(err)
		}
		if got := e.pull(leaving, "cursor=0"); len(got.Changes) != len(pushed) {
			t.Fatalf("after a failed delete: %d changes, want %d", len(got.Changes), len(pushed))
		}
		done := e.longPoll(leaving)
		<-done
		if err := e.db.Suspend(ctx, leaving.ShopID); err != nil {
			t.Fatal(err)
		}

		f, err := os.OpenFile(filepath.Join(t.TempDir(), "export.json"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		deleted, err := e.db.DeleteShop(ctx, leaving.ShopID, f)
		if err != nil {
			t.Fatalf("DeleteShop: %v", err)
		}
		if deleted["changes"] != int64(len(pushed)) || deleted["devices"] != 1 || deleted["shops"] != 1 || deleted["cards"] != 1 {
			t.Errorf("deleted %v, want the 5 changes, 1 device, 1 card and the shop", deleted)
		}
		f.Seek(0, io.SeekStart)
		var export struct {
			Format string
			Shop   struct{ ID, Name string }
			Tables map[string][]map[string]json.RawMessage
		}
		if err := json.NewDecoder(f).Decode(&export); err != nil {
			t.Fatalf("the export is not JSON: %v", err)
		}
		if export.Format != store.ExportFormat || export.Shop.ID != leaving.ShopID || export.Shop.Name != "Leaving" {
			t.Errorf("export of %+v as %q, want the shop Leaving", export.Shop, export.Format)
		}
		for table, n := range map[string]int{"changes": len(pushed), "devices": 1, "cards": 1, "balances": 1, "overdrawn": 1, "outbox": 1} {
			if got := len(export.Tables[table]); got != n {
				t.Errorf("export has %d rows of %s, want %d", got, table, n)
			}
		}
		var customer loyalty.Customer
		for _, row := range export.Tables["changes"] {
			if string(row["ctype"]) == `"customer"` {
				json.Unmarshal(row["body"], &customer)
			}
		}
		if customer.Email != "ana@example.com" {
			t.Errorf("the exported customer record is %+v, want Ana's, as JSON", customer)
		}
		raw, _ := os.ReadFile(f.Name())
		if bytes.Contains(raw, []byte("Staying")) || bytes.Contains(raw, []byte(staying.ShopID)) {
			t.Errorf("the export holds another shop's data")
		}

		if st := e.call("GET", "/v1/sync/pull", leaving.Token, nil, nil); st != http.StatusUnauthorized {
			t.Errorf("deleted shop's device: status %d, want 401", st)
		}
		if st, _ := get(t, e.http.URL+"/c/"+leaving.ShopTag+"/"+code.String()); st != http.StatusNotFound {
			t.Errorf("deleted shop's card page: status %d, want 404", st)
		}
		shops, err := e.db.Shops(ctx)
		if err != nil || len(shops) != 1 || shops[0].ID != staying.ShopID {
			t.Errorf("shops after delete: %+v, %v; want only Staying", shops, err)
		}
		if got := e.pull(staying, "cursor=0"); len(got.Changes) != 1 {
			t.Errorf("the other shop has %d changes, want its 1", len(got.Changes))
		}
		if b, _ := e.db.Balance(ctx, staying.ShopID, "c9"); b.Points != 5 {
			t.Errorf("the other shop's balance = %d, want 5", b.Points)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{TrustedProxies: loopback})
	d := e.shop("Shop")
	check := func(name string, req *http.Request, client *http.Client, wantHSTS bool) {
		t.Helper()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", name, got)
		}
		if got := resp.Header.Get("Strict-Transport-Security"); (got != "") != wantHSTS {
			t.Errorf("%s: Strict-Transport-Security %q, want it: %v", name, got, wantHSTS)
		}
	}
	for _, path := range []string{"/healthz", "/v1/sync/pull", "/v1/nothing", "/c/ZZZZZZZZZZZ"} {
		req, _ := http.NewRequest("GET", e.http.URL+path, nil)
		check(path, req, http.DefaultClient, false)
	}
	req, _ := http.NewRequest("GET", e.http.URL+"/healthz", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	check("behind the TLS proxy", req, http.DefaultClient, true)

	plain := newEnv(t, synctest.SQLite(t), server.Config{})
	req, _ = http.NewRequest("GET", plain.http.URL+"/healthz", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	check("X-Forwarded-Proto from anybody", req, http.DefaultClient, false)

	tlsServer := httptest.NewTLSServer(e.srv)
	defer tlsServer.Close()
	req, _ = http.NewRequest("GET", tlsServer.URL+"/healthz", nil)
	check("over TLS", req, tlsServer.Client(), true)

	for _, scheme := range []string{"bearer", "BEARER", "Bearer", "bEaReR"} {
		req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync/pull", nil)
		req.Header.Set("Authorization", scheme+" "+d.Token)
		if st := e.do(req, nil); st != http.StatusOK {
			t.Errorf("scheme %q: status %d, want 200", scheme, st)
		}
	}
	for _, auth := range []string{"Basic " + d.Token, "Bearer", d.Token, "Bearer" + d.Token} {
		req, _ := http.NewRequest("GET", e.http.URL+"/v1/sync/pull", nil)
		req.Header.Set("Authorization", auth)
		if st := e.do(req, nil); st != http.StatusUnauthorized {
			t.Errorf("Authorization %.12q...: status %d, want 401", auth, st)
		}
	}
}

// A retry is the same change encoded again: its keys may come in another order.
func TestRetryInAnotherKeyOrderIsADuplicate(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, server.Config{})
		d := e.shop("Shop")
		id := synctest.NewID(t)
		change := func(body string) syncwire.Change {
			return syncwire.Change{ID: id, Type: syncwire.TypeCustomer, Key: "c1", Body: json.RawMessage(body), Device: "till-1", At: synctest.At}
		}
		first := e.push(d, change(`{"id":"c1","name":"Ana","email":"ana@example.com","tags":{"b":1,"a":[1.50,2]}}`))
		if len(first.Accepted) != 1 {
			t.Fatalf("first push: %+v", first)
		}
		for _, body := range []string{
			`{"tags":{"a":[1.50,2],"b":1},"email":"ana@example.com","name":"Ana","id":"c1"}`,
			`{ "name" : "\u0041na", "id":"c1", "email":"ana@example.com", "tags":{"a":[1.50, 2], "b":1}}`,
		} {
			if resp := e.push(d, change(body)); len(resp.Duplicate) != 1 {
				t.Errorf("retry %s: %+v, want a duplicate", body, resp)
			}
		}
		for _, body := range []string{
			`{"id":"c1","name":"Ana","email":"ana@example.com","tags":{"b":1,"a":[2,1.50]}}`,
			`{"id":"c1","name":"Anna","email":"ana@example.com","tags":{"b":1,"a":[1.50,2]}}`,
			`{"id":"c1","name":"Ana","email":"ana@example.com","tags":{"b":1,"a":[1.5,2]}}`,
		} {
			if resp := e.push(d, change(body)); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeConflict {
				t.Errorf("another change under the id, %s: %+v, want a conflict", body, resp)
			}
		}
	})
}

func TestDeviceNamesLoseControlCharacters(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{})
	owner := e.shop("Shop")
	var code syncwire.CodeResponse
	e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{}, &code)
	e.enroll(code.Code, "\x1b[2J\x1b]0;pwned\x07Till\u202e 2\u200b\u009b31m\tback")
	var devs syncwire.DevicesResponse
	e.call("GET", "/v1/devices", owner.Token, nil, &devs)
	if got, want := devs.Devices[1].Name, "[2J]0;pwnedTill 231m back"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
	if st := e.call("POST", "/v1/enroll", "", syncwire.EnrollRequest{Code: code.Code, DeviceName: "\x1b\x07\u202e"}, nil); st != http.StatusBadRequest {
		t.Errorf("a name of nothing but control characters: status %d, want 400", st)
	}
}

func TestDatabaseFilesArePrivate(t *testing.T) {
	old := umask(0o022)
	defer umask(old)
	path := synctest.SQLite(t)
	e := newEnv(t, path, server.Config{})
	e.push(e.shop("Shop"), synctest.Op(t, "c1", 1))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), mode)
		}
	}
}
