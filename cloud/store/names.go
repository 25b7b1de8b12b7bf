package store

import (
	"strings"
	"unicode"
)

// CleanName returns a name as people may see it: without control characters (an
// ANSI escape would recolour or rewrite a terminal that lists it) and without the
// invisible format characters that reorder or hide text (bidirectional overrides,
// zero-width spaces), white space trimmed. Names are cleaned when they come in, and
// again when printed, for those stored before.
func CleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == unicode.ReplacementChar:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.TrimSpace(s)
}
