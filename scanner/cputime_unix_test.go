//go:build unix

package scanner_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used: a measure of work that, unlike the
// wall clock, other programs on a shared machine do not inflate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
