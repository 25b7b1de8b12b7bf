package cards

import (
	"errors"
	"fmt"
	"image"
	"strings"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/skip2/go-qrcode"
)

// Face is what a printed card shows: the same on a PDF sheet, a PNG and a receipt printer.
type Face struct {
	ShopName string
	Logo     image.Image // optional
	Code     Code
	// QRPayload is what the QR code holds; see Payload. Empty means the bare code.
	QRPayload string
	// Opening is optional text about a pre-credited balance, already worded and formatted
	// ("Opening balance 5.00 EUR"): the caller knows the shop's language and currency.
	Opening string
}

// Payload returns what a printed card's QR code holds: the card's public page URL when the
// shop has a cloud base URL, so that a phone camera opens the balance page, else the bare
// code. Merci's scanner accepts both (ParsePayload).
func Payload(baseURL string, code Code) string {
	if strings.TrimSpace(baseURL) == "" {
		return string(code)
	}
	return URL(baseURL, code)
}

// QRRecovery is the error-correction level of printed QR codes: level H, which restores up
// to 30% of the symbol, enough for a card scuffed in a wallet or a receipt creased in a
// pocket. (go-qrcode calls H "Highest"; its "High" is level Q, 25%.)
const QRRecovery = qrcode.Highest

// Validate reports whether f can be printed.
func (f Face) Validate() error {
	if strings.TrimSpace(f.ShopName) == "" {
		return errors.New("card face: shop name is empty (set it in the shop settings)")
	}
	if _, err := ParseCode(string(f.Code)); err != nil {
		return fmt.Errorf("card face: code %q: %w", f.Code, err)
	}
	if f.QRPayload != "" {
		if c, err := ParsePayload(f.QRPayload); err != nil || c != f.Code {
			return fmt.Errorf("card face: QR payload %q does not hold card %s", f.QRPayload, f.Code)
		}
	}
	return nil
}

// QRText returns what f's QR code holds.
func (f Face) QRText() string {
	if f.QRPayload == "" {
		return string(f.Code)
	}
	return f.QRPayload
}

// QR returns the QR symbol for f, with the quiet zone around it (Bitmap). About one symbol
// in a thousand holds a data pattern that ZXing-family decoders, the till's included, take
// for a finder pattern, and then read only from some angles; such a symbol is replaced by
// the next larger version, whose modules fall differently, so every printed card reads.
func (f Face) QR() (*qrcode.QRCode, error) {
	text := f.QRText()
	q, err := qrcode.New(text, QRRecovery)
	if err != nil {
		return nil, fmt.Errorf("encode QR for card %s: %w", f.Code, err)
	}
	for v := q.VersionNumber; v <= min(q.VersionNumber+3, 40); v++ {
		alt, err := qrcode.NewWithForcedVersion(text, v, QRRecovery)
		if err != nil {
			return nil, fmt.Errorf("encode QR for card %s: %w", f.Code, err)
		}
		if readable(alt, text) {
			return alt, nil
		}
	}
	return nil, fmt.Errorf("encode QR for card %s: no symbol version reads back", f.Code)
}

// readable reports whether gozxing reads text back from q drawn at two sizes.
func readable(q *qrcode.QRCode, text string) bool {
	for _, px := range []int{4, 7} {
		bmp, err := gozxing.NewBinaryBitmapFromImage(q.Image(-px))
		if err != nil {
			return false
		}
		res, err := zxingqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil || res.GetText() != text {
			return false
		}
	}
	return true
}
