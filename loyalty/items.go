package loyalty

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Combine is how the points a purchase earns per visit, per currency unit and per
// item make one figure.
type Combine string

// The ways to combine points.
const (
	CombineSum  Combine = ""     // all of them added up
	CombineBest Combine = "best" // the largest of them, the customer's best deal
)

// MaxItems bounds the items of one purchase: more is a typing mistake.
const MaxItems = 999

// ErrTooManyItems refuses a purchase of more than MaxItems items.
var ErrTooManyItems = fmt.Errorf("more than %d items in one purchase", MaxItems)

// ErrItemsSyntax means the count before "×" is not a whole number of items.
var ErrItemsSyntax = errors.New("not a number of items")

// Purchase is what the cashier types for a sale: "2 × 9.50" is two items at 9.50
// each, "19" one sale of 19 whose items are not counted.
type Purchase struct {
	Items  int64 // 0 when not given
	Amount Money // the whole sale, in minor units
}

// quantitySigns separate a count of items from the unit price.
const quantitySigns = "×xX*"

// ParsePurchase reads "N × price" (also with x or *, spaces optional) or a plain
// amount, as ParseAmount does, in currency. The amount of "N × price" is N times
// price.
func ParsePurchase(s, currency string) (Purchase, error) {
	count, price, ok := cutAny(strings.TrimSpace(s), quantitySigns)
	if !ok {
		m, err := ParseAmount(s, currency)
		return Purchase{Amount: m}, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(count), 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return Purchase{}, ErrTooManyItems
	case err != nil || n < 1 || strings.ContainsAny(count, "+-"):
		return Purchase{}, fmt.Errorf("%q: %w", count, ErrItemsSyntax)
	case n > MaxItems:
		return Purchase{}, ErrTooManyItems
	}
	unit, err := ParseAmount(price, currency)
	if err != nil {
		return Purchase{}, err
	}
	if unit > MaxMoney {
		return Purchase{}, ErrAmountTooLarge
	}
	return Purchase{Items: n, Amount: unit * Money(n)}, nil
}

// IsPurchaseText reports whether s is meant as a purchase, well typed or not: a digit,
// and only digits and decimal separators, or those, spaces and a quantity sign. Spaces
// without a sign are a phone number, for a search.
func IsPurchaseText(s string) bool {
	allowed := "0123456789.,"
	if strings.ContainsAny(s, quantitySigns) {
		allowed += " " + quantitySigns
	}
	return strings.ContainsAny(s, "0123456789") && strings.Trim(s, allowed) == ""
}

// cutAny cuts s around the first of the runes in seps.
func cutAny(s, seps string) (before, after string, found bool) {
	i := strings.IndexAny(s, seps)
	if i < 0 {
		return s, "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return s[:i], s[i+size:], true
}
