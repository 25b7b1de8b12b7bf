// Package syncclient keeps a device's local store in sync with its shop's cloud
// account: it enrolls the device, pushes the outbox in batches and long-polls the
// server for the changes of the shop's other devices, in the background.
//
// It never blocks the caller: Run works in its own goroutine, and reports through a
// Status callback. Failures are retried with capped exponential backoff and full jitter;
// a rate-limited answer waits what the server says; a refused token stops the retries
// until the device is enrolled again or SyncNow is called. A batch the server keeps
// failing on is split until the one change it cannot take is found and set aside, so
// that the queue behind it flows (see bisect.go).
package syncclient

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncwire"
)

// State is where the device stands with the cloud.
type State string

// States.
const (
	StateDisconnected State = "disconnected" // never enrolled: nothing to sync with
	StateSyncing      State = "syncing"      // pushing or catching up
	StateOnline       State = "online"       // up to date, listening for changes
	StateOffline      State = "offline"      // the server cannot be reached: retrying
	StateUnauthorized State = "unauthorized" // the token was refused: reconnect the device
)

// Status is what the status bar shows.
type Status struct {
	State    State
	Pending  int       // local changes not yet on the server
	LastSync time.Time // the last exchange with the server; zero if none
	Err      string    // the last error, for people; empty when the last try worked
	RetryAt  time.Time // when the next try is due, while offline
}

// TokenStore keeps device tokens by server URL; Tokens is the real one.
type TokenStore interface {
	Get(serverURL string) (string, error)
	Set(serverURL, token string) error
	Delete(serverURL string) error
}

// Config tunes a Client. Zero fields take the defaults in brackets.
type Config struct {
	// Tokens keeps the device token [NewTokens(DataDir)].
	Tokens TokenStore
	// DataDir is the folder of the token file used when there is no keyring.
	DataDir string
	// OnStatus receives every status change, from the sync goroutine: it must not
	// block (a UI hands it to its own thread, as fyne.Do does).
	OnStatus func(Status)
	// BatchSize is the most changes in one push [1000, the server's limit].
	BatchSize int
	// PullLimit is the most changes in one pulled page [1000, the server's limit].
	PullLimit int
	// PullWait is how long the server may hold a pull with nothing new [25 s].
	PullWait time.Duration
	// RequestTimeout bounds each request, a pull's wait aside [30 s]: a hung
	// connection fails and is retried.
	RequestTimeout time.Duration
	// BackoffBase and BackoffCap shape the retry delays: a random delay between zero
	// and min(cap, base·2^attempt) [1 s, 5 min].
	BackoffBase, BackoffCap time.Duration
	// SpendTimeout bounds the wait for the cloud's check of a spend at the till, after
	// which the offline allowance decides [3 s]: a queue waits on it.
	SpendTimeout time.Duration
	// WatchEvery is how often a waiting pull looks for new local changes to push [1 s].
	WatchEvery time.Duration
	// Logger [slog.Default()].
	Logger *slog.Logger
	// OnStep, if set, hears of each Step of a cycle, with the batch or page number
	// in that cycle (from 1). The cycle waits for it to return, so a fault test can
	// kill the process or cut the network at exactly that point.
	OnStep func(step Step, n int)
}

// Step is a point in a sync cycle where a crash leaves a distinct state behind.
type Step string

// Steps, in the order of a cycle.
const (
	StepPushed       Step = "pushed"       // the server answered a batch; not yet acknowledged here
	StepAcknowledged Step = "acknowledged" // the batch's answer is committed here
	StepPulled       Step = "pulled"       // a page arrived; not yet applied here
	StepApplied      Step = "applied"      // the page and its cursor are committed here
)

func (c *Config) defaults() {
	if c.Tokens == nil {
		c.Tokens = NewTokens(c.DataDir)
	}
	if c.OnStatus == nil {
		c.OnStatus = func(Status) {}
	}
	if c.BatchSize == 0 {
		c.BatchSize = 1000
	}
	if c.PullLimit == 0 {
		c.PullLimit = 1000
	}
	if c.PullWait == 0 {
		c.PullWait = 25 * time.Second
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffCap == 0 {
		c.BackoffCap = 5 * time.Minute
	}
	if c.SpendTimeout == 0 {
		c.SpendTimeout = 3 * time.Second
	}
	if c.WatchEvery == 0 {
		c.WatchEvery = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.OnStep == nil {
		c.OnStep = func(Step, int) {}
	}
}

// Client syncs one local store. Its methods are safe for concurrent use; run one Run
// loop per store.
type Client struct {
	store *localdb.Store
	cfg   Config
	http  *resty.Client
	wake  chan struct{}

	mu     sync.Mutex
	status Status
	batch  int // the push batch size, halved when the server finds a batch too large

	hunt hunt // the search for a change the server cannot take: see bisect.go
}

// New returns a client of store.
func New(store *localdb.Store, cfg Config) *Client {
	cfg.defaults()
	h := resty.New().
		SetHeader("Content-Type", "application/json").
		SetHeader("User-Agent", "merci-desktop").
		SetLogger(restyLogger{cfg.Logger})
	return &Client{store: store, cfg: cfg, http: h, wake: make(chan struct{}, 1), batch: cfg.BatchSize}
}

// Status returns the current status.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// SyncNow wakes the loop: it pushes what waits and pulls at once, even while waiting to
// retry or after the token was refused. It does not wait.
func (c *Client) SyncNow() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// update changes the status with f and reports it if it changed.
func (c *Client) update(f func(*Status)) {
	c.mu.Lock()
	old := c.status
	f(&c.status)
	now := c.status
	c.mu.Unlock()
	if now != old {
		c.cfg.OnStatus(now)
	}
}

// refresh reads the pending count and the last sync time into the status.
func (c *Client) refresh(ctx context.Context) {
	n, err := c.store.Pending(ctx)
	if err != nil {
		return // the status keeps the last count; the next read will tell
	}
	var last time.Time
	if st, err := c.store.SyncState(ctx); err == nil {
		last = st.LastSync
	}
	c.update(func(s *Status) { s.Pending, s.LastSync = n, last })
}

// Errors of Enroll.
var (
	ErrServerAddress = errors.New("the server address must start with https://")
	ErrEnrollCode    = errors.New("the code is wrong, used or expired: ask the owner for a new one")
)

// Enroll connects a device that holds no data of its own to its shop's cloud account
// with a one-time code from the owner, and pulls the shop: Join with no choice to make
// and no progress to show.
func (c *Client) Enroll(ctx context.Context, serverURL, code, deviceName string) error {
	_, err := c.Join(ctx, JoinRequest{ServerURL: serverURL, Code: code, DeviceName: deviceName})
	return err
}

// ErrNotEnrolled means the device was never connected to a cloud account: the loop
// waits until it is, and the account's requests cannot be made.
var ErrNotEnrolled = errors.New("the device is not connected to a cloud account")

// Run syncs until ctx ends. It is meant for its own goroutine.
func (c *Client) Run(ctx context.Context) {
	c.refresh(ctx)
	attempt := 0
	for {
		err := c.cycle(ctx)
		if ctx.Err() != nil {
			return
		}
		c.refresh(ctx)
		wait := untilWoken
		var he *httpError
		switch {
		case err == nil:
			attempt = 0
			continue
		case errors.Is(err, ErrNotEnrolled):
			c.update(func(s *Status) { *s = Status{State: StateDisconnected, Pending: s.Pending} })
		case errors.Is(err, ErrNoToken) || errors.As(err, &he) && (he.status == http.StatusUnauthorized || he.status == http.StatusForbidden):
			c.cfg.Logger.Warn("sync refused", "err", err)
			c.update(func(s *Status) {
				s.State, s.Err, s.RetryAt = StateUnauthorized, "unauthorized: reconnect the device", time.Time{}
			})
		default:
			attempt++
			wait = backoff(c.cfg.BackoffBase, c.cfg.BackoffCap, attempt)
			if errors.As(err, &he) && he.retryAfter > 0 {
				wait = he.retryAfter
			}
			c.cfg.Logger.Info("sync failed, retrying", "err", err, "in", wait)
			c.update(func(s *Status) { s.State, s.Err, s.RetryAt = StateOffline, err.Error(), time.Now().Add(wait) })
		}
		if !c.sleep(ctx, wait) {
			return
		}
	}
}

// untilWoken is a sleep that only SyncNow or Enroll ends.
const untilWoken time.Duration = -1

// sleep waits d, or until SyncNow, or for ever if d is untilWoken; false if ctx ended.
func (c *Client) sleep(ctx context.Context, d time.Duration) bool {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return false
	case <-c.wake:
	case <-timer:
	}
	return true
}

// backoff is a random delay in [0, min(cap, base·2^attempt)): full jitter spreads the
// retries of many devices after an outage.
func backoff(base, limit time.Duration, attempt int) time.Duration {
	if attempt < 32 {
		limit = min(limit, base<<attempt)
	}
	return rand.N(limit)
}

// cycle pushes the whole outbox, pulls until up to date, then waits for news once.
func (c *Client) cycle(ctx context.Context) error {
	st, err := c.store.SyncState(ctx)
	if errors.Is(err, localdb.ErrNotFound) {
		return ErrNotEnrolled
	}
	if err != nil {
		return err
	}
	token, err := c.cfg.Tokens.Get(st.ServerURL)
	if err != nil {
		return err
	}
	if err := c.pushAll(ctx, st.ServerURL, token); err != nil {
		return err
	}
	if err := c.catchUp(ctx, st.ServerURL, token); err != nil {
		return err
	}
	c.refresh(ctx)
	if c.Status().Pending > 0 {
		return nil // a server epoch change queued changes again: push them first
	}
	c.update(func(s *Status) { s.State, s.Err, s.RetryAt = StateOnline, "", time.Time{} })
	return c.listen(ctx, st.ServerURL, token)
}

// pushAll pushes the outbox in batches until it is empty.
func (c *Client) pushAll(ctx context.Context, serverURL, token string) error {
	for n := 1; ; {
		c.mu.Lock()
		size := c.batch
		c.mu.Unlock()
		batch, err := c.store.Outgoing(ctx, c.hunt.size(size))
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			c.refresh(ctx)
			return nil
		}
		c.update(func(s *Status) { s.State = StateSyncing })
		resp, err := c.push(ctx, serverURL, token, batch)
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusRequestEntityTooLarge {
			if len(batch) > 1 {
				c.mu.Lock()
				c.batch = max(1, len(batch)/2)
				c.mu.Unlock()
				continue
			}
			// One change alone too large for the server will never go: it is set
			// aside as rejected, so that the queue behind it flows in full batches.
			resp, err = syncwire.PushResponse{Rejected: []syncwire.Rejection{{ID: batch[0].ID, Code: syncwire.CodeInvalid, Reason: he.Error()}}}, nil
			c.mu.Lock()
			c.batch = c.cfg.BatchSize
			c.mu.Unlock()
		}
		if err != nil {
			// A batch the server fails on may hold a change it cannot take: see bisect.go.
			if err := c.afterFailure(ctx, serverURL, token, batch, err); err != nil {
				return err
			}
			continue
		}
		c.hunt.pushed(len(batch), size)
		c.cfg.OnStep(StepPushed, n)
		if err := c.store.Acknowledge(ctx, batch, resp); err != nil {
			return err
		}
		c.cfg.OnStep(StepAcknowledged, n)
		answered := len(resp.Accepted) + len(resp.Duplicate) + len(resp.Rejected)
		if answered == 0 {
			return fmt.Errorf("push: the server answered none of %d changes", len(batch))
		}
		// Counted down rather than counted: a count walks the whole outbox, 100,000
		// rows after a week offline, after every batch. refresh recounts at the end.
		c.update(func(s *Status) { s.Pending = max(0, s.Pending-answered) })
		n++
	}
}

func (c *Client) push(ctx context.Context, serverURL, token string, batch []localdb.Queued) (syncwire.PushResponse, error) {
	req := syncwire.PushRequest{Changes: make([]syncwire.Change, len(batch))}
	for i, q := range batch {
		req.Changes[i] = q.Change
	}
	var resp syncwire.PushResponse
	err := c.call(ctx, http.MethodPost, serverURL+"/v1/sync/push", token, req, &resp, c.cfg.RequestTimeout)
	return resp, err
}

// catchUp pulls pages until none is left. While one page is applied, the next is
// fetched: the server, the network and the local disk work at once.
func (c *Client) catchUp(ctx context.Context, serverURL, token string) error {
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return err
	}
	from := st.Cursor
	resp, err := c.fetch(ctx, serverURL, token, from, 0)
	if err != nil {
		return err
	}
	type page struct {
		resp syncwire.PullResponse
		err  error
	}
	for n := 1; ; n++ {
		var next chan page
		if resp.More {
			c.update(func(s *Status) { s.State = StateSyncing })
			next = make(chan page, 1)
			go func(from int64) {
				r, err := c.fetch(ctx, serverURL, token, from, 0)
				next <- page{r, err}
			}(resp.Cursor)
		}
		// A page from another epoch resets the cursor instead: the next page, fetched
		// from the old cursor, is then ignored by ApplyPull.
		if err := c.apply(ctx, from, resp, n); err != nil {
			return err
		}
		if next == nil {
			return nil
		}
		p := <-next
		if p.err != nil {
			return p.err
		}
		from, resp = resp.Cursor, p.resp
	}
}

// fetch gets one page of changes after cursor, waiting up to wait for one.
func (c *Client) fetch(ctx context.Context, serverURL, token string, cursor int64, wait time.Duration) (syncwire.PullResponse, error) {
	url := fmt.Sprintf("%s/v1/sync/pull?cursor=%d&limit=%d&wait=%s", serverURL, cursor, c.cfg.PullLimit, wait)
	var resp syncwire.PullResponse
	err := c.call(ctx, http.MethodGet, url, token, nil, &resp, wait+c.cfg.RequestTimeout)
	return resp, err
}

// listen long-polls the server once. A local change or SyncNow ends the wait early, so
// that the change goes out at once; that is not an error.
func (c *Client) listen(ctx context.Context, serverURL, token string) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		tick := time.NewTicker(c.cfg.WatchEvery)
		defer tick.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-c.wake:
				cancel()
				return
			case <-tick.C:
				if n, err := c.store.Pending(wctx); err == nil && n > 0 {
					cancel()
					return
				}
			}
		}
	}()
	st, err := c.store.SyncState(ctx)
	if err != nil {
		return err
	}
	resp, err := c.fetch(wctx, serverURL, token, st.Cursor, c.cfg.PullWait)
	if err != nil {
		if wctx.Err() != nil && ctx.Err() == nil {
			return nil // woken
		}
		return err
	}
	return c.apply(ctx, st.Cursor, resp, 1)
}

// apply applies the n-th page of a cycle, pulled from cursor from.
func (c *Client) apply(ctx context.Context, from int64, resp syncwire.PullResponse, n int) error {
	c.cfg.OnStep(StepPulled, n)
	if err := c.store.ApplyPull(ctx, from, resp); err != nil {
		return err
	}
	c.cfg.OnStep(StepApplied, n)
	return nil
}

// httpError is an error answer of the server.
type httpError struct {
	status     int
	code, msg  string
	retryAfter time.Duration
}

func (e *httpError) Error() string {
	if e.msg != "" {
		return fmt.Sprintf("the server answered %d: %s", e.status, e.msg)
	}
	return fmt.Sprintf("the server answered %d %s", e.status, http.StatusText(e.status))
}

// call sends a JSON request, gzip-compressed when large, within timeout, and decodes
// the answer into out.
func (c *Client) call(ctx context.Context, method, url, token string, in, out any, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := c.http.R().SetContext(ctx).SetResult(out).SetError(&syncwire.Error{})
	if token != "" {
		r.SetAuthToken(token)
	}
	if in != nil {
		body, gzipped, err := encode(in)
		if err != nil {
			return err
		}
		if gzipped {
			r.SetHeader("Content-Encoding", "gzip")
		}
		r.SetBody(body)
	}
	resp, err := r.Execute(method, url)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path(url), err)
	}
	if resp.IsSuccess() {
		return nil
	}
	he := &httpError{status: resp.StatusCode(), retryAfter: retryAfter(resp.Header().Get("Retry-After"))}
	if e, ok := resp.Error().(*syncwire.Error); ok {
		he.code, he.msg = e.Code, e.Message
	}
	return fmt.Errorf("%s %s: %w", method, path(url), he)
}

// path is url without its host and query, for messages: no cursor noise, no secrets.
func path(url string) string {
	if i := strings.Index(url, "/v1/"); i >= 0 {
		url = url[i:]
	}
	p, _, _ := strings.Cut(url, "?")
	return p
}

// encode marshals v, gzip-compressed when that is worth it: a week of operations
// shrinks about tenfold.
func encode(v any) ([]byte, bool, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false, fmt.Errorf("encode request: %w", err)
	}
	if len(b) < 4<<10 {
		return b, false, nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, false, fmt.Errorf("compress request: %w", err)
	}
	if _, err := zw.Write(b); err != nil {
		return nil, false, fmt.Errorf("compress request: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, false, fmt.Errorf("compress request: %w", err)
	}
	return buf.Bytes(), true, nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}

// restyLogger sends resty's own messages to slog.
type restyLogger struct{ l *slog.Logger }

func (r restyLogger) Errorf(format string, v ...any) { r.l.Error(fmt.Sprintf(format, v...)) }
func (r restyLogger) Warnf(format string, v ...any)  { r.l.Warn(fmt.Sprintf(format, v...)) }
func (r restyLogger) Debugf(format string, v ...any) { r.l.Debug(fmt.Sprintf(format, v...)) }
