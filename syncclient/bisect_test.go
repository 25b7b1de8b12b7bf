package syncclient_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/syncwire"
)

// front serves the real server behind a handler that fails pushes with 500 as a
// server of another version, or with a fault nobody foresaw, might: fail sees the ids
// of each push, the empty ones too, and says whether to fail it.
type front struct {
	t    *testing.T
	next http.Handler

	mu     sync.Mutex
	fail   func(ids []string) bool
	pushes [][]string // the ids of every push, in order
	failed int
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/sync/push" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		plain := body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				plain, err = io.ReadAll(zr)
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		var req syncwire.PushRequest
		if err := json.Unmarshal(plain, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ids := []string{}
		for _, c := range req.Changes {
			ids = append(ids, c.ID)
		}
		f.mu.Lock()
		f.pushes = append(f.pushes, ids)
		fail := f.fail(ids)
		if fail {
			f.failed++
		}
		f.mu.Unlock()
		if fail {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(syncwire.Error{Code: syncwire.ErrCodeInternal, Message: "internal error"})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	f.next.ServeHTTP(w, r)
}

// locked runs g with the front's lock held: fail runs under it, on the server's
// goroutines.
func (f *front) locked(g func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g()
}

// count returns how many pushes matched.
func (f *front) count(match func(ids []string) bool) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, ids := range f.pushes {
		if match(ids) {
			n++
		}
	}
	return n
}

// behindFront returns a shop whose till talks to the server through a front failing
// pushes as fail says, and the till's new operations, made offline: the seeded ones
// are on the server already.
func behindFront(t *testing.T, n int, fail func(f *front, ids []string) bool) (*cloud, *device, *front, []loyalty.Operation) {
	t.Helper()
	c, a, _, _ := shopOf(t, server.Config{})
	f := &front{t: t, next: c.srv}
	f.fail = func(ids []string) bool { return fail(f, ids) }
	hs := httptest.NewServer(f)
	t.Cleanup(hs.Close)
	if err := a.store.SaveEnrollment(context.Background(), retarget(t, a, hs.URL)); err != nil {
		t.Fatal(err)
	}
	moveToken(t, a, c.url(), hs.URL)
	return c, a, f, a.credits(n)
}

func lone(id string) func([]string) bool {
	return func(ids []string) bool { return len(ids) == 1 && ids[0] == id }
}

// onServer returns the ids of the shop's operations on the server.
func onServer(c *cloud) map[string]bool {
	out := map[string]bool{}
	for _, ch := range c.log() {
		if ch.Type == syncwire.TypeOp {
			out[ch.ID] = true
		}
	}
	return out
}

func notSynced(t *testing.T, d *device) ([]localdb.RejectedChange, int) {
	t.Helper()
	l, err := d.store.NotSynced(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return l.Changes, l.Total
}

// Finding: one change the server failed on (500) stopped the whole queue for good.
// Now the batch is split until that change is alone; failing alone SetAsideAfter
// times while the server takes an empty push, it is set aside and the rest flows.
func TestPoisonChangeIsSetAsideAndTheQueueFlows(t *testing.T) {
	var poison string
	c, a, f, made := behindFront(t, 40, func(_ *front, ids []string) bool { return slices.Contains(ids, poison) })
	f.locked(func() { poison = made[9].ID })
	a.start()
	waitFor(t, "the outbox to drain", func() bool { return a.pending() == 0 })

	list, n := notSynced(t, a)
	if n != 1 || list[0].ID != poison || list[0].Code != localdb.CodeSetAside || list[0].Source != "push" {
		t.Fatalf("NotSynced = %d %+v, want the poison change %s set aside", n, list, poison)
	}
	on := onServer(c)
	for _, op := range made {
		if got, want := on[op.ID], op.ID != poison; got != want {
			t.Errorf("operation %s on the server: %v, want %v", op.ID, got, want)
		}
	}
	if got := f.count(lone(poison)); got != syncclient.SetAsideAfter {
		t.Errorf("the poison change was pushed alone %d times, want %d", got, syncclient.SetAsideAfter)
	}
	if got := f.count(func(ids []string) bool { return len(ids) == 0 }); got < syncclient.SetAsideAfter {
		t.Errorf("%d empty pushes checked the server, want at least %d", got, syncclient.SetAsideAfter)
	}
	// Its operation stays in the device's ledger: nothing recorded is lost.
	if _, err := a.store.Operation(context.Background(), poison); err != nil {
		t.Errorf("the set-aside operation left the ledger: %v", err)
	}
}

// A server that fails everything (restarting, its database away) sets nothing aside:
// the empty push fails too, so no change is blamed.
func TestTransientServerFaultsSetNothingAside(t *testing.T) {
	const outage = 12 // more than the splits down to one change and SetAsideAfter tries
	c, a, f, made := behindFront(t, 40, func(f *front, _ []string) bool { return f.failed < outage })
	a.start()
	waitFor(t, "the outbox to drain", func() bool { return a.pending() == 0 })
	if _, n := notSynced(t, a); n != 0 {
		t.Errorf("%d changes set aside after a passing outage, want none", n)
	}
	f.locked(func() {
		if f.failed < outage {
			t.Errorf("%d pushes failed, want the outage's %d", f.failed, outage)
		}
	})
	on := onServer(c)
	for _, op := range made {
		if !on[op.ID] {
			t.Errorf("operation %s is not on the server", op.ID)
		}
	}
}

// A change the server fails on alone fewer than SetAsideAfter times in a row, then
// takes, is not set aside.
func TestLoneChangeFailingLessThanTheLimitIsNotSetAside(t *testing.T) {
	var flaky string
	lones := 0
	c, a, f, made := behindFront(t, 20, func(_ *front, ids []string) bool {
		if !slices.Contains(ids, flaky) || lones == syncclient.SetAsideAfter-1 {
			return false
		}
		if len(ids) == 1 {
			lones++
		}
		return true
	})
	f.locked(func() { flaky = made[5].ID })
	a.start()
	waitFor(t, "the outbox to drain", func() bool { return a.pending() == 0 })
	if _, n := notSynced(t, a); n != 0 {
		t.Errorf("%d changes set aside, want none", n)
	}
	if !onServer(c)[flaky] {
		t.Errorf("the change that failed %d times is not on the server", syncclient.SetAsideAfter-1)
	}
	if got := f.count(lone(flaky)); got != syncclient.SetAsideAfter {
		t.Errorf("the change was pushed alone %d times, want %d (%d failures, then it went)", got, syncclient.SetAsideAfter, syncclient.SetAsideAfter-1)
	}
}
