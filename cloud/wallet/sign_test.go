package wallet_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/wallet"
	"github.com/merci-loyalty/merci/cloud/wallet/wallettest"
	"github.com/merci-loyalty/merci/i18n"
)

// A signed pass is a zip Wallet accepts: every file in the manifest, the manifest
// signed by the pass certificate, chained through the WWDR intermediate it carries.
func TestAppleSignerPass(t *testing.T) {
	keys := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	a, err := wallet.LoadApple(keys.CertFile, keys.KeyFile, keys.WWDRFile, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := testCard(t)
	logo := solidPNG(t, 400, 100, color.NRGBA{200, 30, 30, 255}) // a wide shop logo
	pkpass, err := a.Pass(c, i18n.English, logo)
	if err != nil {
		t.Fatal(err)
	}
	files := wallettest.OpenPass(t, pkpass, keys.Root)
	var p struct {
		PassTypeIdentifier, TeamIdentifier, SerialNumber string
		StoreCard                                        struct{ BackFields []struct{ Key, Value string } }
	}
	if err := json.Unmarshal(files["pass.json"], &p); err != nil {
		t.Fatal(err)
	}
	if p.PassTypeIdentifier != keys.PassTypeID || p.TeamIdentifier != keys.TeamID || p.SerialNumber != string(c.Code) {
		t.Errorf("pass.json names %+v, want the certificate's pass type %s and team %s, serial %s", p, keys.PassTypeID, keys.TeamID, c.Code)
	}
	if len(p.StoreCard.BackFields) != 1 || p.StoreCard.BackFields[0].Value != c.PageURL {
		t.Errorf("back fields = %+v, want the card page %s", p.StoreCard.BackFields, c.PageURL)
	}
	for name, want := range map[string]image.Point{
		"icon.png": {29, 29}, "icon@2x.png": {58, 58}, "icon@3x.png": {87, 87},
		"logo.png": {160, 40}, "logo@2x.png": {320, 80}, "logo@3x.png": {480, 120},
	} {
		img, err := png.Decode(bytes.NewReader(files[name]))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := img.Bounds().Size(); got != want {
			t.Errorf("%s is %v, want %v", name, got, want)
		}
		// Drawn from the shop's logo: its red in the middle.
		if r, g, _, _ := img.At(img.Bounds().Dx()/2, img.Bounds().Dy()/2).RGBA(); r>>8 < 190 || g>>8 > 40 {
			t.Errorf("%s is not drawn from the shop's logo", name)
		}
	}
}

// Without a usable logo (none, not a PNG, or a PNG claiming to be huge) the pass
// shows Merci's icon: a pass without an icon does not install.
func TestAppleSignerPassWithoutLogo(t *testing.T) {
	keys := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	a, err := wallet.LoadApple(keys.CertFile, keys.KeyFile, keys.WWDRFile, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	bomb := solidPNG(t, 2, 2, color.NRGBA{0, 0, 0, 255})
	// IHDR's width and height follow the 8-byte signature, the chunk's length and type.
	copy(bomb[16:24], []byte{0, 1, 0, 0, 0, 1, 0, 0}) // 65536×65536
	binary.BigEndian.PutUint32(bomb[29:33], crc32.ChecksumIEEE(bomb[12:29]))
	var icons [][]byte
	for _, logo := range [][]byte{nil, []byte("GIF89a"), bomb} {
		pkpass, err := a.Pass(testCard(t), i18n.French, logo)
		if err != nil {
			t.Fatal(err)
		}
		icons = append(icons, wallettest.OpenPass(t, pkpass, keys.Root)["icon@3x.png"])
	}
	for i, icon := range icons {
		if len(icon) == 0 || !bytes.Equal(icon, icons[0]) {
			t.Errorf("pass %d has a different icon from the pass without a logo", i)
		}
	}
	// The same signer draws another shop's logo anew.
	pkpass, err := a.Pass(testCard(t), i18n.French, solidPNG(t, 64, 64, color.NRGBA{200, 30, 30, 255}))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(wallettest.OpenPass(t, pkpass, keys.Root)["icon@3x.png"], icons[0]) {
		t.Errorf("a shop with a logo got Merci's icon")
	}
}

func TestLoadAppleRefuses(t *testing.T) {
	good := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	other := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	expired := wallettest.NewApple(t, time.Now().AddDate(0, 0, -3))
	missing := filepath.Join(t.TempDir(), "nowhere.pem")
	for _, tc := range []struct {
		name            string
		cert, key, wwdr string
		want            string
		is              error
	}{
		{"expired", expired.CertFile, expired.KeyFile, expired.WWDRFile, "expired on", wallet.ErrExpired},
		{"key of another certificate", good.CertFile, other.KeyFile, good.WWDRFile, "does not match the certificate", nil},
		{"another intermediate", good.CertFile, good.KeyFile, other.WWDRFile, "was not issued by the WWDR certificate", nil},
		{"unreadable certificate", missing, good.KeyFile, good.WWDRFile, "apple pass certificate", fs.ErrNotExist},
		{"key given as the certificate", good.KeyFile, good.KeyFile, good.WWDRFile, "holds no PEM CERTIFICATE", nil},
		{"not a pass type certificate", good.WWDRFile, good.KeyFile, good.WWDRFile, "is it a Pass Type ID certificate?", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := wallet.LoadApple(tc.cert, tc.key, tc.wwdr, time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("LoadApple = %v, want an error saying %q", err, tc.want)
			}
		})
	}
	// A server running on past its certificate's end stops offering passes.
	a, err := wallet.LoadApple(good.CertFile, good.KeyFile, good.WWDRFile, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Valid(a.Expires().Add(time.Second)); !errors.Is(err, wallet.ErrExpired) {
		t.Errorf("Valid after expiry = %v, want ErrExpired", err)
	}
}

// The link's JWT verifies with the service account's public key and carries the card.
func TestGoogleSignerSaveURL(t *testing.T) {
	file, email, public := wallettest.NewGoogle(t)
	g, err := wallet.LoadGoogle("3388000000022", file)
	if err != nil {
		t.Fatal(err)
	}
	c := testCard(t)
	link, err := g.SaveURL("cafe-lune", c, "https://cloud.example.com/c/cafe-lune/logo.png", i18n.French, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	claims := wallettest.SavedClaims(t, link, public)
	obj := claims["payload"].(map[string]any)["loyaltyObjects"].([]any)[0].(map[string]any)
	if claims["iss"] != email || obj["accountId"] != c.Code.String() ||
		obj["loyaltyPoints"].(map[string]any)["balance"].(map[string]any)["int"] != float64(c.Points) {
		t.Errorf("claims = %v", claims)
	}
	if got, err := cards.ParsePayload(obj["barcode"].(map[string]any)["value"].(string)); err != nil || got != c.Code {
		t.Errorf("the barcode reads as %v, %v; want %s", got, err, c.Code)
	}
}

func TestLoadGoogleRefuses(t *testing.T) {
	file, _, _ := wallettest.NewGoogle(t)
	apple := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	for _, tc := range []struct {
		name, issuer, file, want string
	}{
		{"issuer not a number", "cafe", file, "issuer id"},
		{"unreadable", "1", filepath.Join(t.TempDir(), "none.json"), "no such file"},
		{"not JSON", "1", apple.KeyFile, "is not a JSON key file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := wallet.LoadGoogle(tc.issuer, tc.file); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadGoogle = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func solidPNG(t *testing.T, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{c.R, c.G, c.B, c.A})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
