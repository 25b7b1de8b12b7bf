//go:build !linux

package scanner

import "time"

// workClock returns the wall clock where a thread's CPU time is not at hand.
func workClock() (since func() time.Duration, release func()) { return wallClock() }
