package cardcli_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/cardcli"
	"github.com/merci-loyalty/merci/cards/escpos/escpostest"
	"github.com/merci-loyalty/merci/cards/sheet"
	"github.com/merci-loyalty/merci/loyalty"
)

// memIssuer issues cards in memory, standing in for the local store.
type memIssuer struct {
	calls   int
	n       int
	opening loyalty.Money
	issued  []cards.Code
}

func (m *memIssuer) IssueCards(_ context.Context, n int, opening loyalty.Money) ([]cards.Code, error) {
	m.calls++
	m.n, m.opening = n, opening
	var codes []cards.Code
	for range n {
		c, err := cards.NewCode()
		if err != nil {
			return nil, err
		}
		codes = append(codes, c)
	}
	m.issued = append(m.issued, codes...)
	return codes, nil
}

var shop = cardcli.Shop{Name: "Café Zoë", BaseURL: "https://loyalty.example.com", Currency: "EUR"}

var codeLine = regexp.MustCompile(`(?m)^  ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3})$`)

func TestPrintIssuesAndSavesPDF(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cards.pdf")
	var is memIssuer
	var stdout bytes.Buffer
	err := cardcli.Print(context.Background(), []string{"--count", "12", "--credit", "5,50", "--paper", "letter", "--out", out}, shop, &is, &stdout)
	if err != nil {
		t.Fatal(err)
	}
	if is.n != 12 || is.opening != 550 {
		t.Errorf("IssueCards(%d, %d), want (12, 550)", is.n, is.opening)
	}
	var listed []string
	for _, m := range codeLine.FindAllStringSubmatch(stdout.String(), -1) {
		listed = append(listed, m[1])
	}
	if len(listed) != 12 {
		t.Fatalf("stdout lists %d codes, want 12:\n%s", len(listed), stdout.String())
	}
	for i, c := range is.issued {
		if listed[i] != c.String() {
			t.Errorf("stdout code %d = %s, want %s", i, listed[i], c)
		}
	}
	if !strings.Contains(stdout.String(), "5.50 EUR") {
		t.Errorf("stdout %q does not mention the credit 5.50 EUR", stdout.String())
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/Count 2")) {
		t.Errorf("%s is not a two-page PDF", out)
	}
	if !bytes.Contains(pdf, []byte("/MediaBox [0 0 612.00 792.00]")) {
		t.Errorf("%s is not on US Letter paper", out)
	}
}

func TestPrintReprintsOneCardAsPNG(t *testing.T) {
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "card.png")
	var is memIssuer
	if err := cardcli.Print(context.Background(), []string{"--out", out, strings.ToLower(code.String())}, shop, &is, io.Discard); err != nil {
		t.Fatal(err)
	}
	if is.calls != 0 {
		t.Errorf("reprinting issued %d new cards", is.n)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	face := cards.Face{ShopName: shop.Name, Code: code, QRPayload: cards.URL(shop.BaseURL, code)}
	if err := sheet.WritePNG(&want, face, 300); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("%s is not the 300 dpi card image of %s with its URL in the QR code", out, code)
	}
}

func TestPrintRefusesBadArgumentsBeforeIssuing(t *testing.T) {
	dir := t.TempDir()
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "cards.pdf")
	for _, tc := range []struct {
		args    []string
		mention string
	}{
		{[]string{"--out", pdf}, "--count N"},
		{[]string{"--count", "0", "--out", pdf}, "--count N"},
		{[]string{"--count", "5000", "--out", pdf}, "between 1 and 1000"},
		{[]string{"--count", "2", "--out", pdf, string(code)}, "not both"},
		{[]string{"--count", "2"}, "--out FILE.pdf"},
		{[]string{"--count", "2", "--credit", "5.505", "--out", pdf}, "not an amount"},
		{[]string{"--credit", "5", "--out", pdf, string(code)}, "new cards only"},
		{[]string{"--count", "2", "--out", filepath.Join(dir, "no", "cards.pdf")}, "does not exist"},
		{[]string{"--count", "2", "--out", filepath.Join(dir, "cards.png")}, "one card"},
		{[]string{"--count", "2", "--out", filepath.Join(dir, "cards.doc")}, ".pdf"},
		{[]string{"--count", "2", "--paper", "A5", "--out", pdf}, "A4 or Letter"},
		{[]string{"--out", pdf, "K7QM-2XRT-9PX"}, "mistyped"},
		{[]string{"--out", pdf, string(code), "--print"}, "before the card codes"},
		{[]string{"--count", "2", "--bogus", "--out", pdf}, "bogus"},
	} {
		var is memIssuer
		err := cardcli.Print(context.Background(), tc.args, shop, &is, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("Print(%q): err = %v, want one mentioning %q", tc.args, err, tc.mention)
		}
		if is.calls != 0 {
			t.Errorf("Print(%q) issued cards despite the bad arguments", tc.args)
		}
	}
	if _, err := os.Stat(pdf); err == nil {
		t.Error("a bad command line left a PDF behind")
	}
}

// failingIssuer is a store that cannot issue cards (disk full, say).
type failingIssuer struct{}

func (failingIssuer) IssueCards(context.Context, int, loyalty.Money) ([]cards.Code, error) {
	return nil, errors.New("database is locked")
}

func TestPrintIssueFailure(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cards.pdf")
	err := cardcli.Print(context.Background(), []string{"--count", "3", "--out", out}, shop, failingIssuer{}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("Print with a failing store: err = %v, want the store's error", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("Print with a failing store wrote a PDF")
	}
}

func TestESCPOS(t *testing.T) {
	printer := escpostest.Start(t)
	a, _ := cards.NewCode()
	b, _ := cards.NewCode()
	var stdout bytes.Buffer
	if err := cardcli.ESCPOS(context.Background(), []string{"--printer", printer.Addr, "--paper", "58", a.String(), string(b)}, shop, &stdout); err != nil {
		t.Fatal(err)
	}
	data := <-printer.Job
	for _, c := range []cards.Code{a, b} {
		// The GS ( k store command: length, cn 49, fn 80, m 48, then the payload.
		payload := cards.URL(shop.BaseURL, c)
		k := len(payload) + 3
		store := append([]byte{0x1d, '(', 'k', byte(k), byte(k >> 8), 49, 80, 48}, payload...)
		if !bytes.Contains(data, store) {
			t.Errorf("printer data lacks the QR store command for %s", payload)
		}
	}
	if cuts := bytes.Count(data, []byte{0x1d, 'V', 65, 0}); cuts != 2 {
		t.Errorf("printer data has %d cuts, want 2 (one per card)", cuts)
	}

	printer.SwitchOff()
	err := cardcli.ESCPOS(context.Background(), []string{"--printer", printer.Addr, a.String()}, shop, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "switched on") {
		t.Errorf("ESCPOS to a printer that is off: err = %v, want one asking whether it is switched on", err)
	}
	for _, args := range [][]string{{a.String()}, {"--printer", "127.0.0.1:9"}, {"--printer", "x", "--paper", "70", a.String()}} {
		if err := cardcli.ESCPOS(context.Background(), args, shop, io.Discard); err == nil {
			t.Errorf("ESCPOS(%q): err = nil, want an error", args)
		}
	}
}

func TestPrintOpeningPoints(t *testing.T) {
	points := shop
	points.OpeningPoints = true
	out := filepath.Join(t.TempDir(), "cards.pdf")
	var is memIssuer
	var stdout bytes.Buffer
	if err := cardcli.Print(context.Background(), []string{"--count", "2", "--credit", "50", "--out", out}, points, &is, &stdout); err != nil {
		t.Fatal(err)
	}
	if is.opening != 50 {
		t.Errorf("--credit 50 in a points program: IssueCards(opening %d), want 50", is.opening)
	}
	if !strings.Contains(stdout.String(), "50 points") {
		t.Errorf("stdout %q does not mention the 50 points", stdout.String())
	}
	for _, bad := range []string{"5.50", "-3", "fifty"} {
		var is memIssuer
		err := cardcli.Print(context.Background(), []string{"--count", "2", "--credit", bad, "--out", out}, points, &is, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "whole number of points") || is.calls != 0 {
			t.Errorf("--credit %s in a points program: err = %v, %d issues; want a whole-number error and none", bad, err, is.calls)
		}
	}
}
