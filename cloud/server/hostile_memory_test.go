package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/syncwire"
)

// heapBound is the most the heap may grow while the server takes the attacks of
// TestHostileMemory, all at once, with the default limits (those past MaxInFlight
// are shed); README.md states it.
const heapBound = 256 << 20

// TestHostileMemory sends at once the requests that used to take the server's heap to
// gigabytes: pushes of 1.4 million empty changes in 4 KB of gzip, pushes of one 4 MiB
// change, and pulls of 1,000 records of 60 KiB; and pushes as large as allowed. The heap, sampled until they are all
// answered, stays under heapBound above what it was before.
//
// Under the race detector, building these bodies costs more than serving them: they
// are built once for both databases, and the shop is filled through the store, as
// what is measured is the server's heap during the attacks, not how the records came.
func TestHostileMemory(t *testing.T) {
	fill := strings.Repeat("m", 60<<10)
	// The notes share one body: a live heap of 60 MB in the test would let that much
	// more garbage wait for the collector and count as the server's.
	text, err := json.Marshal(map[string]string{"text": fill})
	if err != nil {
		t.Fatal(err)
	}
	var notes []syncwire.Change
	for i := range 1000 {
		notes = append(notes, syncwire.Change{ID: synctest.NewID(t), Type: "note", Key: fmt.Sprint("note-", i), Body: text, Device: "till-1", At: synctest.At})
	}
	empties := gzipped(t, "{\"changes\":[", strings.Repeat("{},", 1_398_000), "{}]}")
	huge := []byte(`{"changes":[{"id":"x","type":"note","key":"k","body":{"text":"` +
		strings.Repeat("m", 4<<20-100) + `"}}]}`)
	empty := attack{"pushes of 1.4 million empty changes", "POST", "/v1/sync/push", empties, true}
	big := attack{"pushes of one 4 MiB change", "POST", "/v1/sync/push", huge, false}
	pull := attack{"pulls of 1,000 records of 60 KiB", "GET", "/v1/sync/pull?cursor=0&limit=1000", nil, false}
	// Not hostile, but the most a push may carry: 3.6 MiB, new records each.
	var full []attack
	for range 8 {
		var batch []syncwire.Change
		for range 60 {
			batch = append(batch, synctest.Record(t, "note", synctest.NewID(t), map[string]string{"text": fill}))
		}
		b, err := json.Marshal(syncwire.PushRequest{Changes: batch})
		if err != nil {
			t.Fatal(err)
		}
		full = append(full, attack{"pushes of 60 records of 60 KiB", "POST", "/v1/sync/push", b, false})
	}
	rounds := []struct {
		name    string
		attacks []attack
	}{
		{"8 " + empty.name, slices.Repeat([]attack{empty}, 8)},
		{"8 " + big.name, slices.Repeat([]attack{big}, 8)},
		{"16 " + pull.name, slices.Repeat([]attack{pull}, 16)},
		{"8 " + full[0].name, full},
		{"all of them at once", slices.Concat(slices.Repeat([]attack{empty, big}, 8), slices.Repeat([]attack{pull}, 16), full)},
	}
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, server.Config{DeviceRate: 1000, DeviceBurst: 1000})
		d := e.shop("Shop")
		dev, err := e.db.Authenticate(context.Background(), d.Token)
		if err != nil {
			t.Fatal(err)
		}
		for batch := range slices.Chunk(notes, 60) {
			resp, err := e.db.Push(context.Background(), dev, batch)
			if err != nil || len(resp.Accepted) != len(batch) {
				t.Fatalf("filling the shop: %d of %d accepted (%v): %+v", len(resp.Accepted), len(batch), err, resp.Rejected)
			}
		}
		for _, round := range rounds {
			peak := sampleHeap(t, func() {
				var wg sync.WaitGroup
				for _, a := range round.attacks {
					wg.Go(func() { e.attack(t, d, a) })
				}
				wg.Wait()
			})
			t.Logf("%s: the heap grew by %.1f MiB at most", round.name, float64(peak)/(1<<20))
			if peak > heapBound {
				t.Errorf("%s: the heap grew by %.1f MiB, want at most %d MiB", round.name, float64(peak)/(1<<20), heapBound>>20)
			}
		}
		// The server still serves.
		if resp := e.push(d, synctest.Op(t, "c", 1)); len(resp.Accepted) != 1 {
			t.Errorf("push after the attacks = %+v", resp)
		}
	})
}

// attack is a request of TestHostileMemory.
type attack struct {
	name, method, path string
	body               []byte
	gzip               bool
}

// attack sends a as d and reads the answer to its end, failing t on a server error other
// than shedding the load.
func (e *env) attack(t *testing.T, d device, a attack) {
	var body io.Reader
	if a.body != nil {
		body = bytes.NewReader(a.body)
	}
	req, err := http.NewRequest(a.method, e.http.URL+a.path, body)
	if err != nil {
		t.Error(err)
		return
	}
	req.Header.Set("Authorization", "Bearer "+d.Token)
	if a.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s: %v", a.name, err)
		return
	}
	defer resp.Body.Close()
	// Read and dropped: the test's heap is the server's.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Errorf("%s: read the answer: %v", a.name, err)
	}
	shed := resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != ""
	if resp.StatusCode >= 500 && !shed {
		t.Errorf("%s: status %d", a.name, resp.StatusCode)
	}
}

// sampleHeap runs f and returns by how much the heap's objects, dead ones not yet
// collected included, grew over their size at the start, at most, sampled without
// pause until f returns.
func sampleHeap(t *testing.T, f func()) uint64 {
	t.Helper()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			t.Fatalf("runtime/metrics has no %s", sample[0].Name)
		}
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := read()
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var top uint64
		for {
			top = max(top, read())
			select {
			case <-done:
				peak <- top
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	f()
	close(done)
	top := <-peak
	if top < base {
		return 0
	}
	return top - base
}

// gzipped returns the gzip compression of the parts put end to end.
func gzipped(t *testing.T, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	for _, p := range parts {
		if _, err := io.WriteString(zw, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
