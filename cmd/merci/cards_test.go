package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/escpos/escpostest"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

var codeLine = regexp.MustCompile(`(?m)^  ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3})$`)

// shopData returns a data folder with a shop set up, with the demo's sample data.
func shopData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	store, err := openStore(context.Background(), data, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.SeedSample(context.Background(), localdb.Shop{Name: "Café Merci"}); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCardsPrintIssuesIntoTheStore(t *testing.T) {
	ctx := context.Background()
	data := shopData(t)
	out := filepath.Join(t.TempDir(), "cards.pdf")
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"--data", data, "cards", "print", "--count", "3", "--credit", "50", "--out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("merci cards print: %v\n%s", err, stderr.String())
	}
	var listed []cards.Code
	for _, m := range codeLine.FindAllStringSubmatch(stdout.String(), -1) {
		c, err := cards.ParseCode(m[1])
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, c)
	}
	if !strings.Contains(stdout.String(), "50 points") {
		t.Errorf("stdout %q does not say each card has 50 points", stdout.String())
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("%s does not start with %%PDF", out)
	}

	store, err := localdb.Open(ctx, filepath.Join(data, "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	batches, err := store.CardBatches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || batches[0].Count != 3 {
		t.Fatalf("store has batches %+v, want one of 3 cards", batches)
	}
	inBatch, err := store.BatchCards(ctx, batches[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var stored []cards.Code
	for _, c := range inBatch {
		stored = append(stored, cards.Code(c.Code))
		a, err := store.AccountByCode(ctx, cards.Code(c.Code))
		if err != nil {
			t.Fatal(err)
		}
		if want := (loyalty.Balance{Points: 50}); a.Balance != want {
			t.Errorf("card %s has %+v, want %+v", c.Code, a.Balance, want)
		}
	}
	if diff := cmp.Diff(stored, listed); diff != "" {
		t.Errorf("codes listed on stdout differ from the store's (-store +stdout):\n%s", diff)
	}
}

func TestCardsESCPOS(t *testing.T) {
	ctx := context.Background()
	data := shopData(t)
	store, err := openStore(ctx, data, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	customers, err := store.Customers(ctx, "alice")
	store.Close()
	if err != nil || len(customers) != 1 {
		t.Fatalf("demo customer alice: %v, %v", customers, err)
	}
	code := customers[0].Code()

	printer := escpostest.Start(t)
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"--data", data, "cards", "escpos", "--printer", printer.Addr, code.String()}, &stdout, &stderr); err != nil {
		t.Fatalf("merci cards escpos: %v\n%s", err, stderr.String())
	}
	// The GS ( k store command: length, cn 49, fn 80, m 48, then the QR payload: the
	// bare code, since the demo shop has no cloud account.
	k := len(code) + 3
	qr := append([]byte{0x1d, '(', 'k', byte(k), byte(k >> 8), 49, 80, 48}, code...)
	if b := <-printer.Job; !bytes.Contains(b, qr) || !bytes.Contains(b, []byte("Caf")) {
		t.Errorf("the printer did not receive card %s of the demo shop: % x", code, b)
	}

	printer.SwitchOff()
	err = run(ctx, []string{"--data", data, "cards", "escpos", "--printer", printer.Addr, code.String()}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "switched on") {
		t.Errorf("merci cards escpos to a printer that is off: err = %v, want one asking whether it is switched on", err)
	}
}

func TestCardsUsage(t *testing.T) {
	for _, args := range [][]string{{"cards"}, {"cards", "frobnicate"}} {
		err := run(context.Background(), append([]string{"--data", t.TempDir()}, args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "merci cards print --count N") {
			t.Errorf("run(%q) = %v, want the cards usage", args, err)
		}
	}
}
