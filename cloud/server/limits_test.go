package server

import (
	"fmt"
	"testing"
	"time"
)

// A flood of new keys, such as every address of an IPv6 range, takes no more memory
// than maxKeys, and the keys beyond it share one bucket.
func TestLimitersHoldAtMostMaxKeys(t *testing.T) {
	l := newLimiters(1e-9, 2)
	l.maxKeys = 10
	now := time.Now()
	refused := 0
	for i := range 1000 {
		if l.wait(fmt.Sprintf("2001:db8:%x::/64", i), now) > 0 {
			refused++
		}
	}
	if len(l.m) != 11 {
		t.Errorf("%d keys held, want 10 and the shared one", len(l.m))
	}
	// 10 keys of their own, then 2 tokens of the shared bucket.
	if want := 1000 - 10 - 2; refused != want {
		t.Errorf("%d refused, want %d", refused, want)
	}
	// A key that had a bucket keeps it.
	if d := l.wait("2001:db8:0::/64", now); d > 0 {
		t.Errorf("a known key waits %v, want its own second token", d)
	}
}
