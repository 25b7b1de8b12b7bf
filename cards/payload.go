package cards

import (
	"errors"
	"net/url"
	"strings"
)

// ErrNotMerciCard means a QR code was read but what it holds is not a Merci card.
var ErrNotMerciCard = errors.New("not a Merci card")

// CardPath is the URL path prefix of a card's public page; a card's QR code may hold
// https://HOST/c/TAG/CODE, TAG naming the shop on its cloud server (or, for cards
// printed before codes were scoped to their shop, https://HOST/c/CODE), so that a phone
// camera opens the balance page, while the counter reads the code out of it.
const CardPath = "/c/"

// URL returns the public page address of code on base: the shop's card page base,
// https://HOST/c/TAG as `merci-cloud shop list` shows it, or the server's address
// alone for the unscoped pages of cards printed before tags.
func URL(base string, code Code) string {
	base = strings.TrimRight(base, "/")
	if u, err := url.Parse(base); err == nil && strings.Contains(u.Path+"/", CardPath) {
		return base + "/" + string(code)
	}
	return base + CardPath + string(code)
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
	if tag, code, scoped := strings.Cut(rest, "/"); scoped {
		ok = ok && validTag(tag)
		rest = code
	}
	if !ok || strings.Contains(rest, "/") {
		return "", ErrNotMerciCard
	}
	code, err := ParseCode(rest)
	if err != nil {
		return "", ErrNotMerciCard
	}
	return code, nil
}

// validTag reports whether tag can name a shop in a card page URL: 1 to 40 letters,
// digits, - or _.
func validTag(tag string) bool {
	if tag == "" || len(tag) > 40 {
		return false
	}
	for _, r := range tag {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
