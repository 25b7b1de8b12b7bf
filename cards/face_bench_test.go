package cards_test

import (
	"testing"

	"github.com/skip2/go-qrcode"

	"github.com/merci-loyalty/merci/cards"
)

// BenchmarkFaceQR measures a printed card's QR symbol, readability check included; compare
// with BenchmarkQREncode, the bare encoding it adds the check to.
func BenchmarkFaceQR(b *testing.B) {
	f := benchFace(b)
	for b.Loop() {
		if _, err := f.QR(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQREncode(b *testing.B) {
	f := benchFace(b)
	for b.Loop() {
		q, err := qrcode.New(f.QRText(), cards.QRRecovery)
		if err != nil {
			b.Fatal(err)
		}
		q.Bitmap()
	}
}

func benchFace(b *testing.B) cards.Face {
	code, err := cards.NewCode()
	if err != nil {
		b.Fatal(err)
	}
	return cards.Face{ShopName: "Shop", Code: code, QRPayload: cards.Payload("https://loyalty.example.com", code)}
}
