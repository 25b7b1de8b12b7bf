package kioskflow

import (
	"slices"
	"testing"

	"github.com/merci-loyalty/merci/i18n"
)

// Every sentence Explain points at exists in every language: a missing key would show
// the key itself to a customer.
func TestCustomerErrorsInEveryLanguage(t *testing.T) {
	for _, l := range i18n.Langs {
		keys := i18n.Keys(l)
		for _, m := range customerErrors {
			if !slices.Contains(keys, m.key) {
				t.Errorf("%q (for %q) is missing in %s", m.key, m.err, l)
			}
		}
	}
}
