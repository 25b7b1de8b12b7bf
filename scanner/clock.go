package scanner

import "time"

// wallClock measures the time since it was called, and has nothing to release.
func wallClock() (since func() time.Duration, release func()) {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }, func() {}
}
