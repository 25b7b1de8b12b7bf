package server_test

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/internal/pgtest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// benchConfig lifts the rate limits and the cap on requests in flight: the benchmarks
// measure the server, not the limiter.
var benchConfig = server.Config{MaxInFlight: 1000, DeviceRate: 1e9, DeviceBurst: 1e9, EnrollLimit: unlimited, CardLimit: unlimited,
	AuthFailLimit: unlimited, GlobalLimit: unlimited}

var unlimited = server.Limit{Rate: 1e9, Burst: 1e9}

// gzipPush is a push body as the sync client sends it.
func gzipPush(tb testing.TB, changes []syncwire.Change) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if err := json.NewEncoder(zw).Encode(syncwire.PushRequest{Changes: changes}); err != nil {
		tb.Fatal(err)
	}
	zw.Close()
	return b.Bytes()
}

func (e *env) pushRaw(tb testing.TB, d device, body []byte) syncwire.PushResponse {
	req, _ := http.NewRequest("POST", e.http.URL+"/v1/sync/push", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+d.Token)
	req.Header.Set("Content-Encoding", "gzip")
	var resp syncwire.PushResponse
	if st := e.do(req, &resp); st != http.StatusOK {
		tb.Fatalf("push: status %d", st)
	}
	return resp
}

// weekOffline is a week of a busy shop's till: n operations on 2,000 customers.
func weekOffline(tb testing.TB, n int) []syncwire.Change {
	ops := make([]syncwire.Change, n)
	for i := range ops {
		ops[i] = synctest.Op(tb, fmt.Sprintf("customer-%d", i%2000), int64(1+i%7))
	}
	return ops
}

// BenchmarkPushPull100k pushes 100,000 operations queued during a week offline, in
// batches of 500 as the client sends them, to a SQLite server on loopback, then pulls
// them all on a second device. The baseline inserts the same rows into a bare SQLite
// table in the same batches, with no HTTP, validation or projection.
func BenchmarkPushPull100k(b *testing.B) {
	const total, batch = 100_000, 500
	ops := weekOffline(b, total)
	bodies := make([][]byte, 0, total/batch)
	for i := 0; i < total; i += batch {
		bodies = append(bodies, gzipPush(b, ops[i:i+batch]))
	}

	b.Run("baseline=bare-sqlite-insert", func(b *testing.B) {
		for b.Loop() {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "bare.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.Exec("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)"); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < total; i += batch {
				tx, _ := db.Begin()
				st, _ := tx.Prepare("INSERT INTO t VALUES (?, ?)")
				for _, c := range ops[i : i+batch] {
					if _, err := st.Exec(c.ID, string(c.Body)); err != nil {
						b.Fatal(err)
					}
				}
				st.Close()
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			db.Close()
		}
	})

	b.Run("server=sqlite", func(b *testing.B) {
		var pushTime, pullTime time.Duration
		for b.Loop() {
			e := newEnv(b, synctest.SQLite(b), benchConfig)
			till := e.shop("Shop")
			var code syncwire.CodeResponse
			e.call("POST", "/v1/codes", till.Token, syncwire.CodeRequest{}, &code)
			office := e.enroll(code.Code, "Office")

			start := time.Now()
			for _, body := range bodies {
				if resp := e.pushRaw(b, till, body); len(resp.Accepted) != batch {
					b.Fatalf("accepted %d of %d", len(resp.Accepted), batch)
				}
			}
			pushTime += time.Since(start)
			start = time.Now()
			pulled := 0
			for cursor := int64(0); ; {
				page := e.pull(office, fmt.Sprintf("cursor=%d&limit=1000", cursor))
				pulled += len(page.Changes)
				cursor = page.Cursor
				if !page.More {
					break
				}
			}
			pullTime += time.Since(start)
			if pulled != total {
				b.Fatalf("pulled %d, want %d", pulled, total)
			}
		}
		n := float64(b.N)
		b.ReportMetric(pushTime.Seconds()/n, "push-s")
		b.ReportMetric(pullTime.Seconds()/n, "pull-s")
		b.ReportMetric(total*n/pushTime.Seconds(), "pushed-ops/s")
	})
}

// BenchmarkThroughput50Devices runs 50 devices of 10 shops at once, each pushing
// batches of operations and pulling its shop's changes, on SQLite and PostgreSQL:
// batches of 50, a till back online, and of 1, a till online pushing each sale.
func BenchmarkThroughput50Devices(b *testing.B) {
	for _, batch := range []int{50, 1} {
		for _, db := range synctest.Backends {
			b.Run(fmt.Sprintf("batch=%d/db=%s", batch, db.Name), func(b *testing.B) { benchThroughput(b, db.DSN(b), batch) })
		}
	}
}

func benchThroughput(b *testing.B, dsn string, batch int) {
	e := newEnv(b, dsn, benchConfig)
	const shops, perShop = 10, 5
	var devices []device
	for s := range shops {
		owner := e.shop(fmt.Sprintf("Shop %d", s))
		// The tills' purchases earn within the program: all of them are accepted.
		e.push(owner, synctest.Record(b, syncwire.TypeSetting, syncwire.SettingProgram, loyalty.Program{Currency: "EUR", PointsPerUnit: 1}))
		devices = append(devices, owner)
		for range perShop - 1 {
			var code syncwire.CodeResponse
			e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{}, &code)
			devices = append(devices, e.enroll(code.Code, "Till"))
		}
	}
	var pushed atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		var wg sync.WaitGroup
		for _, d := range devices {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := gzipPush(b, weekOffline(b, batch))
				t0 := time.Now()
				resp := e.pushRaw(b, d, body)
				took := time.Since(t0)
				pushed.Add(int64(len(resp.Accepted)))
				e.pull(d, fmt.Sprintf("cursor=%d&limit=1000", max(0, resp.Version-int64(batch))))
				mu.Lock()
				latencies = append(latencies, took)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(pushed.Load())/time.Since(start).Seconds(), "ops/s")
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "push-p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "push-p99-ms")
}

// BenchmarkPushBatch shows that the memory a push takes grows with the batch and no
// faster: allocations and bytes per change, counted around the handler alone, stay
// flat from 10 to 1,000 changes.
func BenchmarkPushBatch(b *testing.B) {
	for _, size := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("changes=%d", size), func(b *testing.B) {
			e := newEnv(b, synctest.SQLite(b), benchConfig)
			d := e.shop("Shop")
			var mallocs, allocated uint64
			var m0, m1 runtime.MemStats
			for b.Loop() {
				b.StopTimer()
				req := httptest.NewRequest("POST", "/v1/sync/push", bytes.NewReader(gzipPush(b, weekOffline(b, size))))
				req.Header.Set("Authorization", "Bearer "+d.Token)
				req.Header.Set("Content-Encoding", "gzip")
				rec := httptest.NewRecorder()
				runtime.ReadMemStats(&m0)
				b.StartTimer()
				e.srv.ServeHTTP(rec, req)
				b.StopTimer()
				runtime.ReadMemStats(&m1)
				if rec.Code != http.StatusOK {
					b.Fatalf("push: status %d", rec.Code)
				}
				mallocs += m1.Mallocs - m0.Mallocs
				allocated += m1.TotalAlloc - m0.TotalAlloc
				b.StartTimer()
			}
			changes := float64(b.N * size)
			b.ReportMetric(float64(mallocs)/changes, "allocs/change")
			b.ReportMetric(float64(allocated)/changes, "B/change")
			b.ReportMetric(b.Elapsed().Seconds()*1e6/changes, "us/change")
		})
	}
}

// BenchmarkLoad1000Shops simulates 1,000 shops of 3 devices each (two tills and the
// owner's desk) on one server and PostgreSQL, all on loopback: in each round every
// device pushes one sale, as a till online does, and pulls its shop's news, 64 requests
// at a time. It reports the operations per second, the push latency, the server's heap
// and the database's growth per operation, from which a busy café's year follows
// (300 operations a day).
func BenchmarkLoad1000Shops(b *testing.B) {
	const shops, perShop, rounds, workers = 1000, 3, 3, 64
	dsn := pgtest.URL(b)
	e := newEnv(b, dsn, benchConfig)
	devices := make([]device, shops*perShop)
	prog := loyalty.Program{Currency: "EUR", PointsPerUnit: 1}
	parallel(workers, shops, func(s int) {
		owner := e.shop(fmt.Sprintf("Shop %d", s))
		e.push(owner, synctest.Record(b, syncwire.TypeSetting, syncwire.SettingProgram, prog))
		devices[s*perShop] = owner
		for i := 1; i < perShop; i++ {
			var code syncwire.CodeResponse
			e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{}, &code)
			devices[s*perShop+i] = e.enroll(code.Code, "Till")
		}
	})
	sizeBefore := databaseSize(b, dsn)
	var pushed atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	for b.Loop() {
		parallel(workers, len(devices)*rounds, func(i int) {
			d := devices[i%len(devices)]
			body := gzipPush(b, weekOffline(b, 1))
			t0 := time.Now()
			resp := e.pushRaw(b, d, body)
			took := time.Since(t0)
			pushed.Add(int64(len(resp.Accepted)))
			e.pull(d, fmt.Sprintf("cursor=%d&limit=1000", resp.Version-1))
			mu.Lock()
			latencies = append(latencies, took)
			mu.Unlock()
		})
	}
	b.StopTimer()
	n := pushed.Load()
	if n != int64(b.N*len(devices)*rounds) {
		b.Fatalf("accepted %d operations, want %d", n, b.N*len(devices)*rounds)
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	perOp := float64(databaseSize(b, dsn)-sizeBefore) / float64(n)
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ops/s")
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "push-p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "push-p99-ms")
	b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric(perOp, "db-B/op")
	b.ReportMetric(perOp*300*365/(1<<20), "db-MiB/shop-year")
}

// parallel runs f(0) to f(n-1) on workers goroutines.
func parallel(workers, n int, f func(int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// databaseSize returns the bytes the PostgreSQL database behind dsn takes on disk.
func databaseSize(b *testing.B, dsn string) int64 {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var size int64
	if err := db.QueryRow("SELECT pg_database_size(current_database())").Scan(&size); err != nil {
		b.Fatal(err)
	}
	return size
}
