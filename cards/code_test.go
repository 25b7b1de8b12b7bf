package cards_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cards"
)

const symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func TestNewCodeParsesBack(t *testing.T) {
	seen := map[cards.Code]bool{}
	for range 1000 {
		code, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if seen[code] {
			t.Fatalf("NewCode repeated %s", code)
		}
		seen[code] = true
		got, err := cards.ParseCode(strings.ToLower(code.String()))
		if err != nil || got != code {
			t.Fatalf("ParseCode(%q) = %q, %v; want %q", code.String(), got, err, code)
		}
	}
}

func TestParseCodeCatchesEverySingleTypoAndSwap(t *testing.T) {
	for range 50 {
		code, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		s := []byte(code)
		for i := range s {
			for _, r := range []byte(symbols) {
				if r == s[i] {
					continue
				}
				typo := append([]byte(nil), s...)
				typo[i] = r
				if _, err := cards.ParseCode(string(typo)); !errors.Is(err, cards.ErrCheck) {
					t.Fatalf("ParseCode(%s) with symbol %d mistyped: err = %v, want ErrCheck", typo, i, err)
				}
			}
			if i+1 < len(s) && s[i] != s[i+1] {
				swap := append([]byte(nil), s...)
				swap[i], swap[i+1] = swap[i+1], swap[i]
				if _, err := cards.ParseCode(string(swap)); !errors.Is(err, cards.ErrCheck) {
					t.Fatalf("ParseCode(%s) with symbols %d,%d swapped: err = %v, want ErrCheck", swap, i, i+1, err)
				}
			}
		}
	}
}

func TestParseCodeMalformed(t *testing.T) {
	for _, in := range []string{"", "ABC", "K7QM-2XRT-9PCX", "K7QM-2XRT-9P!", "K7QM-2XRT-9PÜ", "https://x/c/"} {
		if _, err := cards.ParseCode(in); !errors.Is(err, cards.ErrMalformed) {
			t.Errorf("ParseCode(%q) err = %v, want ErrMalformed", in, err)
		}
	}
}

func TestParsePayload(t *testing.T) {
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{string(code), " " + code.String() + "\n", cards.URL("https://cloud.example/", code), "http://shop.example:8080/c/" + code.String(),
		"https://cloud.example/c/1a2b3c4d5e/" + string(code), cards.URL("https://cloud.example/c/1a2b3c4d5e", code)} {
		got, err := cards.ParsePayload(in)
		if err != nil || got != code {
			t.Errorf("ParsePayload(%q) = %q, %v; want %q", in, got, err, code)
		}
	}
	bad := string(code[:10]) + "0"
	if bad == string(code) {
		bad = string(code[:10]) + "1"
	}
	for _, in := range []string{"hello", "https://example.com/", "https://x.example/c/" + bad, "ftp://x/c/" + string(code), "https://x.example/c/" + string(code) + "/more", "WIFI:S:shop;T:WPA;P:secret;;",
		"https://x.example/c//" + string(code), "https://x.example/c/a%20b/" + string(code), "https://x.example/c/t/u/" + string(code)} {
		if _, err := cards.ParsePayload(in); !errors.Is(err, cards.ErrNotMerciCard) {
			t.Errorf("ParsePayload(%q) err = %v, want ErrNotMerciCard", in, err)
		}
	}
}
