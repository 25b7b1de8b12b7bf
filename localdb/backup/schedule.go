package backup

import (
	"context"
	"time"
)

// Clock is the schedule's time: the real one in the app, one the test moves by hand.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the system's clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// After waits for d.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// The schedule's periods.
const (
	Every = 12 * time.Hour   // a shop's data is copied twice a day
	Retry = 15 * time.Minute // after a failed copy: the folder may be back soon (a USB stick)
)

// Schedule makes a copy every Every, counted from the last good one, and retries a
// failed one after Retry.
type Schedule struct {
	Clock Clock
	// Backup makes one copy; the caller records and reports its result.
	Backup func(ctx context.Context) (Info, error)
}

// Run makes copies until ctx ends. last is when the last good copy was made (zero
// if never): a copy overdue at start is made at once.
func (s Schedule) Run(ctx context.Context, last time.Time) {
	next := last.Add(Every)
	for {
		if wait := next.Sub(s.Clock.Now()); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.Clock.After(wait):
			}
		}
		if ctx.Err() != nil {
			return
		}
		if info, err := s.Backup(ctx); err != nil {
			next = s.Clock.Now().Add(Retry)
		} else {
			next = info.Time.Add(Every)
		}
	}
}
