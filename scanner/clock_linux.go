package scanner

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// workClock returns a clock of the work done on the calling goroutine and a function
// that releases it. On Linux it is the thread's CPU time, the goroutine locked to its
// thread until release: the budget is the decoder's own work on one core, which other
// programs busy on a shared machine do not eat into.
func workClock() (since func() time.Duration, release func()) {
	runtime.LockOSThread()
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		runtime.UnlockOSThread()
		return wallClock()
	}
	start := ts.Nano()
	return func() time.Duration {
		var now unix.Timespec
		_ = unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &now) // worked once, works again
		return time.Duration(now.Nano() - start)
	}, runtime.UnlockOSThread
}
