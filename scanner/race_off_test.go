//go:build !race

package scanner_test

const raceDetector = false
