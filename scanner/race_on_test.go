//go:build race

package scanner_test

// raceDetector says the tests run under the race detector, which slows decoding about
// tenfold: the photograph bench then leaves its run to make test's race-free pass.
const raceDetector = true
