package main

import (
	"os"
	"syscall"
)

// attachParentProcess is ATTACH_PARENT_PROCESS, (DWORD)-1 (wincon.h).
const attachParentProcess = 0xFFFFFFFF

// attachConsole gives the support commands (merci --version, merci scan, merci backup)
// somewhere to print on Windows. Merci.exe is a GUI-subsystem program, so that no
// console window opens beside the app; such a program starts without a console, and
// typed into cmd.exe or PowerShell its output would go nowhere. Output redirected to a
// file or a pipe already has a handle and is left alone; a missing handle is replaced by
// the console of the program that started Merci, when there is one (not on a
// double-click, where there is nothing to print anyway).
func attachConsole() {
	stdout := hasHandle(syscall.STD_OUTPUT_HANDLE)
	stderr := hasHandle(syscall.STD_ERROR_HANDLE)
	if stdout && stderr {
		return
	}
	attach := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if ok, _, _ := attach.Call(attachParentProcess); ok == 0 {
		return
	}
	con, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	if !stdout {
		os.Stdout = con
	}
	if !stderr {
		os.Stderr = con
	}
}

func hasHandle(std int) bool {
	h, err := syscall.GetStdHandle(std)
	return err == nil && h != 0 && h != syscall.InvalidHandle
}
