// Package tablet serves the customer screen to a tablet's browser on the shop's own
// network: the owner pairs a tablet with a one-time code, the tablet keeps a token (the
// counter keeps only its hash), and the page runs the kiosk's flow (kioskflow) held here,
// on the counter. Any device without a live token gets 401 and nothing else.
package tablet

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

const (
	// PairFor is how long a pairing code stays valid once shown.
	PairFor = 10 * time.Minute
	// pollFor bounds a long-poll: a tablet asleep behind a proxy still hears from us.
	pollFor = 25 * time.Second
	// lookEvery is how often invitations that no signal announces (pulled by sync, made
	// by another process) are looked for, as the kiosk window does.
	lookEvery  = 500 * time.Millisecond
	cookieName = "merci_tablet"
)

//go:embed web
var web embed.FS

// Server is the counter's customer-screen server.
type Server struct {
	store *localdb.Store
	log   *slog.Logger
	home  i18n.Lang
	// Offered, if set, is called after each look for invitations: tests wait on it.
	Offered func()

	mu        sync.Mutex
	pairCode  string
	pairUntil time.Time
	screens   map[string]*screen // by tablet id
	mux       *http.ServeMux
}

// New returns the server for store; home is the shop's language.
func New(store *localdb.Store, home i18n.Lang, log *slog.Logger) *Server {
	s := &Server{store: store, log: log, home: home, screens: map[string]*screen{}, mux: http.NewServeMux()}
	static, _ := fs.Sub(web, "web") // the directory is embedded above
	files := http.FileServerFS(static)
	s.mux.HandleFunc("GET /pair", s.handlePair)
	s.mux.Handle("GET /{$}", s.paired(func(w http.ResponseWriter, r *http.Request, _ *screen) { files.ServeHTTP(w, r) }))
	s.mux.Handle("GET /{file}", s.paired(func(w http.ResponseWriter, r *http.Request, _ *screen) { files.ServeHTTP(w, r) }))
	s.mux.Handle("GET /state", s.paired(s.handleState))
	s.mux.Handle("POST /act", s.paired(s.handleAct))
	s.mux.Handle("POST /scan", s.paired(s.handleScan))
	return s
}

// ServeHTTP sets the strict headers every answer carries, then serves r.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// NewPairingCode returns a code that pairs one tablet within PairFor; it replaces the
// previous one.
func (s *Server) NewPairingCode() (string, error) {
	code, err := randomText(9)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pairCode, s.pairUntil = code, s.store.Now().Add(PairFor)
	return code, nil
}

// PairURL is what the pairing QR holds: base is the counter's address on the network.
func PairURL(base, code string) string {
	return strings.TrimSuffix(base, "/") + "/pair?code=" + code
}

func randomText(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// takePairCode reports whether code is the pairing code shown now, using it up.
func (s *Server) takePairCode(code string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pairCode == "" || s.store.Now().After(s.pairUntil) ||
		subtle.ConstantTimeCompare([]byte(code), []byte(s.pairCode)) != 1 {
		return false
	}
	s.pairCode = ""
	return true
}

func (s *Server) handlePair(w http.ResponseWriter, r *http.Request) {
	if !s.takePairCode(r.URL.Query().Get("code")) {
		http.Error(w, "This pairing code is not valid any more: show a new one on the counter.", http.StatusUnauthorized)
		return
	}
	token, err := randomText(32)
	if err != nil {
		s.fail(w, err)
		return
	}
	name := r.UserAgent()
	if len(name) > 120 {
		name = name[:120]
	}
	if _, err := s.store.PairTablet(r.Context(), name, token); err != nil {
		s.fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", MaxAge: 10 * 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.log.Error("tablet server", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// paired serves h only to a tablet whose token is live, checked at every request so a
// revoked tablet is cut off at once.
func (s *Server) paired(h func(http.ResponseWriter, *http.Request, *screen)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Error(w, "not paired", http.StatusUnauthorized)
			return
		}
		t, err := s.store.TabletByToken(r.Context(), c.Value)
		if errors.Is(err, localdb.ErrUnpaired) {
			http.Error(w, "not paired", http.StatusUnauthorized)
			return
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		h(w, r, s.screenOf(r.Context(), t.ID))
	})
}

// screenOf returns the flow of tablet id, starting it on the invitation open now.
func (s *Server) screenOf(ctx context.Context, id string) *screen {
	s.mu.Lock()
	sc, ok := s.screens[id]
	if !ok {
		sc = newScreen(s)
		s.screens[id] = sc
	}
	s.mu.Unlock()
	if !ok {
		s.offer(ctx, []*screen{sc})
	}
	return sc
}

// Run offers each new invitation to the paired tablets until ctx ends: at once for those
// made by this process, within lookEvery for the others.
func (s *Server) Run(ctx context.Context) {
	tick := time.NewTicker(lookEvery)
	defer tick.Stop()
	for {
		changed := s.store.NPSChanged() // before the read, so no change falls between
		s.mu.Lock()
		screens := make([]*screen, 0, len(s.screens))
		for _, sc := range s.screens {
			screens = append(screens, sc)
		}
		s.mu.Unlock()
		s.offer(ctx, screens)
		if s.Offered != nil {
			s.Offered()
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}

func (s *Server) offer(ctx context.Context, screens []*screen) {
	inv, err := s.store.PendingInvitation(ctx, s.store.Now())
	var open *nps.Invitation
	switch {
	case err == nil:
		open = &inv
	case !errors.Is(err, localdb.ErrNotFound):
		// Nothing to tell the customer; the next look tries again.
		s.log.Error("tablet: look for survey invitations", "err", err)
		return
	}
	for _, sc := range screens {
		sc.mu.Lock()
		sc.flow.Offer(open)
		sc.mu.Unlock()
	}
}

// state is what the page draws: every text already in the customer's language.
type state struct {
	Version  int               `json:"version"`
	Step     string            `json:"step"`
	Lang     string            `json:"lang"`
	Langs    []string          `json:"langs"`
	Shop     string            `json:"shop"`
	Question string            `json:"question,omitempty"`
	Score    int               `json:"score"`
	Notice   string            `json:"notice,omitempty"`
	Welcome  string            `json:"welcome,omitempty"`
	SelfScan bool              `json:"selfScan"` // the shop credits customers who scan their own card
	Text     map[string]string `json:"text"`
}

// pageKeys are the texts the page shows, by the names page.js uses.
var pageKeys = map[string]string{
	"not_likely": "kiosk.not_likely", "extremely_likely": "kiosk.extremely_likely",
	"reason": "kiosk.reason", "reason_hint": "kiosk.reason_hint", "skip": "kiosk.skip",
	"send": "kiosk.send", "thanks": "kiosk.thanks", "thanks_detail": "kiosk.thanks_detail",
	"done": "kiosk.done", "idle": "tablet.idle",
	"scan": "kiosk.scan", "camera_hint": "tablet.camera_hint", "photo": "tablet.photo", "cancel": "kiosk.cancel",
}

func (s *Server) handleState(w http.ResponseWriter, r *http.Request, sc *screen) {
	after, _ := strconv.Atoi(r.URL.Query().Get("after")) // none or garbage: answer at once
	ctx, cancel := context.WithTimeout(r.Context(), pollFor)
	defer cancel()
	st := sc.wait(ctx, after)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(st) // the tablet went away
}

// action is what the page sends: a tap, a score, a reason, a language.
type action struct {
	Do    string `json:"do"` // score, send, skip, lang, touch, done
	Score int    `json:"score"`
	Text  string `json:"text"`
	Lang  string `json:"lang"`
}

func (s *Server) handleAct(w http.ResponseWriter, r *http.Request, sc *screen) {
	var a action
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&a); err != nil {
		http.Error(w, "bad action", http.StatusBadRequest)
		return
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	f := sc.flow
	switch a.Do {
	case "score":
		f.ChooseScore(a.Score)
	case "send", "skip":
		f.SetComment(a.Text)
		inv, score, comment, ok := f.Answer(a.Do == "send")
		if !ok {
			break
		}
		notice := ""
		if _, err := s.store.Answer(r.Context(), inv.ID, score, comment, nps.Lang(f.Lang), s.store.Now()); err != nil {
			notice = s.explain(f, err)
		}
		f.Answered(notice)
	case "lang":
		f.SetLang(i18n.Parse(a.Lang))
	case "touch":
		f.Touch()
	case "done":
		f.Reset()
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) explain(f *kioskflow.Flow, err error) string {
	msg, ok := f.Explain(err)
	if !ok {
		s.log.Error("tablet: store an answer", "err", err)
	}
	return msg
}
