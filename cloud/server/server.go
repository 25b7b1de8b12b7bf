// Package server is Merci's cloud HTTP API: device enrollment, the sync push and
// long-polled pull, device management for the owner, and the public card page. It
// speaks JSON (gzip either way), described by cloud/openapi.yaml, and takes the shop of
// every request from the device token, never from the request.
package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

// Config tunes a Server. Zero fields take the defaults in brackets.
type Config struct {
	MaxBody    int64         // largest request body, before and after gzip [4 MiB]
	MaxChanges int           // most changes in one push [1000]
	MaxWait    time.Duration // longest long-poll [25 s]
	// MaxInFlight caps the requests served at once; more are answered 503 with
	// Retry-After [32]. With the body and page limits, it bounds the memory requests
	// take (README.md, "Limits"). A long-polled pull counts only while it works.
	MaxInFlight int
	MaxWaiting  int // most long-polled pulls waiting at once; more are answered 503 [10,000]
	// DeviceRate and DeviceBurst limit the requests of one device token [10/s, 300].
	// The burst is what a catch-up spends: a week offline (100,000 changes, pushed and
	// pulled by 1,000) is about 200 requests, at full speed. The rate is what a device
	// can keep up: a synced device makes one long poll per 25 s and a push per sale.
	DeviceRate  rate.Limit
	DeviceBurst int
	// Limits per client address, each counted apart, so that guessing tokens does
	// not close the card pages or enrollment to anybody else.
	CardLimit     Limit // card pages, which could otherwise guess card codes [1/s, 30]
	EnrollLimit   Limit // enrollments, which could guess codes [1 per 10 s, 10]
	AuthFailLimit Limit // requests with an unknown or revoked token [1/s, 20]
	// GlobalLimit counts those three over every address together, so that many
	// addresses cannot guess faster than it either [100/s, 1000].
	GlobalLimit Limit
	// TrustedProxies are the proxies whose X-Forwarded-For or Forwarded header names
	// the client; without them the client is the peer.
	TrustedProxies []netip.Prefix
	// PublicURL is the server's address as customers reach it, https://cloud.example.com:
	// wallet passes need it, and survey emails link to it for shops whose devices did
	// not give their card pages' address ["": those wait].
	PublicURL string
	Logger    *slog.Logger         // [slog.Default()]
	Metrics   *prometheus.Registry // where the server registers its metrics; [a new one]
	// Wallet is the wallet passes the card pages offer; the zero value offers none.
	Wallet Wallet
	// Now is the clock of the rate limits and of the wallet certificates' validity; a
	// test stops it to count a burst exactly, however slow the machine [time.Now].
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.MaxBody == 0 {
		c.MaxBody = 4 << 20
	}
	if c.MaxChanges == 0 {
		c.MaxChanges = 1000
	}
	if c.MaxWait == 0 {
		c.MaxWait = 25 * time.Second
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 32
	}
	if c.MaxWaiting == 0 {
		c.MaxWaiting = 10000
	}
	if c.DeviceRate == 0 {
		c.DeviceRate, c.DeviceBurst = 10, 300
	}
	c.CardLimit = c.CardLimit.orDefault(Limit{1, 30})
	c.EnrollLimit = c.EnrollLimit.orDefault(Limit{0.1, 10})
	c.AuthFailLimit = c.AuthFailLimit.orDefault(Limit{1, 20})
	c.GlobalLimit = c.GlobalLimit.orDefault(Limit{100, 1000})
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Metrics == nil {
		c.Metrics = prometheus.NewRegistry()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server serves the API over a store.
type Server struct {
	db      *store.DB
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	devices *limiters
	metrics *metrics
	gate    *gate
	quit    chan struct{}
	once    sync.Once

	// Limits per client address, each counting towards the global one too.
	cards, enrolls, authFails addrLimit
}

// New returns a server of db.
func New(db *store.DB, cfg Config) *Server {
	cfg.defaults()
	s := &Server{
		db:      db,
		cfg:     cfg,
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
		devices: newLimiters(cfg.DeviceRate, cfg.DeviceBurst),
		metrics: newMetrics(cfg.Metrics),
		gate:    newGate(cfg.MaxInFlight, cfg.MaxWaiting, cfg.Metrics),
		quit:    make(chan struct{}),
	}
	global := newLimiters(cfg.GlobalLimit.Rate, cfg.GlobalLimit.Burst)
	for _, l := range []struct {
		to  *addrLimit
		cfg Limit
	}{{&s.cards, cfg.CardLimit}, {&s.enrolls, cfg.EnrollLimit}, {&s.authFails, cfg.AuthFailLimit}} {
		per := newLimiters(l.cfg.Rate, l.cfg.Burst)
		per.maxKeys = maxAddrKeys
		*l.to = addrLimit{per: per, global: global}
	}
	s.mux.HandleFunc("POST /v1/enroll", s.limitAddr(s.enrolls, s.handleEnroll))
	s.mux.HandleFunc("POST /v1/sync/push", s.auth(s.handlePush))
	s.mux.HandleFunc("GET /v1/sync/pull", s.auth(s.handlePull))
	s.mux.HandleFunc("GET /v1/devices", s.auth(s.only(ownerOnly, s.handleDevices)))
	s.mux.HandleFunc("DELETE /v1/devices/{id}", s.auth(s.only(ownerOnly, s.handleRevoke)))
	s.mux.HandleFunc("POST /v1/codes", s.auth(s.only(ownerOnly, s.handleCode)))
	s.mux.HandleFunc("GET /v1/overdrawn", s.auth(s.only(ownerAndTills, s.handleOverdrawn)))
	s.mux.HandleFunc("GET /c/{tag}/{code}", s.limitAddr(s.cards, s.handleCard))
	s.mux.HandleFunc("GET /c/{tag}/{code}/manifest.webmanifest", s.limitAddr(s.cards, s.handleCardManifest))
	s.mux.HandleFunc("GET /c/{tag}/logo.png", s.limitAddr(s.cards, s.handleShopLogo))
	s.mux.HandleFunc("GET /c/{code}", s.limitAddr(s.cards, s.handleCard))
	s.walletRoutes(cfg.Wallet)
	s.mux.HandleFunc("GET /s/{token}", s.limitAddr(s.cards, s.handleSurvey))
	s.mux.HandleFunc("POST /s/{token}", s.limitAddr(s.cards, s.handleSurvey))
	s.mux.HandleFunc("GET /s/{token}/unsubscribe", s.limitAddr(s.cards, s.handleUnsubscribe))
	s.mux.HandleFunc("POST /s/{token}/unsubscribe", s.limitAddr(s.cards, s.handleUnsubscribe))
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	s.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, syncwire.ErrCodeNotFound, "no such endpoint", nil)
	})
	return s
}

// Close ends the waiting pulls, which answer at once; call it before
// http.Server.Shutdown so that shutting down does not wait for them.
func (s *Server) Close() { s.once.Do(func() { close(s.quit) }) }

// ServeHTTP serves a request: recovered from panics, measured and logged.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.secureHeaders(w.Header(), r)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic", "route", r.Pattern, "panic", p)
			if !rec.wrote {
				s.fail(rec, r, http.StatusInternalServerError, syncwire.ErrCodeInternal, "internal error", nil)
			}
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(route, fmt.Sprint(rec.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
		// The route pattern, never the path or the headers: no token, no card code.
		s.log.LogAttrs(r.Context(), levelFor(rec.status), "request", slog.String("route", route),
			slog.Int("status", rec.status), slog.Duration("took", elapsed), slog.String("device", rec.device),
			slog.String("remote", s.clientAddr(r)))
	}()
	s.admit(rec, r)
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// recorder remembers the status and the device of a request for the log.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	device string
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type deviceKey struct{}

func deviceOf(r *http.Request) store.Device { return r.Context().Value(deviceKey{}).(store.Device) }

// auth admits requests with a valid device token, within the device's rate limit.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="merci"`)
			s.fail(w, r, http.StatusUnauthorized, syncwire.ErrCodeUnauthorized, "a device token is required", nil)
			return
		}
		dev, err := s.db.Authenticate(r.Context(), token)
		if err != nil {
			if errors.Is(err, store.ErrUnauthorized) {
				// Guessing tokens spends the address's allowance of failures.
				if !s.allow(w, r, s.authFails, s.clientAddr(r)) {
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="merci", error="invalid_token"`)
			}
			s.storeError(w, r, err)
			return
		}
		if rec, ok := w.(*recorder); ok {
			rec.device = dev.ID
		}
		if !s.allow(w, r, s.devices, dev.ID) {
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, dev)))
	}
}

// limitAddr rate-limits an unauthenticated endpoint by client address.
func (s *Server) limitAddr(l addrLimit, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.allow(w, r, l, s.clientAddr(r)) {
			next(w, r)
		}
	}
}

// bucket is a rate limit by key: limiters or addrLimit.
type bucket interface {
	// wait takes a token for key and returns 0, or how long until one is free.
	wait(key string, now time.Time) time.Duration
}

// allow takes a token for key from l, or answers 429 and returns false.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l bucket, key string) bool {
	wait := l.wait(key, s.cfg.Now())
	if wait == 0 {
		return true
	}
	w.Header().Set("Retry-After", fmt.Sprint(int((wait+time.Second-1)/time.Second)))
	s.fail(w, r, http.StatusTooManyRequests, syncwire.ErrCodeRateLimited, "too many requests: retry later", nil)
	return false
}

// decode reads a JSON request body of at most MaxBody bytes, gzip-compressed or not,
// into v. It has written the error answer when it returns false.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := s.body(w, r)
	if !ok {
		return false
	}
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return s.badBody(w, r, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return s.badBody(w, r, errors.New("data after the JSON value"))
	}
	return true
}

func (s *Server) badBody(w http.ResponseWriter, r *http.Request, err error) bool {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.fail(w, r, http.StatusRequestEntityTooLarge, syncwire.ErrCodeTooLarge,
			fmt.Sprintf("the request body is larger than %d bytes", tooLarge.Limit), nil)
		return false
	}
	s.fail(w, r, http.StatusBadRequest, syncwire.ErrCodeInvalid, "the request body is not valid JSON for this endpoint", err)
	return false
}

// reply writes v as JSON, gzip-compressed when the client accepts it and it is worth it.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, syncwire.ErrCodeInternal, "internal error", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if len(b) < 1024 || !acceptsGzip(r) {
		w.WriteHeader(status)
		w.Write(b) // the client went away
		return
	}
	h.Set("Content-Encoding", "gzip")
	w.WriteHeader(status)
	// The fastest level, as the client's: a catch-up's pages of JSON shrink about as
	// well, for less of the server's CPU. The level is valid: no error.
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	zw.Write(b) // the client went away
	zw.Close()
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

// fail answers with an syncwire.Error. The message is for people and says nothing
// internal; err, if any, goes to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string, err error) {
	if err != nil {
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request failed", slog.String("route", r.Pattern), slog.String("err", err.Error()))
	}
	b, _ := json.Marshal(syncwire.Error{Code: code, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b) // the client went away
}

// storeError answers with the status a store error calls for.
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrUnauthorized):
		s.fail(w, r, http.StatusUnauthorized, syncwire.ErrCodeUnauthorized, "the token or code is unknown, used, expired or revoked", nil)
	case errors.Is(err, store.ErrSuspended):
		s.fail(w, r, http.StatusForbidden, syncwire.ErrCodeSuspended,
			"this shop's cloud account is suspended: its data is kept, and the shop's provider can resume it", nil)
	case errors.Is(err, store.ErrNotFound):
		s.fail(w, r, http.StatusNotFound, syncwire.ErrCodeNotFound, "not found", nil)
	case errors.Is(err, store.ErrInvalid):
		s.fail(w, r, http.StatusBadRequest, syncwire.ErrCodeInvalid, strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": "), nil)
	case errors.Is(err, context.Canceled):
		// The client went away: nobody reads the answer.
	default:
		s.fail(w, r, http.StatusInternalServerError, syncwire.ErrCodeInternal, "internal error: retry later", err)
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, syncwire.ErrCodeUnavailable, "database unavailable", err)
		return
	}
	s.reply(w, r, http.StatusOK, map[string]string{"status": "ok", "epoch": s.db.Epoch()})
}
