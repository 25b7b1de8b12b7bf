package syncclient

import (
	"net/http"
	"testing"
	"time"
)

func TestBackoffIsCappedFullJitter(t *testing.T) {
	for attempt, limit := range map[int]time.Duration{1: 2 * time.Second, 3: 8 * time.Second, 10: time.Minute, 80: time.Minute} {
		var top time.Duration
		for range 2000 {
			d := backoff(time.Second, time.Minute, attempt)
			if d < 0 || d >= limit {
				t.Fatalf("backoff(1s, 1m, %d) = %v, want within [0, %v)", attempt, d, limit)
			}
			top = max(top, d)
		}
		if top < limit*9/10 {
			t.Errorf("backoff(1s, 1m, %d) reached only %v in 2000 tries: not full jitter up to %v", attempt, top, limit)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "3": 3 * time.Second, "soon": 0, "-1": 0} {
		if got := retryAfter(in); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
	date := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	if got := retryAfter(date); got < 8*time.Second || got > 10*time.Second {
		t.Errorf("retryAfter(%q) = %v, want about 10 s", date, got)
	}
}
