package syncclient_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncclient"
)

// proxyTo starts a toxiproxy in this process between a device and the server.
func proxyTo(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "cloud", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

func addToxic(t *testing.T, p *toxiproxy.Proxy, spec string) {
	t.Helper()
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(spec)); err != nil {
		t.Fatalf("add toxic %s: %v", spec, err)
	}
}

// Faults on the network between the till and the server, while both devices work. Each
// fault lasts a while, then heals; the oracle must then hold.
func TestNetworkFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		toxics []string
		fails  bool // the fault must make requests fail, not only slow them
		dups   bool // the fault must make the till push applied changes again
	}{
		{"latency", []string{
			`{"name":"up","type":"latency","stream":"upstream","attributes":{"latency":150,"jitter":100}}`,
			`{"name":"down","type":"latency","stream":"downstream","attributes":{"latency":150,"jitter":100}}`}, false, false},
		// The connection closes after a few bytes of the request: a push cut mid-body.
		{"dropped mid-push", []string{`{"name":"cut","type":"limit_data","stream":"upstream","attributes":{"bytes":700}}`}, true, false},
		// The server applies the push, the answer is cut: the retry must be a duplicate.
		{"dropped mid-response", []string{`{"name":"cut","type":"limit_data","stream":"downstream","attributes":{"bytes":300}}`}, true, true},
		{"reset", []string{`{"name":"reset","type":"reset_peer","stream":"upstream","attributes":{"timeout":100}}`}, true, false},
		// Data vanishes and the connection stays open: only a request timeout ends it.
		{"hang", []string{`{"name":"hang","type":"timeout","stream":"upstream","attributes":{"timeout":0}}`}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, a, b, made := shopOf(t, server.Config{})
			p := proxyTo(t, c.addr)
			if err := a.store.SaveEnrollment(context.Background(), retarget(t, a, "http://"+p.Listen)); err != nil {
				t.Fatal(err)
			}
			moveToken(t, a, c.url(), "http://"+p.Listen)
			for _, spec := range tc.toxics {
				addToxic(t, p, spec)
			}
			// Through the fault the till gives up on a request after 2 s, as on a hung
			// network it must; once the network heals, it waits as long as it takes.
			a.configure(func(cfg *syncclient.Config) { cfg.RequestTimeout = 2 * time.Second })
			a.start()
			b.start()
			for range 5 {
				seen := a.statusCount()
				made = append(made, a.credits(30)...)
				made = append(made, b.credits(10)...)
				// The till works on these sales through the fault before the next ones.
				waitFor(t, "the till to push through the fault", func() bool { return a.statusCount() > seen || a.pending() == 0 })
			}
			if tc.fails {
				waitFor(t, "the till to notice the fault", func() bool { return a.sawState(syncclient.StateOffline) })
			}
			if tc.dups {
				// Each retry of the cut push is applied as a duplicate: wait for one
				// before the network heals.
				waitFor(t, "a push applied twice", func() bool { return c.duplicates() > 0 })
			}
			p.Toxics.ResetToxics(context.Background())
			a.stop()
			a.configure(func(*syncclient.Config) {})
			a.start()
			settle(t, c, a, b)
			checkConverged(t, c, made, a, b)
			if tc.dups && c.duplicates() == 0 {
				t.Errorf("no change was pushed twice: the fault did not cut an answer")
			}
		})
	}
}

// retarget returns a's sync state pointing at serverURL.
func retarget(t *testing.T, d *device, serverURL string) localdb.SyncState {
	t.Helper()
	st, err := d.store.SyncState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.ServerURL = serverURL
	return st
}

// moveToken makes d's token, stored for from, known for to as well.
func moveToken(t *testing.T, d *device, from, to string) {
	t.Helper()
	tokens := syncclient.NewTokens(d.dir)
	token, err := tokens.Get(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := tokens.Set(to, token); err != nil {
		t.Fatal(err)
	}
}

// waitFor waits until cond holds; the minute is a failure bound only.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The server stops while devices work and comes back on the same address.
func TestServerRestart(t *testing.T) {
	c, a, b, made := shopOf(t, server.Config{})
	a.start()
	b.start()
	made = append(made, a.credits(20)...)
	c.stop()
	made = append(made, a.credits(20)...)
	made = append(made, b.credits(20)...)
	waitFor(t, "the till to go offline", func() bool { return a.client.Status().State == syncclient.StateOffline })
	c.start(false)
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
}

// The server is restored from a copy older than changes it acknowledged. With its new
// epoch, devices pull from zero and push those changes again: none is lost.
func TestServerRestoredFromOlderCopy(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	a.start()
	b.start()
	made = append(made, a.credits(20)...)
	settle(t, c, a, b)

	c.stop()
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, c.path, backup)
	c.start(false)
	made = append(made, a.credits(25)...)
	made = append(made, b.credits(25)...)
	code := a.codes()[0]
	acc, err := a.store.AccountByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	acc.Customer.Name = "Renamed after the backup"
	if err := a.store.SaveCustomer(ctx, acc.Customer); err != nil {
		t.Fatal(err)
	}
	settle(t, c, a, b) // all acknowledged by the server...
	before := len(c.log())

	c.stop() // ...which is then restored from the backup
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(c.path + suffix)
	}
	copyFile(t, backup, c.path)
	c.start(true)
	if got := len(c.log()); got >= before {
		t.Fatalf("the restored server has %d changes, want fewer than the %d it had", got, before)
	}
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
	if c.duplicates() == 0 {
		t.Errorf("no change was pushed again to the restored server")
	}
	got, err := b.store.AccountByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if got.Customer.Name != "Renamed after the backup" {
		t.Errorf("after the restore the kiosk has name %q, want the till's rename pushed again", got.Customer.Name)
	}
}

// copyFile copies a stopped server's SQLite file (its WAL was checkpointed on close).
func copyFile(t testing.TB, from, to string) {
	t.Helper()
	if _, err := os.Stat(from + "-wal"); err == nil {
		if fi, _ := os.Stat(from + "-wal"); fi.Size() > 0 {
			t.Fatalf("%s has a WAL left: the copy would miss changes", from)
		}
	}
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// A revoked device stops retrying and says so; enrolled again, it syncs what waited.
func TestRevokedDeviceAsksToReconnect(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	st, err := b.store.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.db.Revoke(ctx, c.shop.ID, st.DeviceID); err != nil {
		t.Fatal(err)
	}
	made = append(made, b.credits(5)...)
	b.start()
	waitFor(t, "the kiosk to be refused", func() bool { return b.client.Status().State == syncclient.StateUnauthorized })
	if got := b.client.Status(); got.Err != "unauthorized: reconnect the device" || !got.RetryAt.IsZero() {
		t.Errorf("status = %+v, want the reconnect message and no retry due", got)
	}
	if err := b.client.Enroll(ctx, c.url(), "WRONG-CODE", "kiosk"); err == nil || !strings.Contains(err.Error(), "code") {
		t.Errorf("Enroll with a wrong code: %v, want an error about the code", err)
	}
	b.enroll(c.url(), c.newCode())
	a.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
	// Refused once, the kiosk asked nothing more until enrolled again: a backoff
	// (20 ms at first) would have retried during the steps above.
	refused := c.answered(func(a answer) bool {
		return a.status == http.StatusUnauthorized && strings.HasPrefix(a.path, "/v1/sync/")
	})
	if len(refused) != 1 {
		t.Errorf("the server refused %d sync requests, want 1: the revoked kiosk retried", len(refused))
	}
}

// A rate-limited device waits what the server says and then syncs.
func TestRateLimitHonoured(t *testing.T) {
	// The limiters' clock stands still from the start of the work until the till has
	// been held back: its third request in a row is refused, however slowly this
	// machine runs them.
	var stopped atomic.Pointer[time.Time]
	clock := func() time.Time {
		if at := stopped.Load(); at != nil {
			return *at
		}
		return time.Now()
	}
	c, a, b, made := shopOf(t, server.Config{DeviceRate: 2, DeviceBurst: 2, Now: clock})
	now := time.Now()
	stopped.Store(&now)
	token, err := syncclient.NewTokens(a.dir).Get(c.url())
	if err != nil {
		t.Fatal(err)
	}
	made = append(made, a.credits(5)...)
	a.start()
	b.start()
	waitFor(t, "a 429", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, st := range a.statuses {
			if strings.Contains(st.Err, "429") {
				return true
			}
		}
		return false
	})
	stopped.Store(nil)
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)

	// The server says Retry-After: 1; the backoff alone would wait at most 0.5 s. The
	// till set its retry time after the refused request arrived at the server, so at
	// least a second after that arrival.
	held := c.answered(func(x answer) bool { return x.token == token && x.status == http.StatusTooManyRequests })
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, st := range a.statuses {
		if i > 0 && st.RetryAt == a.statuses[i-1].RetryAt {
			continue // a later update of the pending count: not when the retry was set
		}
		if !strings.Contains(st.Err, "429") {
			continue
		}
		var arrived time.Time // of the last refused request before this status
		for _, x := range held {
			if x.arrived.Before(st.at) {
				arrived = x.arrived
			}
		}
		if st.State != syncclient.StateOffline || arrived.IsZero() || st.RetryAt.Sub(arrived) < time.Second {
			t.Errorf("status with a 429: %+v, refused request arrived at %v; want offline until a second after it", st.Status, arrived)
		}
	}
}
