package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/merci-loyalty/merci/syncwire"
)

// gate caps the requests the server works on at once, whose memory adds up, and apart
// from them the long-polled pulls that wait for a change, which hold next to none:
// a thousand tills waiting must not shut out the one that pushes. Each cap is a
// buffered channel, a slot taken by a send and freed by a receive.
type gate struct {
	work chan struct{}
	wait chan struct{}
}

func newGate(work, wait int, reg *prometheus.Registry) *gate {
	g := &gate{work: make(chan struct{}, work), wait: make(chan struct{}, wait)}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "merci_http_in_flight", Help: "Requests the server works on, waiting pulls left out.",
	}, func() float64 { return float64(len(g.work)) }))
	return g
}

// ticket is a request's slot: a work one, a waiting one while its pull waits, or none
// once it has left.
type ticket struct {
	g    *gate
	slot chan struct{}
}

type ticketKey struct{}

func ticketOf(r *http.Request) *ticket { return r.Context().Value(ticketKey{}).(*ticket) }

// admit serves r if a work slot is free, and otherwise sheds it with 503 and
// Retry-After, before anything of it is read.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) {
	select {
	case s.gate.work <- struct{}{}:
	default:
		_, r.Pattern = s.mux.Handler(r) // for the log and the metrics
		s.busy(w, r, "the server is busy: retry in a moment")
		return
	}
	t := &ticket{g: s.gate, slot: s.gate.work}
	defer t.leave()
	served := r.WithContext(context.WithValue(r.Context(), ticketKey{}, t))
	defer func() { r.Pattern = served.Pattern }()
	s.mux.ServeHTTP(w, served)
}

// busy answers 503 with Retry-After.
func (s *Server) busy(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("Retry-After", "2")
	s.fail(w, r, http.StatusServiceUnavailable, syncwire.ErrCodeUnavailable, msg, nil)
}

// leave frees the ticket's slot.
func (t *ticket) leave() {
	if t.slot != nil {
		<-t.slot
		t.slot = nil
	}
}

// park trades the work slot for a waiting one, if one is free.
func (t *ticket) park() bool {
	select {
	case t.g.wait <- struct{}{}:
		t.leave()
		t.slot = t.g.wait
		return true
	default:
		return false
	}
}

// resume trades the waiting slot back for a work slot, waiting for one unless ctx is
// done, timeout fires or quit closes first.
func (t *ticket) resume(ctx context.Context, timeout <-chan time.Time, quit <-chan struct{}) bool {
	select {
	case t.g.work <- struct{}{}:
		t.leave()
		t.slot = t.g.work
		return true
	case <-ctx.Done():
	case <-timeout:
	case <-quit:
	}
	return false
}
