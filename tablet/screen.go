package tablet

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/nps"
)

// screen is one paired tablet's flow, and the page's long-polls waiting on it.
type screen struct {
	srv     *Server
	mu      sync.Mutex
	flow    *kioskflow.Flow
	timer   *time.Timer
	version int
	changed chan struct{} // closed at the next change
}

func newScreen(s *Server) *screen {
	idle := 30 * time.Second
	if set, err := s.store.NPSSettings(context.Background()); err == nil {
		idle = set.Idle()
	} else {
		s.log.Error("tablet: read survey settings; using the default idle time", "err", err)
	}
	sc := &screen{srv: s, version: 1, changed: make(chan struct{})} // above the page's 0: its first poll answers at once
	sc.flow = kioskflow.New(kioskflow.Config{Home: s.home, Arm: sc.arm, Changed: sc.bump}, idle)
	return sc
}

// arm replaces the idle timer; fire runs under the screen's lock.
func (sc *screen) arm(d time.Duration, fire func()) {
	if sc.timer != nil {
		sc.timer.Stop()
		sc.timer = nil
	}
	if d > 0 {
		sc.timer = time.AfterFunc(d, func() {
			sc.mu.Lock()
			defer sc.mu.Unlock()
			fire()
		})
	}
}

// bump wakes the long-polls; called under the lock, by the flow.
func (sc *screen) bump() {
	sc.version++
	close(sc.changed)
	sc.changed = make(chan struct{})
}

// wait returns the state once it is newer than version after, or when ctx ends.
func (sc *screen) wait(ctx context.Context, after int) state {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for sc.version <= after {
		ch := sc.changed
		sc.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			sc.mu.Lock()
			return sc.state()
		}
		sc.mu.Lock()
	}
	return sc.state()
}

// state is the page's view of the flow; called under the lock.
func (sc *screen) state() state {
	f, s := sc.flow, sc.srv
	ctx := context.Background()
	shop, err := s.store.Shop(ctx)
	if err != nil {
		s.log.Error("tablet: read the shop", "err", err)
		shop.Name = "Merci"
	}
	st := state{Version: sc.version, Step: f.Step.String(), Lang: string(f.Lang), Shop: shop.Name,
		Score: f.Score, Notice: f.Notice, Text: map[string]string{}}
	for _, l := range i18n.Langs {
		if len(shop.Languages) == 0 || contains(shop.Languages, string(l)) || l == f.Lang {
			st.Langs = append(st.Langs, string(l))
		}
	}
	for name, key := range pageKeys {
		st.Text[name] = f.Lang.T(key)
	}
	if f.Step == kioskflow.Score {
		st.Question = f.Lang.T("kiosk.question", shop.Name)
		if set, err := s.store.NPSSettings(ctx); err == nil {
			if q := strings.TrimSpace(set.Question[nps.Lang(f.Lang)]); q != "" {
				st.Question = q
			}
		}
	}
	if f.Visit != nil {
		st.Welcome = f.Welcome()
	}
	if p, err := s.store.Program(ctx); err == nil {
		st.SelfScan = p.SelfServiceVisitPoints > 0
	} else {
		s.log.Error("tablet: read the loyalty program", "err", err)
	}
	return st
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
