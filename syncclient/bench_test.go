package syncclient_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/syncwire"
)

// weekOps is a busy week offline: 100,000 operations waiting in the outbox.
const weekOps = 100_000

var (
	weekOnce sync.Once
	weekPath string
	weekErr  error
)

// weekTemplate builds, once per run, a device database with the demo shop and
// weekOps credits queued, and returns its path; each benchmark copies it.
func weekTemplate(b *testing.B) string {
	weekOnce.Do(func() {
		// On tmpfs where there is one: building the fixture is not what is measured, and
		// 100,000 synchronous commits to a disk take minutes.
		parent := ""
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			parent = "/dev/shm"
		}
		dir, err := os.MkdirTemp(parent, "merci-week-")
		if err != nil {
			weekErr = err
			return
		}
		weekPath = filepath.Join(dir, "merci.db")
		weekErr = buildWeek(weekPath)
	})
	if weekErr != nil {
		b.Fatal(weekErr)
	}
	return weekPath
}

func buildWeek(path string) error {
	ctx := context.Background()
	s, err := localdb.Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SeedSample(ctx, localdb.Shop{Name: "Café Merci"}); err != nil {
		return err
	}
	p, err := s.Program(ctx)
	if err != nil {
		return err
	}
	rows, err := s.DB().Query(`SELECT code FROM cards`)
	if err != nil {
		return err
	}
	var codes []cards.Code
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		codes = append(codes, cards.Code(c))
	}
	rows.Close()
	start := time.Now().Add(-7 * 24 * time.Hour)
	for i := range weekOps {
		o := loyalty.Origin{Device: s.Device(), At: start.Add(time.Duration(i) * 6 * time.Second)}
		if _, _, err := s.Record(ctx, codes[i%len(codes)], func(a localdb.Account) (loyalty.Operation, error) {
			return p.Credit(o, a.Card, loyalty.Money(100+i%5000))
		}); err != nil {
			return err
		}
	}
	_, err = s.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// BenchmarkWeekOffline pushes a week of operations queued offline from one device to
// the real server over loopback HTTP, then pulls them all into a second device. The
// server runs in this process, so allocations are the client's and the server's.
// The baseline does the same work on the same stores without HTTP or the client: the
// server's store.Push and store.Pull called directly.
func BenchmarkWeekOffline(b *testing.B) {
	template := weekTemplate(b)
	b.Run("baseline=store-direct", func(b *testing.B) { benchWeek(b, template, false) })
	b.Run("client-http", func(b *testing.B) { benchWeek(b, template, true) })
}

func benchWeek(b *testing.B, template string, viaHTTP bool) {
	ctx := context.Background()
	var pushTotal, pullTotal, cpuTotal time.Duration
	var mallocs uint64
	for b.Loop() {
		b.StopTimer()
		c := startCloud(b, server.Config{})
		a := newDevice(b, "till", false)
		a.store.Close()
		copyFile(b, template, filepath.Join(a.dir, "merci.db"))
		// Each device says when it is done through its status, as the status bar
		// learns it: polling the stores would compete with the sync for the CPU.
		pushed, caughtUp := make(chan struct{}), make(chan struct{})
		queued := false // the status starts at zero pending, before the first count
		reopen(b, a, once(pushed, func(st syncclient.Status) bool {
			queued = queued || st.Pending > 0
			return queued && st.Pending == 0
		}))
		dst := newDevice(b, "office", false)
		dst.store.Close()
		reopen(b, dst, once(caughtUp, func(st syncclient.Status) bool { return st.State == syncclient.StateOnline }))
		a.enroll(c.url(), c.code)
		dst.enroll(c.url(), c.newCode())
		if n := a.pending(); n < weekOps {
			b.Fatalf("the till has %d changes queued, want %d", n, weekOps)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cpu := cpuTime(b)
		b.StartTimer()

		start := time.Now()
		if viaHTTP {
			a.start()
			wait(b, pushed)
			a.stop()
		} else {
			pushDirect(b, c, a)
		}
		mid := time.Now()
		if viaHTTP {
			dst.start()
			wait(b, caughtUp)
			dst.stop()
		} else {
			pullDirect(b, c, dst)
		}
		pullTotal += time.Since(mid)
		pushTotal += mid.Sub(start)

		b.StopTimer()
		cpuTotal += cpuTime(b) - cpu
		runtime.ReadMemStats(&after)
		mallocs += after.Mallocs - before.Mallocs
		var ops int
		if err := dst.store.DB().QueryRowContext(ctx, `SELECT count(*) FROM operations`).Scan(&ops); err != nil || ops < weekOps {
			b.Fatalf("the office holds %d operations (%v), want at least %d", ops, err, weekOps)
		}
		c.stop()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(pushTotal.Seconds()/n, "push-s")
	b.ReportMetric(pullTotal.Seconds()/n, "pull-s")
	b.ReportMetric(float64((pushTotal+pullTotal).Nanoseconds())/n/weekOps, "ns/change")
	b.ReportMetric(float64(mallocs)/n/weekOps, "allocs/change")
	b.ReportMetric(cpuTotal.Seconds()/n, "cpu-s")
}

// cpuTime returns the CPU time this process has used, client and server together: on
// a machine shared with other work, the wall time also counts the wait for a core.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reopen opens the device's closed database again, with a client that reports its
// statuses to onStatus.
func reopen(b *testing.B, d *device, onStatus func(syncclient.Status)) {
	s, err := localdb.Open(context.Background(), filepath.Join(d.dir, "merci.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	cfg := clientConfig(d.dir)
	cfg.OnStatus = onStatus
	d.store, d.client = s, syncclient.New(s, cfg)
}

// once returns a status callback that closes done at the first status meeting cond.
func once(done chan struct{}, cond func(syncclient.Status) bool) func(syncclient.Status) {
	var o sync.Once
	return func(st syncclient.Status) {
		if cond(st) {
			o.Do(func() { close(done) })
		}
	}
}

func wait(b *testing.B, done <-chan struct{}) {
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatal("waited 5 minutes")
	}
}

// pushDirect drains the device's outbox into the server's store in batches of 1000,
// as the client does, without HTTP.
func pushDirect(b *testing.B, c *cloud, d *device) {
	ctx := context.Background()
	dev := authenticate(b, c, d)
	for {
		batch, err := d.store.Outgoing(ctx, 1000)
		if err != nil {
			b.Fatal(err)
		}
		if len(batch) == 0 {
			return
		}
		changes := make([]syncwire.Change, len(batch))
		for i, q := range batch {
			changes[i] = q.Change
		}
		resp, err := c.db.Push(ctx, dev, changes)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.store.Acknowledge(ctx, batch, resp); err != nil {
			b.Fatal(err)
		}
	}
}

// pullDirect pulls the whole log into the device in pages of 1000, without HTTP.
func pullDirect(b *testing.B, c *cloud, d *device) {
	ctx := context.Background()
	for {
		from := d.cursor()
		resp, err := c.db.Pull(ctx, c.shop.ID, from, store.MaxPullLimit)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.store.ApplyPull(ctx, from, resp); err != nil {
			b.Fatal(err)
		}
		if !resp.More {
			return
		}
	}
}

// authenticate returns the server's record of the device, from its stored token.
func authenticate(b *testing.B, c *cloud, d *device) store.Device {
	st, err := d.store.SyncState(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	token, err := syncclient.NewTokens(d.dir).Get(st.ServerURL)
	if err != nil {
		b.Fatal(err)
	}
	dev, err := c.db.Authenticate(context.Background(), token)
	if err != nil {
		b.Fatal(err)
	}
	return dev
}
