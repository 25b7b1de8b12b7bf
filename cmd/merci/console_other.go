//go:build !windows

package main

// attachConsole is needed on Windows only (see console_windows.go): elsewhere a
// program started from a terminal prints to it.
func attachConsole() {}
