package loyalty

import (
	"errors"
	"fmt"
	"strings"
)

// Money is an amount in a currency's minor units (cents, centavos): never a float.
type Money int64

// minorDigits is the number of minor-unit digits of the currencies whose shops Merci
// serves; any other currency is taken to have two, like most.
var minorDigits = map[string]int{"JPY": 0, "KRW": 0, "CLP": 0, "XOF": 0, "XAF": 0, "KWD": 3, "BHD": 3, "TND": 3}

// MinorDigits returns how many digits follow the decimal separator in currency.
func MinorDigits(currency string) int {
	if d, ok := minorDigits[strings.ToUpper(currency)]; ok {
		return d
	}
	return 2
}

// MinorPerUnit returns how many minor units make one unit of currency (100 for EUR).
func MinorPerUnit(currency string) int64 {
	n := int64(1)
	for range MinorDigits(currency) {
		n *= 10
	}
	return n
}

// ErrAmountSyntax means typed text is not an amount of money.
var ErrAmountSyntax = errors.New("not an amount")

// ParseAmount reads an amount typed by a person, with a dot or a comma as the decimal
// separator ("12.50", "12,5", "12"), into minor units of currency. It refuses more
// decimals than the currency has, signs, and thousands separators, rather than guess.
func ParseAmount(s, currency string) (Money, error) {
	s = strings.TrimSpace(s)
	digits := MinorDigits(currency)
	whole, frac, hasSep := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" && frac == "" || len(frac) > digits || (hasSep && digits == 0) {
		return 0, fmt.Errorf("%q: %w", s, ErrAmountSyntax)
	}
	for len(frac) < digits {
		frac += "0"
	}
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q: %w", s, ErrAmountSyntax)
		}
		if n > (1<<62)/10 {
			return 0, fmt.Errorf("%q: %w", s, ErrAmountTooLarge)
		}
		n = n*10 + int64(r-'0')
	}
	return Money(n), nil
}
