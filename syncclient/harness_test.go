package syncclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/zalando/go-keyring"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/syncwire"
)

// errNoKeyring stands for a machine without a usable keyring, like this headless one:
// every device of a test keeps its token in the file of its own data folder, and a
// developer's real keyring is never touched.
var errNoKeyring = errors.New("no secret service")

func TestMain(m *testing.M) {
	keyring.MockInitWithError(errNoKeyring)
	code := m.Run()
	if weekPath != "" {
		os.RemoveAll(filepath.Dir(weekPath))
	}
	os.Exit(code)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// cloud is the real Merci cloud server on loopback, over a SQLite file.
type cloud struct {
	t    testing.TB
	path string
	addr string // kept across restarts, so devices find the server again
	cfg  server.Config

	db      *store.DB
	srv     *server.Server
	metrics *prometheus.Registry
	hs      *http.Server
	shop    store.Shop
	code    string // the owner's enrollment code

	mu      sync.Mutex
	answers []answer // every request answered, across restarts
}

// answer is one request the server answered.
type answer struct {
	token   string
	path    string
	status  int
	arrived time.Time // before the server read it
}

// startCloud starts a server with a new shop. Rate limits are high: the tests that
// need the server's limit set their own.
func startCloud(t testing.TB, cfg server.Config) *cloud {
	t.Helper()
	if cfg.DeviceRate == 0 {
		cfg.DeviceRate, cfg.DeviceBurst = 10000, 10000
	}
	cfg.Logger = quiet
	c := &cloud{t: t, path: filepath.Join(t.TempDir(), "cloud.db"), addr: "127.0.0.1:0", cfg: cfg}
	c.start(false)
	shop, code, err := c.db.CreateShop(context.Background(), "Café Merci")
	if err != nil {
		t.Fatal(err)
	}
	c.shop, c.code = shop, code.Code
	t.Cleanup(c.stop)
	return c
}

// start opens the database and serves it; rotate gives it a new epoch first, as
// `merci-cloud restore` does to a database restored from a backup.
func (c *cloud) start(rotate bool) {
	c.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, c.path)
	if err != nil {
		c.t.Fatal(err)
	}
	if rotate {
		if _, err := db.RotateEpoch(ctx); err != nil {
			c.t.Fatal(err)
		}
	}
	var ln net.Listener
	// The old socket may linger a moment after a restart; a minute is a failure bound.
	for deadline := time.Now().Add(time.Minute); ; {
		if ln, err = net.Listen("tcp", c.addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	c.addr = ln.Addr().String()
	cfg := c.cfg
	cfg.Metrics = prometheus.NewRegistry()
	c.db, c.srv, c.metrics = db, server.New(db, cfg), cfg.Metrics
	c.hs = &http.Server{Handler: c.record(c.srv)}
	go c.hs.Serve(ln)
}

// record notes each request's token, path, arrival and status in c.answers, so that
// tests count what the devices asked instead of waiting and assuming. The answer is
// noted before the device can read it.
func (c *cloud) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answer{token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), path: r.URL.Path, arrived: time.Now()}
		sw := &statusWriter{ResponseWriter: w, note: func(status int) {
			a.status = status
			c.mu.Lock()
			c.answers = append(c.answers, a)
			c.mu.Unlock()
		}}
		next.ServeHTTP(sw, r)
		sw.WriteHeader(http.StatusOK) // a no-op if the handler wrote its answer
	})
}

// answered returns the requests answered so far that keep.
func (c *cloud) answered(keep func(answer) bool) []answer {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []answer
	for _, a := range c.answers {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}

// statusWriter notes the status of the answer before writing it.
type statusWriter struct {
	http.ResponseWriter
	note  func(status int)
	wrote bool
}

func (w *statusWriter) WriteHeader(status int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.note(status)
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// stop shuts the server down as a deployment does; a no-op if it is stopped.
func (c *cloud) stop() {
	if c.hs == nil {
		return
	}
	c.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.hs.Shutdown(ctx)
	c.db.Close()
	c.hs = nil
}

// duplicates returns how many pushed changes this run of the server answered as
// duplicates: retries of changes it had applied.
func (c *cloud) duplicates() float64 {
	c.t.Helper()
	families, err := c.metrics.Gather()
	if err != nil {
		c.t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "merci_push_changes_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == "duplicate" {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func (c *cloud) url() string { return "http://" + c.addr }

// newCode returns a one-time code that enrolls one more device of the shop.
func (c *cloud) newCode() string {
	c.t.Helper()
	code, err := c.db.NewCode(context.Background(), c.shop.ID, syncwire.RoleTill)
	if err != nil {
		c.t.Fatal(err)
	}
	return code.Code
}

// log returns every live change of the shop, in server order.
func (c *cloud) log() []syncwire.Pulled {
	c.t.Helper()
	var all []syncwire.Pulled
	for cursor := int64(0); ; {
		resp, err := c.db.Pull(context.Background(), c.shop.ID, cursor, store.MaxPullLimit)
		if err != nil {
			c.t.Fatal(err)
		}
		all = append(all, resp.Changes...)
		cursor = resp.Cursor
		if !resp.More {
			return all
		}
	}
}

type statusAt struct {
	syncclient.Status
	at time.Time
}

// device is one installation of the desktop app.
type device struct {
	t      testing.TB
	name   string
	dir    string
	store  *localdb.Store
	client *syncclient.Client

	mu       sync.Mutex
	statuses []statusAt
	cancel   context.CancelFunc
	done     chan struct{}
}

// clientConfig makes the loop quick enough for tests: short waits and backoffs. Its
// timeouts are long: whether the cloud answers in time must not depend on how busy the
// machine is (a test of a timeout sets a short one while the network hangs).
func clientConfig(dir string) syncclient.Config {
	return syncclient.Config{
		DataDir:        dir,
		PullWait:       2 * time.Second,
		RequestTimeout: time.Minute,
		BackoffBase:    20 * time.Millisecond,
		BackoffCap:     500 * time.Millisecond,
		WatchEvery:     20 * time.Millisecond,
		SpendTimeout:   time.Hour,
		Logger:         quiet,
	}
}

// newDevice opens a device's store in a folder of its own; seed sets up a shop on it,
// with the demo's sample data.
func newDevice(t testing.TB, name string, seed bool) *device {
	t.Helper()
	d := &device{t: t, name: name, dir: t.TempDir()}
	ctx := context.Background()
	s, err := localdb.Open(ctx, filepath.Join(d.dir, "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if seed {
		if err := s.SeedSample(ctx, localdb.Shop{Name: "Café Merci"}); err != nil {
			t.Fatal(err)
		}
	}
	d.store = s
	d.configure(func(*syncclient.Config) {})
	return d
}

// configure gives the device a new client, of clientConfig changed by edit, that
// reports to the device's status log. The loop must be stopped.
func (d *device) configure(edit func(*syncclient.Config)) {
	cfg := clientConfig(d.dir)
	cfg.OnStatus = func(st syncclient.Status) {
		d.mu.Lock()
		d.statuses = append(d.statuses, statusAt{st, time.Now()})
		d.mu.Unlock()
	}
	edit(&cfg)
	d.client = syncclient.New(d.store, cfg)
}

func (d *device) enroll(serverURL, code string) {
	d.t.Helper()
	req := syncclient.JoinRequest{ServerURL: serverURL, Code: code, DeviceName: d.name, Local: localdb.LocalDataBring}
	if _, err := d.client.Join(context.Background(), req); err != nil {
		d.t.Fatal(err)
	}
}

// start runs the sync loop in the background until stop.
func (d *device) start() {
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan struct{})
	go func() {
		defer close(d.done)
		d.client.Run(ctx)
	}()
	d.t.Cleanup(d.stop)
}

func (d *device) stop() {
	if d.cancel != nil {
		d.cancel()
		<-d.done
		d.cancel = nil
	}
}

// sawState reports whether the device's status was ever state since it was made.
func (d *device) sawState(state syncclient.State) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, st := range d.statuses {
		if st.State == state {
			return true
		}
	}
	return false
}

// statusCount returns how many statuses the device reported since it was made.
func (d *device) statusCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.statuses)
}

func (d *device) cursor() int64 {
	st, err := d.store.SyncState(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return st.Cursor
}

func (d *device) pending() int {
	n, err := d.store.Pending(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

// credits records n purchases on random cards of the device, with a debit now and
// then, and returns the operations.
func (d *device) credits(n int) []loyalty.Operation {
	d.t.Helper()
	ctx := context.Background()
	p, err := d.store.Program(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	codes := d.codes()
	var ops []loyalty.Operation
	for i := range n {
		code := codes[rand.IntN(len(codes))]
		op, _, err := d.store.Record(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
			o := loyalty.Origin{Device: d.store.Device(), At: time.Now()}
			if i%4 == 3 && a.Balance.Points > 0 {
				return loyalty.Debit(o, a.Card, a.Balance, 1)
			}
			return p.Credit(o, a.Card, loyalty.Money(100+rand.IntN(5000)))
		})
		if err != nil {
			d.t.Fatal(err)
		}
		ops = append(ops, op)
	}
	return ops
}

// codes returns the codes of the device's active cards.
func (d *device) codes() []cards.Code {
	d.t.Helper()
	rows, err := d.store.DB().Query(`SELECT code FROM cards WHERE status = 'active' ORDER BY code`)
	if err != nil {
		d.t.Fatal(err)
	}
	defer rows.Close()
	var out []cards.Code
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			d.t.Fatal(err)
		}
		out = append(out, cards.Code(c))
	}
	if len(out) == 0 {
		d.t.Fatalf("%s has no active card", d.name)
	}
	return out
}

// settle waits until every device has pushed everything and pulled up to the server's
// last change.
func settle(t testing.TB, c *cloud, devices ...*device) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		done := true
		for _, d := range devices {
			if d.pending() != 0 {
				done = false
			}
		}
		// The log is read once the outboxes are seen empty: read before, it could miss a
		// push made in between, and devices that had not pulled it would look settled.
		log := c.log()
		var last int64
		if len(log) > 0 {
			last = log[len(log)-1].Version
		}
		for _, d := range devices {
			if d.cursor() != last {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			for _, d := range devices {
				t.Logf("%s: pending %d, cursor %d of %d, status %+v", d.name, d.pending(), d.cursor(), last, d.client.Status())
			}
			t.Fatalf("the devices did not settle in 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkConverged checks the oracle: every operation made is on the server exactly
// once and no other is; every device holds exactly the server's ledger, and its
// cached balances equal both its ledger's sums and the server's balances; customers,
// cards and settings are the same everywhere.
func checkConverged(t testing.TB, c *cloud, made []loyalty.Operation, devices ...*device) {
	t.Helper()
	ctx := context.Background()
	want := map[string]bool{}
	for _, op := range made {
		want[op.ID] = true
	}
	serverOps := map[string]loyalty.Operation{}
	for _, ch := range c.log() {
		if ch.Type != syncwire.TypeOp {
			continue
		}
		if _, dup := serverOps[ch.ID]; dup {
			t.Errorf("operation %s is twice in the server's log", ch.ID)
		}
		var op loyalty.Operation
		if err := json.Unmarshal(ch.Body, &op); err != nil {
			t.Fatal(err)
		}
		serverOps[ch.ID] = op
	}
	for id := range want {
		if _, ok := serverOps[id]; !ok {
			t.Errorf("operation %s made on a device is not on the server", id)
		}
	}
	// The server's sums, from its log and from its own balance projection.
	sums := map[string]loyalty.Balance{}
	for _, op := range serverOps {
		sums[op.CustomerID] = sums[op.CustomerID].Add(op.Delta)
	}
	for id, sum := range sums {
		b, err := c.db.Balance(ctx, c.shop.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if b != sum {
			t.Errorf("server balance of %s = %+v, its log sums to %+v", id, b, sum)
		}
	}
	var first []snapshotRow
	for i, d := range devices {
		ledger := map[string]bool{}
		rows, err := d.store.DB().QueryContext(ctx, `SELECT id FROM operations`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ledger[id] = true
		}
		rows.Close()
		if len(ledger) != len(serverOps) {
			t.Errorf("%s holds %d operations, the server %d", d.name, len(ledger), len(serverOps))
		}
		for id := range serverOps {
			if !ledger[id] {
				t.Errorf("%s lacks operation %s", d.name, id)
			}
		}
		snap := snapshot(t, d)
		for _, r := range snap {
			if r.table != "customers" {
				continue
			}
			if r.balance != sums[r.key] {
				t.Errorf("%s: balance of %s = %+v, the server's log sums to %+v", d.name, r.key, r.balance, sums[r.key])
			}
		}
		if i == 0 {
			first = snap
		} else if diff := cmp.Diff(first, snap, cmp.AllowUnexported(snapshotRow{})); diff != "" {
			t.Errorf("%s differs from %s (-%s +%s):\n%s", d.name, devices[0].name, devices[0].name, d.name, diff)
		}
	}
}

type snapshotRow struct {
	table, key, value string
	balance           loyalty.Balance
}

// snapshot reads a device's customers (with cached balances), cards and settings.
func snapshot(t testing.TB, d *device) []snapshotRow {
	t.Helper()
	var out []snapshotRow
	for _, q := range []struct{ table, query string }{
		{"customers", `SELECT id, name || '|' || email || '|' || phone || '|' || consent || '|' || version, points, cashback, xp FROM customers`},
		{"cards", `SELECT code, customer_id || '|' || status || '|' || replaced_by || '|' || version, 0, 0, 0 FROM cards`},
		{"settings", `SELECT key, value || '|' || version, 0, 0, 0 FROM settings`},
	} {
		rows, err := d.store.DB().Query(q.query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			r := snapshotRow{table: q.table}
			if err := rows.Scan(&r.key, &r.value, &r.balance.Points, &r.balance.Cashback, &r.balance.XP); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		rows.Close()
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].table != out[j].table {
			return out[i].table < out[j].table
		}
		return out[i].key < out[j].key
	})
	return out
}

// shopOf sets up a cloud with two enrolled, synced devices: a with a shop set up and
// its data, b fresh. Their loops are stopped.
func shopOf(t testing.TB, cfg server.Config) (*cloud, *device, *device, []loyalty.Operation) {
	t.Helper()
	c := startCloud(t, cfg)
	a, b := newDevice(t, "till", true), newDevice(t, "kiosk", false)
	a.enroll(c.url(), c.code)
	b.enroll(c.url(), c.newCode())
	a.start()
	b.start()
	settle(t, c, a, b)
	a.stop()
	b.stop()
	var seeded []loyalty.Operation
	for _, ch := range c.log() {
		if ch.Type == syncwire.TypeOp {
			var op loyalty.Operation
			if err := json.Unmarshal(ch.Body, &op); err != nil {
				t.Fatal(err)
			}
			seeded = append(seeded, op)
		}
	}
	return c, a, b, seeded
}
