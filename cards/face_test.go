package cards_test

import (
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/merci-loyalty/merci/cards"
)

func TestPayload(t *testing.T) {
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	for base, want := range map[string]string{
		"":                          string(code),
		"  ":                        string(code),
		"https://loyalty.example/":  "https://loyalty.example/c/" + string(code),
		"https://shop.example:8443": "https://shop.example:8443/c/" + string(code),
	} {
		if got := cards.Payload(base, code); got != want {
			t.Errorf("Payload(%q, %s) = %q, want %q", base, code, got, want)
		}
	}
}

// TestFaceQRReadsBackAtLevelH decodes printed symbols with gozxing and checks their
// error-correction level: go-qrcode's "High" is only level Q. It draws them at 4 dots a
// module, a size Face.QR checks: at any one size gozxing misreads about one sharp
// synthetic symbol in 2000, a camera never sees twice.
func TestFaceQRReadsBackAtLevelH(t *testing.T) {
	for i := range 40 {
		code, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		f := cards.Face{ShopName: "Shop", Code: code}
		if i%2 == 1 {
			f.QRPayload = cards.URL("https://loyalty.example.com", code)
		}
		q, err := f.QR()
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(q.Image(-4))
		if err != nil {
			t.Fatal(err)
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("decode QR of %q: %v", f.QRText(), err)
		}
		if res.GetText() != f.QRText() {
			t.Errorf("QR = %q, want %q", res.GetText(), f.QRText())
		}
		if got := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; got != "H" {
			t.Errorf("QR of %q has error-correction level %v, want H", f.QRText(), got)
		}
		if got, err := cards.ParsePayload(res.GetText()); err != nil || got != code {
			t.Errorf("ParsePayload(%q) = %s, %v; want %s", res.GetText(), got, err, code)
		}
	}
}

func TestFaceValidate(t *testing.T) {
	a, _ := cards.NewCode()
	b, _ := cards.NewCode()
	for _, tc := range []struct {
		f       cards.Face
		mention string
	}{
		{cards.Face{ShopName: " ", Code: a}, "shop name"},
		{cards.Face{ShopName: "Shop", Code: "K7QM2XRT9PX"}, "mistyped"},
		{cards.Face{ShopName: "Shop", Code: a, QRPayload: string(b)}, "does not hold card"},
		{cards.Face{ShopName: "Shop", Code: a, QRPayload: "https://example.com/"}, "does not hold card"},
	} {
		if err := tc.f.Validate(); err == nil || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%+v.Validate() = %v, want an error mentioning %q", tc.f, err, tc.mention)
		}
	}
	if err := (cards.Face{ShopName: "Shop", Code: a, QRPayload: cards.URL("https://x.example", a)}).Validate(); err != nil {
		t.Errorf("Validate of a good face: %v", err)
	}
}
