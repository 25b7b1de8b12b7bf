//go:build !windows

package osprint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

// PrintPDF sends the PDF at path to printer (the default printer if empty) through CUPS,
// and returns the print job's id.
func PrintPDF(ctx context.Context, printer, path, title string) (string, error) {
	if _, err := exec.LookPath("lp"); err != nil {
		return "", fmt.Errorf("%w: the lp command (CUPS) is not installed: install CUPS, or save the PDF and print it from another program", ErrNoPrintSystem)
	}
	if printer == "" {
		var err error
		if printer, err = defaultPrinter(ctx); err != nil {
			return "", err
		}
	}
	if err := ready(ctx, printer); err != nil {
		return "", err
	}
	args := []string{"-d", printer}
	if title != "" {
		args = append(args, "-t", title)
	}
	out, err := run(ctx, "lp", append(args, "--", path)...)
	if err != nil {
		return "", lpError(printer, out, err)
	}
	if m := requestID.FindStringSubmatch(out); m != nil {
		return m[1], nil
	}
	return "", nil
}

var (
	requestID      = regexp.MustCompile(`request id is (\S+)`)
	defaultDest    = regexp.MustCompile(`system default destination: (\S+)`)
	disabledReason = regexp.MustCompile(`(?s)disabled since[^\n]*\n\s*(.*)`)
)

// run runs a CUPS command in the C locale, so its messages can be recognised, and returns
// its output, standard error included.
func run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

func defaultPrinter(ctx context.Context) (string, error) {
	out, err := run(ctx, "lpstat", "-d")
	if m := defaultDest.FindStringSubmatch(out); err == nil && m != nil {
		return m[1], nil
	}
	if schedulerDown(out) {
		return "", fmt.Errorf("%w: the CUPS print service is not running: start it, or save the PDF", ErrNoPrintSystem)
	}
	return "", fmt.Errorf("%w: no default printer is set: choose a printer, or set a default in the system's printer settings", ErrNoPrinter)
}

// schedulerDown reports whether a CUPS command said the CUPS service is not running.
func schedulerDown(out string) bool {
	return strings.Contains(strings.ToLower(out), "scheduler is not running")
}

// ready checks that printer exists and is enabled. CUPS disables a queue whose printer
// stopped answering (switched off, unplugged), and keeps the reason.
func ready(ctx context.Context, printer string) error {
	out, err := run(ctx, "lpstat", "-p", printer)
	switch {
	case schedulerDown(out):
		return fmt.Errorf("%w: the CUPS print service is not running: start it, or save the PDF", ErrNoPrintSystem)
	case err != nil || strings.Contains(out, "Invalid destination") || strings.Contains(out, "does not exist"):
		return fmt.Errorf("%w: there is no printer named %q (lpstat: %s)", ErrNoPrinter, printer, out)
	case strings.Contains(out, "disabled"):
		reason := "paused"
		if m := disabledReason.FindStringSubmatch(out); m != nil && strings.TrimSpace(m[1]) != "" {
			reason = strings.TrimSpace(m[1])
		}
		return fmt.Errorf("%w: printer %s is stopped (%s): switch it on or reconnect it, then resume it in the printer settings", ErrPrinterOff, printer, reason)
	}
	return nil
}

// lpError explains a failed lp command.
func lpError(printer, out string, err error) error {
	var exit *exec.ExitError
	switch {
	case strings.Contains(out, "not accepting"):
		return fmt.Errorf("%w: printer %s is not accepting jobs: enable it in the printer settings (lp: %s)", ErrPrinterOff, printer, out)
	case strings.Contains(out, "does not exist"), strings.Contains(out, "Invalid destination"):
		return fmt.Errorf("%w: there is no printer named %q (lp: %s)", ErrNoPrinter, printer, out)
	case errors.As(err, &exit):
		return fmt.Errorf("print on %s: lp failed: %s", printer, out)
	default:
		return fmt.Errorf("print on %s: run lp: %w", printer, err)
	}
}
