package wallet_test

import (
	"os"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/wallet"
	"github.com/merci-loyalty/merci/cloud/wallet/wallettest"
	"github.com/merci-loyalty/merci/i18n"
)

// BenchmarkApplePass measures a signed .pkpass from a 512-pixel logo, what a pass
// request costs the server; BenchmarkApplePassJSON, its pass.json alone, is the
// baseline.
func BenchmarkApplePass(b *testing.B) {
	keys := wallettest.NewApple(b, time.Now().AddDate(1, 0, 0))
	a, err := wallet.LoadApple(keys.CertFile, keys.KeyFile, keys.WWDRFile, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	logo, err := os.ReadFile("../../assets/icon.png")
	if err != nil {
		b.Fatal(err)
	}
	c := testCard(b)
	for b.Loop() {
		if _, err := a.Pass(c, i18n.English, logo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplePassJSON(b *testing.B) {
	c := testCard(b)
	for b.Loop() {
		if _, err := wallet.ApplePass(wallet.Apple{PassTypeID: "pass.test", TeamID: "T"}, c, i18n.English); err != nil {
			b.Fatal(err)
		}
	}
}
