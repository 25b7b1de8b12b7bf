package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/skip2/go-qrcode"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/scanner"
)

func TestScanCommand(t *testing.T) {
	dir := t.TempDir()
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	card := filepath.Join(dir, "card.png")
	if err := qrcode.WriteFile(string(code), qrcode.Medium, 300, card); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.png")
	if err := os.WriteFile(broken, []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"scan", "--json", card, broken}, &out, &errOut)
	if err == nil {
		t.Error("scan of an unreadable file returned no error")
	}
	var got []scanner.FileResult
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r scanner.FileResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		got = append(got, r)
	}
	if len(got) != 2 {
		t.Fatalf("got %d results, want 2: %s", len(got), out.String())
	}
	if diff := cmp.Diff(scanner.FileResult{File: card, Codes: []string{string(code)}}, got[0]); diff != "" {
		t.Errorf("card result (-want +got):\n%s", diff)
	}
	if got[1].File != broken || got[1].Error == "" || len(got[1].Codes) != 0 {
		t.Errorf("broken file result = %+v, want an error", got[1])
	}

	out.Reset()
	if err := run(context.Background(), []string{"scan", card}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if want := "(Merci card " + code.String() + ")"; !strings.Contains(out.String(), want) {
		t.Errorf("plain output %q lacks %q", out.String(), want)
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("run(frobnicate) = %v, want an unknown command error", err)
	}
}
