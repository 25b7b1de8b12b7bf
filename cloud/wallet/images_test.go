package wallet

import (
	"testing"

	"github.com/merci-loyalty/merci/assets"
)

// BenchmarkPassImages draws a pass's six images from a 512-pixel logo, what a pass
// would cost without the cache; compare with BenchmarkApplePass, a whole signed pass
// with the images cached.
func BenchmarkPassImages(b *testing.B) {
	for b.Loop() {
		if _, err := passImages(assets.Icon); err != nil {
			b.Fatal(err)
		}
	}
}
