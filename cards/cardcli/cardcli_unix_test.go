//go:build !windows

package cardcli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cards/cardcli"
	"github.com/merci-loyalty/merci/cards/osprint"
)

func TestPrintWithoutPrintSystemKeepsCards(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no lp: CUPS is not installed
	out := filepath.Join(t.TempDir(), "cards.pdf")
	var is memIssuer
	var stdout bytes.Buffer
	err := cardcli.Print(context.Background(), []string{"--count", "2", "--out", out, "--print"}, shop, &is, &stdout)
	if !errors.Is(err, osprint.ErrNoPrintSystem) {
		t.Fatalf("Print with no print system: err = %v, want ErrNoPrintSystem", err)
	}
	for _, want := range []string{"2 cards are issued", out, "merci cards print --out " + out + " --print " + is.issued[0].String() + " " + is.issued[1].String()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the PDF of the issued cards is gone: %v", err)
	}
}
