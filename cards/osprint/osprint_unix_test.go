//go:build !windows

package osprint_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cards/osprint"
)

// fakeCUPS puts lp and lpstat scripts first on PATH, answering as CUPS 2.4 does; lp
// records its arguments in the returned file. Real CUPS cannot run inside a test.
func fakeCUPS(t *testing.T, lpstat, lp string) string {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "lp.args")
	write := func(name, body string) {
		if body == "" {
			return
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("lpstat", lpstat)
	write("lp", strings.ReplaceAll(lp, "LOG", log))
	t.Setenv("PATH", dir+":/bin:/usr/bin")
	if lp == "" {
		t.Setenv("PATH", dir) // no lp anywhere
	}
	return log
}

const lpOK = `echo "$@" > LOG; echo "request id is $2-42 (1 file(s))"`

func TestPrintPDF(t *testing.T) {
	log := fakeCUPS(t, `
case "$1" in
-d) echo "system default destination: Office_Laser";;
-p) echo "printer $2 is idle.  enabled since Mon 23 Nov 2026 09:00:00";;
esac`, lpOK)
	job, err := osprint.PrintPDF(context.Background(), "", "/tmp/cards.pdf", "Merci cards")
	if err != nil {
		t.Fatal(err)
	}
	if job != "Office_Laser-42" {
		t.Errorf("job = %q, want Office_Laser-42", job)
	}
	args, _ := os.ReadFile(log)
	if got, want := strings.TrimSpace(string(args)), "-d Office_Laser -t Merci cards -- /tmp/cards.pdf"; got != want {
		t.Errorf("lp arguments = %q, want %q", got, want)
	}
}

func TestPrintPDFErrors(t *testing.T) {
	for _, tc := range []struct {
		name, printer, lpstat, lp string
		want                      error
		mention                   string
	}{
		{"no CUPS", "", "", "", osprint.ErrNoPrintSystem, "install CUPS"},
		{"no default printer", "", `echo "no system default destination"`, lpOK, osprint.ErrNoPrinter, "no default printer"},
		{"scheduler down", "", `echo "lpstat: Scheduler is not running." >&2; exit 1`, lpOK, osprint.ErrNoPrintSystem, "not running"},
		{"no such printer", "Kitchen", `echo "lpstat: Invalid destination name in list \"$2\"." >&2; exit 1`, lpOK, osprint.ErrNoPrinter, `"Kitchen"`},
		{"printer off", "Kitchen", `printf 'printer Kitchen disabled since Mon 23 Nov 2026 09:12:01 -\n\tWaiting for printer to become available.\n'`, lpOK, osprint.ErrPrinterOff, "Waiting for printer to become available"},
		{"not accepting", "Kitchen", `echo "printer Kitchen is idle.  enabled since Mon 23 Nov 2026"`, `echo "lp: Destination \"Kitchen\" is not accepting jobs." >&2; exit 1`, osprint.ErrPrinterOff, "not accepting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := fakeCUPS(t, tc.lpstat, tc.lp)
			_, err := osprint.PrintPDF(context.Background(), tc.printer, "/tmp/cards.pdf", "")
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("PrintPDF: err = %v, want %v mentioning %q", err, tc.want, tc.mention)
			}
			if tc.name != "not accepting" {
				if _, err := os.Stat(log); err == nil {
					t.Error("lp was run although the printer check failed")
				}
			}
		})
	}
}
