// Package osprint hands a finished PDF to the operating system's print system: CUPS's lp
// on Linux and macOS, the shell's print verb on Windows. It checks the printer first, so
// that a printer that is missing or switched off gives a clear error instead of a job that
// waits forever; the PDF stays where it is, to print again later.
package osprint

import "errors"

// Errors a caller can tell the shop owner about; the returned errors wrap them.
var (
	// ErrNoPrintSystem means there is no way to print here: no CUPS, no PDF program.
	ErrNoPrintSystem = errors.New("no print system")
	// ErrNoPrinter means the printer named does not exist, or no default printer is set.
	ErrNoPrinter = errors.New("printer not found")
	// ErrPrinterOff means the printer exists but cannot print now: off, unplugged, paused.
	ErrPrinterOff = errors.New("printer not ready")
)
