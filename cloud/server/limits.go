package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters keeps one token bucket per key (a device or an address), forgetting the
// keys idle for long enough to have a full bucket again. With maxKeys, it holds at
// most that many: beyond, new keys share one bucket, so that a flood of addresses (a
// whole IPv6 range, say) costs no more memory and gets no more tokens. Devices need
// no bound: only an enrolled device gets a key.
type limiters struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	maxKeys int
	m       map[string]*limiter
	swept   time.Time
}

// maxAddrKeys bounds each per-address limiter: about 100 bytes a key.
const maxAddrKeys = 100_000

// overflowKey is the bucket that keys beyond maxKeys share; no device id or address
// looks like it.
const overflowKey = "(overflow)"

type limiter struct {
	*rate.Limiter
	last time.Time
}

func newLimiters(r rate.Limit, burst int) *limiters {
	return &limiters{rate: r, burst: burst, m: map[string]*limiter{}}
}

// wait takes a token for key and returns 0, or how long until one is free.
func (l *limiters) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		idle := time.Duration(float64(l.burst)/float64(l.rate)*float64(time.Second)) + time.Minute
		for k, v := range l.m {
			if now.Sub(v.last) > idle {
				delete(l.m, k)
			}
		}
		l.swept = now
	}
	lim := l.m[key]
	if lim == nil && l.maxKeys > 0 && len(l.m) >= l.maxKeys {
		key = overflowKey
		lim = l.m[key]
	}
	if lim == nil {
		lim = &limiter{Limiter: rate.NewLimiter(l.rate, l.burst)}
		l.m[key] = lim
	}
	lim.last = now
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// Limit is a token bucket: Rate requests a second, in bursts of up to Burst.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// orDefault returns l, or def if l is zero.
func (l Limit) orDefault(def Limit) Limit {
	if l.Rate == 0 {
		return def
	}
	return l
}

// addrLimit is a limit per client address, and the global one it counts towards too.
type addrLimit struct {
	per, global *limiters
}

// wait takes a token for addr from both buckets and returns 0, or how long until
// both have one. A request refused per address spends nothing of the global bucket.
func (l addrLimit) wait(addr string, now time.Time) time.Duration {
	if d := l.per.wait(limitKey(addr), now); d > 0 {
		return d
	}
	return l.global.wait("", now)
}
