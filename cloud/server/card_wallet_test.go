package server_test

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/wallet"
	"github.com/merci-loyalty/merci/cloud/wallet/wallettest"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// walletKeys are throwaway signing keys, loaded as merci-cloud loads an operator's.
type walletKeys struct {
	apple     wallettest.Apple
	googlePub *rsa.PublicKey
	cfg       server.Config // the server's, offering both passes
}

// at returns the server's configuration with its clock stopped at now.
func (k walletKeys) at(now time.Time) server.Config {
	cfg := k.cfg
	cfg.Now = func() time.Time { return now }
	return cfg
}

func newWalletKeys(t *testing.T) walletKeys {
	t.Helper()
	k := walletKeys{apple: wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))}
	a, err := wallet.LoadApple(k.apple.CertFile, k.apple.KeyFile, k.apple.WWDRFile, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	file, _, pub := wallettest.NewGoogle(t)
	g, err := wallet.LoadGoogle("3388000000022", file)
	if err != nil {
		t.Fatal(err)
	}
	k.googlePub, k.cfg = pub, server.Config{PublicURL: "https://cloud.example.com", Wallet: server.Wallet{Apple: a, Google: g}}
	return k
}

// getNoRedirect fetches path from e in the customer's language, as a browser would
// before following a redirect.
func getNoRedirect(t *testing.T, e *env, path, lang string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", e.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", lang)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// With the operator's certificates, the card page offers both passes: a .pkpass signed
// by the pass certificate through the WWDR intermediate, and a Google Wallet link
// signed by the service account, both carrying the card's code and balance.
func TestCardWalletPasses(t *testing.T) {
	keys := newWalletKeys(t)
	e := newEnv(t, synctest.SQLite(t), keys.cfg)
	a := e.shop("Café Lune")
	logo, err := os.ReadFile("../../assets/icon.png")
	if err != nil {
		t.Fatal(err)
	}
	code := cardOfCafeLune(t, e, a,
		synctest.Record(t, syncwire.TypeSetting, syncwire.SettingShop, map[string]any{"name": "Café Lune", "logo": logo}))
	page := "/c/" + a.ShopTag + "/" + string(code)
	cardURL := "https://cloud.example.com" + page

	resp, body := getNoRedirect(t, e, page, "fr-FR,fr;q=0.9")
	for _, want := range []string{`href="` + page + `/pass.pkpass"`, i18n.French.T("card.wallet_apple"), `href="` + page + `/google-wallet"`, i18n.French.T("card.wallet_google")} {
		if !strings.Contains(string(body), want) {
			t.Errorf("card page (status %d) lacks %q", resp.StatusCode, want)
		}
	}

	resp, pkpass := getNoRedirect(t, e, page+"/pass.pkpass", "fr-FR")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.apple.pkpass" {
		t.Fatalf("pass: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	files := wallettest.OpenPass(t, pkpass, keys.apple.Root)
	var p struct {
		PassTypeIdentifier, SerialNumber, OrganizationName string
		Barcodes                                           []struct{ Message string }
		StoreCard                                          struct {
			PrimaryFields []struct {
				Label string
				Value int64
			}
		}
	}
	if err := json.Unmarshal(files["pass.json"], &p); err != nil {
		t.Fatal(err)
	}
	if p.PassTypeIdentifier != keys.apple.PassTypeID || p.SerialNumber != string(code) || p.OrganizationName != "Café Lune" {
		t.Errorf("pass.json = %+v", p)
	}
	if len(p.Barcodes) != 1 || p.Barcodes[0].Message != cardURL {
		t.Errorf("pass barcodes = %+v, want the card page %s", p.Barcodes, cardURL)
	}
	if pf := p.StoreCard.PrimaryFields; len(pf) != 1 || pf[0].Value != 120 || pf[0].Label != i18n.French.T("card.points") {
		t.Errorf("primary fields = %+v, want 120 %s", pf, i18n.French.T("card.points"))
	}

	resp, _ = getNoRedirect(t, e, page+"/google-wallet", "pt-BR")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("google wallet: status %d, want 303", resp.StatusCode)
	}
	var saved struct {
		Payload struct {
			LoyaltyClasses []struct {
				IssuerName  string
				ProgramLogo struct{ SourceURI struct{ URI string } }
			}
			LoyaltyObjects []struct {
				AccountID     string
				LoyaltyPoints struct {
					Label   string
					Balance struct{ Int int64 }
				}
				Barcode struct{ Value string }
			}
		}
	}
	claims, _ := json.Marshal(wallettest.SavedClaims(t, resp.Header.Get("Location"), keys.googlePub))
	if err := json.Unmarshal(claims, &saved); err != nil {
		t.Fatal(err)
	}
	if cl := saved.Payload.LoyaltyClasses; len(cl) != 1 || cl[0].IssuerName != "Café Lune" ||
		cl[0].ProgramLogo.SourceURI.URI != "https://cloud.example.com/c/"+a.ShopTag+"/logo.png" {
		t.Errorf("loyalty classes = %+v, want Café Lune's with its logo", cl)
	}
	obj := saved.Payload.LoyaltyObjects
	if len(obj) != 1 || obj[0].AccountID != code.String() || obj[0].LoyaltyPoints.Balance.Int != 120 ||
		obj[0].LoyaltyPoints.Label != i18n.Portuguese.T("card.points") || obj[0].Barcode.Value != cardURL {
		t.Errorf("loyalty objects = %+v, want card %s with 120 %s", obj, code, i18n.Portuguese.T("card.points"))
	}
}

// A blocked card is not offered a pass, and the pass it can still fetch is voided, so
// that adding it again greys out the one in the wallet.
func TestCardWalletBlockedCard(t *testing.T) {
	keys := newWalletKeys(t)
	e := newEnv(t, synctest.SQLite(t), keys.cfg)
	a := e.shop("Café Lune")
	code := cardOfCafeLune(t, e, a)
	e.push(a, synctest.Record(t, syncwire.TypeCard, string(code), loyalty.Card{Code: string(code), CustomerID: "cust-1", Status: loyalty.CardBlocked}))
	page := "/c/" + a.ShopTag + "/" + string(code)
	if _, body := getNoRedirect(t, e, page, "en"); strings.Contains(string(body), "pass.pkpass") || strings.Contains(string(body), "google-wallet") ||
		!strings.Contains(string(body), i18n.English.T("card.blocked")) {
		t.Errorf("the page of a blocked card offers a pass or does not say it is blocked")
	}
	_, pkpass := getNoRedirect(t, e, page+"/pass.pkpass", "en")
	var p struct{ Voided bool }
	if err := json.Unmarshal(wallettest.OpenPass(t, pkpass, keys.apple.Root)["pass.json"], &p); err != nil || !p.Voided {
		t.Errorf("pass of a blocked card: voided %v (%v), want true", p.Voided, err)
	}
}

// Without certificates nothing of the wallets shows or answers; past the Apple
// certificate's end, its button goes and its route says why.
func TestCardWalletOff(t *testing.T) {
	e := newEnv(t, synctest.SQLite(t), server.Config{})
	a := e.shop("Café Lune")
	code := cardOfCafeLune(t, e, a)
	page := "/c/" + a.ShopTag + "/" + string(code)
	resp, body := getNoRedirect(t, e, page, "en")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("card page: status %d", resp.StatusCode)
	}
	for _, absent := range []string{`<div class="wallet">`, i18n.English.T("card.wallet_apple"), i18n.English.T("card.wallet_google")} {
		if strings.Contains(string(body), absent) {
			t.Errorf("card page without wallet certificates shows %q", absent)
		}
	}
	for _, path := range []string{page + "/pass.pkpass", page + "/google-wallet", "/merci-icon.png"} {
		if resp, _ := getNoRedirect(t, e, path, "en"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s without wallet certificates: status %d, want 404", path, resp.StatusCode)
		}
	}

	keys := newWalletKeys(t)
	later := keys.cfg.Wallet.Apple.Expires().Add(time.Minute)
	e = newEnv(t, synctest.SQLite(t), keys.at(later))
	a = e.shop("Café Lune")
	code = cardOfCafeLune(t, e, a)
	page = "/c/" + a.ShopTag + "/" + string(code)
	if _, body := getNoRedirect(t, e, page, "en"); strings.Contains(string(body), "pass.pkpass") || !strings.Contains(string(body), "google-wallet") {
		t.Errorf("card page once the Apple certificate expired: want the Google button alone")
	}
	if resp, _ := getNoRedirect(t, e, page+"/pass.pkpass", "en"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("pass once the Apple certificate expired: status %d, want 503", resp.StatusCode)
	}
	if !strings.Contains(e.logs.String(), "expired on") {
		t.Errorf("the log does not say the certificate expired")
	}
}

// A shop without a logo gives Google Wallet Merci's icon, served for it.
func TestCardWalletGoogleLogoFallback(t *testing.T) {
	keys := newWalletKeys(t)
	e := newEnv(t, synctest.SQLite(t), keys.cfg)
	a := e.shop("Café Lune")
	code := cardOfCafeLune(t, e, a)
	resp, _ := getNoRedirect(t, e, "/c/"+a.ShopTag+"/"+string(code)+"/google-wallet", "en")
	claims := wallettest.SavedClaims(t, resp.Header.Get("Location"), keys.googlePub)
	b, _ := json.Marshal(claims["payload"])
	if !strings.Contains(string(b), `"uri":"https://cloud.example.com/merci-icon.png"`) {
		t.Errorf("payload %s lacks Merci's icon as the logo", b)
	}
	if resp, icon := getNoRedirect(t, e, "/merci-icon.png", "en"); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || len(icon) == 0 {
		t.Errorf("GET /merci-icon.png: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
