package store

import "sync"

// hub wakes the pulls waiting for a shop's next change.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]struct{}{}} }

// Subscribe returns a channel that receives a value after the next change of shopID
// is committed, and a function to call when done waiting. Subscribe before reading
// the changes, so that a push committed in between is not missed.
func (db *DB) Subscribe(shopID string) (<-chan struct{}, func()) {
	h := db.hub
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[shopID] == nil {
		h.subs[shopID] = map[chan struct{}]struct{}{}
	}
	h.subs[shopID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[shopID], ch)
		if len(h.subs[shopID]) == 0 {
			delete(h.subs, shopID)
		}
		h.mu.Unlock()
	}
}

func (h *hub) notify(shopID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[shopID] {
		select {
		case ch <- struct{}{}:
		default: // already woken
		}
	}
}

func (h *hub) notifyAll() {
	h.mu.Lock()
	shops := make([]string, 0, len(h.subs))
	for s := range h.subs {
		shops = append(shops, s)
	}
	h.mu.Unlock()
	for _, s := range shops {
		h.notify(s)
	}
}
