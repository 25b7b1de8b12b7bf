// Package cards holds Merci's loyalty card codes and what a card's QR code carries.
//
// A card code is 10 random symbols from Crockford's base 32 alphabet (50 bits, so codes
// cannot be guessed) followed by one check symbol. The check makes the weighted sum
// Σ α^i·symbol_i over GF(32) zero, which catches every single mistyped symbol and every
// swap of two neighbours (Luhn mod 32 misses some swaps). A code is shown in groups of
// four, "K7QM-2XRT-9PC", short enough to type at a till.
package cards

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

const (
	alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	// randomLen symbols of 5 bits each carry the code's entropy; one check symbol follows.
	randomLen = 10
	codeLen   = randomLen + 1
)

// Errors returned by ParseCode.
var (
	// ErrMalformed means the text cannot be a card code: wrong length or symbols.
	ErrMalformed = errors.New("not a card code")
	// ErrCheck means the text looks like a card code but its check symbol does not match:
	// almost certainly a typo.
	ErrCheck = errors.New("card code mistyped")
)

// Code is a normalised card code: 11 symbols, upper case, no separators.
type Code string

// String returns the code in groups of four for people to read and type.
func (c Code) String() string {
	s := string(c)
	if len(s) != codeLen {
		return s
	}
	return s[:4] + "-" + s[4:8] + "-" + s[8:]
}

// NewCode returns a fresh random card code.
func NewCode() (Code, error) {
	var buf [randomLen]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	sym := make([]byte, codeLen)
	for i, b := range buf {
		sym[i] = alphabet[b&31]
	}
	sym[randomLen] = alphabet[checkValue(sym[:randomLen])]
	return Code(sym), nil
}

// ParseCode normalises typed or scanned text into a Code. It accepts lower case, spaces
// and hyphens, and reads O as 0 and I or L as 1, as Crockford's alphabet intends.
func ParseCode(s string) (Code, error) {
	sym := make([]byte, 0, codeLen)
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 127 || strings.IndexByte(alphabet, byte(r)) < 0 {
			return "", ErrMalformed
		}
		sym = append(sym, byte(r))
		if len(sym) > codeLen {
			return "", ErrMalformed
		}
	}
	if len(sym) != codeLen {
		return "", ErrMalformed
	}
	if alphabet[checkValue(sym[:randomLen])] != sym[randomLen] {
		return "", ErrCheck
	}
	return Code(sym), nil
}

// checkValue returns the symbol value that makes Σ α^i·v_i = 0 over GF(32) for the code
// made of sym and that value, α being a root of x^5+x^2+1.
func checkValue(sym []byte) int {
	sum, weight := 0, 1
	for _, b := range sym {
		sum ^= gfMul(weight, strings.IndexByte(alphabet, b))
		weight = gfMul(weight, 2)
	}
	// weight is now α^10; dividing by it is multiplying by α^21, as α^31 = 1.
	inv := 1
	for range 21 {
		inv = gfMul(inv, 2)
	}
	return gfMul(sum, inv)
}

// gfMul multiplies in GF(32) modulo x^5+x^2+1.
func gfMul(a, b int) int {
	p := 0
	for b > 0 {
		if b&1 != 0 {
			p ^= a
		}
		b >>= 1
		a <<= 1
		if a&32 != 0 {
			a ^= 0x25
		}
	}
	return p
}
