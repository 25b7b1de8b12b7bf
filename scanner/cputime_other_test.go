//go:build !unix

package scanner_test

import "time"

var start = time.Now()

// cpuTime stands in for the process CPU time where getrusage is missing: the wall clock.
func cpuTime() time.Duration { return time.Since(start) }
