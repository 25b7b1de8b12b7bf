package osprint

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	winspool          = windows.NewLazySystemDLL("winspool.drv")
	getDefaultPrinter = winspool.NewProc("GetDefaultPrinterW")
	openPrinter       = winspool.NewProc("OpenPrinterW")
	getPrinter        = winspool.NewProc("GetPrinterW")
	closePrinter      = winspool.NewProc("ClosePrinter")
)

// Printer status bits (PRINTER_INFO_6.dwStatus) that mean it cannot print now.
const (
	statusPaused      = 0x1
	statusError       = 0x2
	statusPaperOut    = 0x10
	statusOffline     = 0x80
	statusNotAvail    = 0x1000
	statusDoorOpen    = 0x400000
	statusCannotPrint = statusPaused | statusError | statusPaperOut | statusOffline | statusNotAvail | statusDoorOpen
)

// PrintPDF sends the PDF at path to printer (the default printer if empty) with the shell's
// "printto" verb, which the installed PDF program carries out. Windows gives no job id.
func PrintPDF(ctx context.Context, printer, path, title string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if printer == "" {
		var err error
		if printer, err = defaultPrinter(); err != nil {
			return "", err
		}
	}
	if err := ready(printer); err != nil {
		return "", err
	}
	verb, _ := windows.UTF16PtrFromString("printto")
	file, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return "", fmt.Errorf("print %s: %w", path, err)
	}
	args, err := windows.UTF16PtrFromString(`"` + printer + `"`)
	if err != nil {
		return "", fmt.Errorf("print on %s: %w", printer, err)
	}
	if err := windows.ShellExecute(0, verb, file, args, nil, windows.SW_HIDE); err != nil {
		if errors.Is(err, windows.ERROR_NO_ASSOCIATION) {
			return "", fmt.Errorf("%w: no installed program can print PDF files: install a PDF reader, or open the saved PDF and print it", ErrNoPrintSystem)
		}
		return "", fmt.Errorf("print %s on %s: %w", path, printer, err)
	}
	return "", nil
}

func defaultPrinter() (string, error) {
	var n uint32
	getDefaultPrinter.Call(0, uintptr(unsafe.Pointer(&n)))
	if n == 0 {
		return "", fmt.Errorf("%w: no default printer is set: choose a printer, or set a default in Windows' printer settings", ErrNoPrinter)
	}
	buf := make([]uint16, n)
	if r, _, err := getDefaultPrinter.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n))); r == 0 {
		return "", fmt.Errorf("%w: no default printer is set (%v)", ErrNoPrinter, err)
	}
	return windows.UTF16ToString(buf), nil
}

// ready checks that printer exists and reports no condition that stops it printing.
func ready(printer string) error {
	name, err := windows.UTF16PtrFromString(printer)
	if err != nil {
		return fmt.Errorf("printer name %q: %w", printer, err)
	}
	var h windows.Handle
	if r, _, err := openPrinter.Call(uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&h)), 0); r == 0 {
		return fmt.Errorf("%w: there is no printer named %q (%v)", ErrNoPrinter, printer, err)
	}
	defer closePrinter.Call(uintptr(h))
	var status, needed uint32 // PRINTER_INFO_6 is one DWORD
	if r, _, _ := getPrinter.Call(uintptr(h), 6, uintptr(unsafe.Pointer(&status)), 4, uintptr(unsafe.Pointer(&needed))); r != 0 && status&statusCannotPrint != 0 {
		return fmt.Errorf("%w: printer %s is offline, paused or out of paper (status %#x): switch it on and check it, then try again", ErrPrinterOff, printer, status)
	}
	return nil
}
