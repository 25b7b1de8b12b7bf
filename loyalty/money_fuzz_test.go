package loyalty_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

// FuzzParseAmount feeds ParseAmount whatever a cashier or a USB scanner could type. It
// must never panic; it reads an amount or says why not; an amount is never negative;
// and what it reads, written back with either separator, reads back the same.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.50", "12,5", "0", " 7 ", "-3", "1e3", "1.234,56", "9223372036854775807", "٣", "12.", ".5", ",", ""} {
		for _, cur := range []string{"EUR", "JPY", "KWD"} {
			f.Add(s, cur)
		}
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		m, err := loyalty.ParseAmount(s, currency)
		if err != nil {
			if !errors.Is(err, loyalty.ErrAmountSyntax) && !errors.Is(err, loyalty.ErrAmountTooLarge) {
				t.Fatalf("ParseAmount(%q, %q): unexpected error %v", s, currency, err)
			}
			return
		}
		if m < 0 {
			t.Fatalf("ParseAmount(%q, %q) = %d, a negative amount", s, currency, m)
		}
		per := loyalty.MinorPerUnit(currency)
		text := fmt.Sprint(int64(m) / per)
		if d := loyalty.MinorDigits(currency); d > 0 {
			text += fmt.Sprintf(".%0*d", d, int64(m)%per)
		}
		for _, written := range []string{text, strings.Replace(text, ".", ",", 1)} {
			back, err := loyalty.ParseAmount(written, currency)
			if err != nil || back != m {
				t.Fatalf("ParseAmount(%q, %q) = %d, but %q reads back as %d, %v", s, currency, m, written, back, err)
			}
		}
	})
}
