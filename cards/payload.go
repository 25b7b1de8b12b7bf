package cards

import (
	"errors"
	"net/url"
	"strings"
)

// ErrNotMerciCard means a QR code was read but what it holds is not a Merci card.
var ErrNotMerciCard = errors.New("not a Merci card")

// CardPath is the URL path prefix of a card's public page; a card's QR code may hold
// https://HOST/c/CODE so that a phone camera opens the balance page, while the counter
// reads the code out of it.
const CardPath = "/c/"

// URL returns the public page address of code on the shop's cloud server base URL.
func URL(base string, code Code) string {
	return strings.TrimRight(base, "/") + CardPath + string(code)
}

// ParsePayload extracts the card code from what a QR code holds: either the bare code or
// a card page URL. Anything else, including a URL whose code fails its check, is
// ErrNotMerciCard, so a cashier never sees a wrong customer.
func ParsePayload(payload string) (Code, error) {
	payload = strings.TrimSpace(payload)
	if code, err := ParseCode(payload); err == nil {
		return code, nil
	}
	u, err := url.Parse(payload)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", ErrNotMerciCard
	}
	rest, ok := strings.CutPrefix(u.Path, CardPath)
	if !ok || strings.Contains(rest, "/") {
		return "", ErrNotMerciCard
	}
	code, err := ParseCode(rest)
	if err != nil {
		return "", ErrNotMerciCard
	}
	return code, nil
}
