package cards_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/merci-loyalty/merci/cards"
)

// FuzzParsePayload feeds ParsePayload whatever a QR code could hold. It must never
// panic, must answer either a valid code or ErrNotMerciCard, and a code it returns must
// read back the same from the bare code and from the card URL.
func FuzzParsePayload(f *testing.F) {
	for _, seed := range []string{
		"K7QM2XRT9P6",
		"k7qm-2xrt-9p6",
		" K7QM 2XRT 9P6\n",
		"K7QM2XRT9P7",
		"https://cards.example.com/c/K7QM2XRT9P6",
		"http://shop.example:8080/c/K7QM-2XRT-9P6",
		"https://cards.example.com/c/K7QM2XRT9P6/more",
		"https://cards.example.com/c/K7QM2XRT9P6?utm=qr#top",
		"HTTPS://CARDS.EXAMPLE.COM/c/K7QM2XRT9P6",
		"https:///c/K7QM2XRT9P6",
		"ftp://x/c/K7QM2XRT9P6",
		"WIFI:S:shop;T:WPA;P:secret;;",
		"MEBKM:URL:http\\://en.wikipedia.org/wiki/Main_Page;;",
		"",
		"\x00\xff",
		"https://cards.example.com/c/%4B7QM2XRT9P6",
		"OOOOOOOOOOO",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		code, err := cards.ParsePayload(payload)
		if err != nil {
			if !errors.Is(err, cards.ErrNotMerciCard) {
				t.Fatalf("ParsePayload(%q) err = %v, want ErrNotMerciCard", payload, err)
			}
			if code != "" {
				t.Fatalf("ParsePayload(%q) = %q with error %v, want no code", payload, code, err)
			}
			return
		}
		if len(code) != 11 || strings.ToUpper(string(code)) != string(code) || !utf8.ValidString(string(code)) {
			t.Fatalf("ParsePayload(%q) = %q, not a normalised 11-symbol code", payload, code)
		}
		if got, err := cards.ParseCode(string(code)); err != nil || got != code {
			t.Fatalf("ParseCode(%q) = %q, %v; want the code back", code, got, err)
		}
		for _, again := range []string{string(code), code.String(), cards.URL("https://cards.example.com", code)} {
			if got, err := cards.ParsePayload(again); err != nil || got != code {
				t.Fatalf("ParsePayload(%q) = %q, %v; want %q (from %q)", again, got, err, code, payload)
			}
		}
	})
}
