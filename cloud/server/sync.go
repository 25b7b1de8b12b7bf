package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

// DefaultPullLimit is how many changes a pull returns when the request does not say.
const DefaultPullLimit = 500

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	changes, ok := s.decodePush(w, r)
	if !ok {
		return
	}
	resp, err := s.db.Push(r.Context(), deviceOf(r), changes)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.metrics.changes.WithLabelValues("accepted").Add(float64(len(resp.Accepted)))
	s.metrics.changes.WithLabelValues("duplicate").Add(float64(len(resp.Duplicate)))
	s.metrics.changes.WithLabelValues("rejected").Add(float64(len(resp.Rejected)))
	s.metrics.changes.WithLabelValues("refused").Add(float64(len(resp.Refused)))
	s.reply(w, r, http.StatusOK, resp)
}

// handlePull answers GET /v1/sync/pull?cursor=N[&limit=M][&wait=25s]. With wait, and
// nothing after the cursor, it holds the request until a push of the shop, the wait
// or the client ends, or the device may no longer pull (revoked, shop suspended).
func (s *Server) handlePull(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cursor, err := intParam(q.Get("cursor"), 0)
	if err != nil || cursor < 0 {
		s.fail(w, r, http.StatusBadRequest, syncwire.ErrCodeInvalid, "cursor must be a whole number, 0 or more", nil)
		return
	}
	limit, err := intParam(q.Get("limit"), DefaultPullLimit)
	if err != nil || limit < 1 || limit > store.MaxPullLimit {
		s.fail(w, r, http.StatusBadRequest, syncwire.ErrCodeInvalid, fmt.Sprintf("limit must be between 1 and %d", store.MaxPullLimit), nil)
		return
	}
	wait, err := waitParam(q.Get("wait"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, syncwire.ErrCodeInvalid, `wait must be a duration such as "25s", or seconds`, nil)
		return
	}
	wait = min(wait, s.cfg.MaxWait)
	dev := deviceOf(r)
	shop := dev.ShopID

	var woken <-chan struct{}
	if wait > 0 {
		// Subscribed before reading, so that a push in between wakes us.
		ch, cancel := s.db.Subscribe(shop)
		defer cancel()
		woken = ch
	}
	resp, err := s.db.Pull(r.Context(), shop, cursor, int(limit))
	if err == nil && len(resp.Changes) == 0 && wait > 0 {
		// Waiting, the pull gives its work slot to others; it takes one back to read.
		t := ticketOf(r)
		if !t.park() {
			s.busy(w, r, "too many pulls are waiting: retry in a moment")
			return
		}
		s.metrics.waiting.Inc()
		timer := time.NewTimer(wait)
	wait:
		// A wake-up may bring nothing new (a record superseded at once, a late
		// notification): then keep waiting.
		for err == nil && len(resp.Changes) == 0 {
			select {
			case <-woken:
				if !t.resume(r.Context(), timer.C, s.quit) {
					break wait
				}
				// Revoking the device or suspending the shop wakes us too: nothing
				// pushed after that reaches the device.
				if err = s.db.Admit(r.Context(), dev); err != nil {
					break wait
				}
				resp, err = s.db.Pull(r.Context(), shop, cursor, int(limit))
				if err == nil && len(resp.Changes) == 0 && !t.park() {
					break wait // answered at once, empty: the client asks again
				}
			case <-timer.C:
				break wait
			case <-s.quit:
				break wait
			case <-r.Context().Done():
				break wait
			}
		}
		timer.Stop()
		s.metrics.waiting.Dec()
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, resp)
}

func intParam(v string, def int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseInt(v, 10, 64)
}

// waitParam reads "25s" or "25".
func waitParam(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad wait %q", v)
	}
	return d, nil
}
