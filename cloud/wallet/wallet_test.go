package wallet_test

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/wallet"
	"github.com/merci-loyalty/merci/i18n"
)

func testCard(t testing.TB) wallet.Card {
	t.Helper()
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	return wallet.Card{ShopName: "Café Lune", Code: code, PageURL: cards.URL("https://cloud.example.com/c/cafe-lune", code),
		Points: 22, Level: "Gold", Next: "Dessert", NextGap: 3}
}

// The Apple pass shows the card page's facts in the customer's language, and its QR
// code holds what the counter reads as the card.
func TestApplePass(t *testing.T) {
	c := testCard(t)
	b, err := wallet.ApplePass(wallet.Apple{PassTypeID: "pass.com.example.cafe", TeamID: "A1B2C3D4E5"}, c, i18n.French)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		FormatVersion      int    `json:"formatVersion"`
		PassTypeIdentifier string `json:"passTypeIdentifier"`
		TeamIdentifier     string `json:"teamIdentifier"`
		SerialNumber       string `json:"serialNumber"`
		OrganizationName   string `json:"organizationName"`
		Barcodes           []struct {
			Format, Message, MessageEncoding, AltText string
		} `json:"barcodes"`
		StoreCard struct {
			PrimaryFields, SecondaryFields []struct {
				Key, Label string
				Value      any
			}
		} `json:"storeCard"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.FormatVersion != 1 || p.PassTypeIdentifier != "pass.com.example.cafe" || p.TeamIdentifier != "A1B2C3D4E5" ||
		p.SerialNumber != string(c.Code) || p.OrganizationName != "Café Lune" {
		t.Errorf("pass identity = %+v", p)
	}
	if len(p.Barcodes) != 1 || p.Barcodes[0].Format != "PKBarcodeFormatQR" || p.Barcodes[0].AltText != c.Code.String() {
		t.Fatalf("barcodes = %+v, want one QR code", p.Barcodes)
	}
	if got, err := cards.ParsePayload(p.Barcodes[0].Message); err != nil || got != c.Code {
		t.Errorf("the counter reads %q as %v, %v; want card %s", p.Barcodes[0].Message, got, err, c.Code)
	}
	fields := map[string]string{}
	for _, f := range append(p.StoreCard.PrimaryFields, p.StoreCard.SecondaryFields...) {
		fields[f.Key] = f.Label + ": " + jsonText(f.Value)
	}
	want := map[string]string{"points": "points: 22", "level": "Niveau: Gold", "next": "Prochaine récompense: Dessert · " + i18n.French.T("card.to_go", "3")}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if _, err := wallet.ApplePass(wallet.Apple{}, c, i18n.French); !errors.Is(err, wallet.ErrIncomplete) {
		t.Errorf("a shop without an Apple pass type: %v, want ErrIncomplete", err)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s
	}
	return string(b)
}

func TestAppleManifest(t *testing.T) {
	pass := []byte(`{"formatVersion":1}`)
	b, err := wallet.AppleManifest(map[string][]byte{"pass.json": pass})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(pass)
	if want := map[string]string{"pass.json": hex.EncodeToString(sum[:])}; !cmp.Equal(m, want) {
		t.Errorf("manifest = %v, want %v", m, want)
	}
}

// The Google claims carry the shop's class and the card's object, whose QR code holds
// what the counter reads as the card.
func TestGoogleClaims(t *testing.T) {
	c := testCard(t)
	c.Voided = true
	now := time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	g := wallet.Google{IssuerID: "3388000000022", ServiceAccount: "wallet@cafe.iam.gserviceaccount.com", LogoURL: "https://cafe.example/logo.png"}
	b, err := wallet.GoogleClaims(g, "cafe-lune", c, i18n.Portuguese, now)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Iss, Aud, Typ string
		Iat           int64
		Origins       []string
		Payload       struct {
			LoyaltyClasses []struct {
				ID, IssuerName, ProgramName string
				ProgramLogo                 struct{ SourceURI struct{ URI string } }
			}
			LoyaltyObjects []struct {
				ID, ClassID, State, AccountID string
				LoyaltyPoints                 struct {
					Label   string
					Balance struct{ Int int64 }
				}
				Barcode struct{ Type, Value, AlternateText string }
			}
		}
	}
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Iss != g.ServiceAccount || claims.Aud != "google" || claims.Typ != "savetowallet" || claims.Iat != now.Unix() || claims.Origins == nil {
		t.Errorf("claims = %+v", claims)
	}
	pl := claims.Payload
	if len(pl.LoyaltyClasses) != 1 || len(pl.LoyaltyObjects) != 1 {
		t.Fatalf("payload = %+v, want one class and one object", pl)
	}
	class, obj := pl.LoyaltyClasses[0], pl.LoyaltyObjects[0]
	if class.ID != "3388000000022.merci-cafe-lune" || obj.ClassID != class.ID || class.IssuerName != "Café Lune" || class.ProgramLogo.SourceURI.URI != g.LogoURL {
		t.Errorf("class = %+v, object's class %q", class, obj.ClassID)
	}
	if obj.ID != class.ID+"-"+string(c.Code) || obj.State != "INACTIVE" || obj.LoyaltyPoints.Balance.Int != 22 || obj.LoyaltyPoints.Label != "pontos" {
		t.Errorf("object = %+v", obj)
	}
	if got, err := cards.ParsePayload(obj.Barcode.Value); obj.Barcode.Type != "QR_CODE" || err != nil || got != c.Code {
		t.Errorf("barcode = %+v reads as %v, %v; want card %s", obj.Barcode, got, err, c.Code)
	}
	if _, err := wallet.GoogleClaims(wallet.Google{IssuerID: "1"}, "t", c, i18n.English, now); !errors.Is(err, wallet.ErrIncomplete) {
		t.Errorf("a shop without a service account: %v, want ErrIncomplete", err)
	}
}
