package ui

import (
	"slices"
	"testing"

	"github.com/merci-loyalty/merci/i18n"
)

// Every sentence an error table points at exists in every language: a missing key
// would show the key itself to a cashier or a customer.
func TestErrorMessagesInEveryLanguage(t *testing.T) {
	for _, l := range i18n.Langs {
		keys := i18n.Keys(l)
		for name, table := range messageTables {
			for _, m := range table {
				if !slices.Contains(keys, m.key) {
					t.Errorf("%s table: %q (for %q) is missing in %s", name, m.key, m.err, l)
				}
			}
		}
	}
}
