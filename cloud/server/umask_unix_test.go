//go:build unix

package server_test

import "syscall"

func umask(m int) int { return syscall.Umask(m) }
