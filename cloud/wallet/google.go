package wallet

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/merci-loyalty/merci/i18n"
)

// GoogleSaveURL is where a signed JWT saves its pass: GoogleSaveURL + JWT.
const GoogleSaveURL = "https://pay.google.com/gp/v/save/"

// GoogleSigner makes "Save to Google Wallet" links with a service account's key.
type GoogleSigner struct {
	google Google
	key    *rsa.PrivateKey
	keyID  string
}

// serviceAccount is the part of a Google Cloud service account's JSON key file that
// signs.
type serviceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
}

// LoadGoogle reads the JSON key file of the service account that the Google Wallet
// issuer issuerID authorised, and checks that it can sign.
func LoadGoogle(issuerID, serviceAccountFile string) (*GoogleSigner, error) {
	if issuerID == "" || strings.Trim(issuerID, "0123456789") != "" {
		return nil, fmt.Errorf("google wallet issuer id %q: want the number the Google Pay & Wallet Console shows", issuerID)
	}
	b, err := os.ReadFile(serviceAccountFile)
	if err != nil {
		return nil, fmt.Errorf("google service account: %w", err)
	}
	var sa serviceAccount
	if err := json.Unmarshal(b, &sa); err != nil {
		return nil, fmt.Errorf("google service account %s is not a JSON key file: %w", serviceAccountFile, err)
	}
	if sa.Type != "service_account" || sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, fmt.Errorf("google service account %s: want a service account's JSON key (type service_account, client_email, private_key)", serviceAccountFile)
	}
	key, err := parseKeyPEM([]byte(sa.PrivateKey), serviceAccountFile+" private_key")
	if err != nil {
		return nil, fmt.Errorf("google service account: %w", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("google service account %s: its key is a %T, Google Wallet wants RSA (RS256)", serviceAccountFile, key)
	}
	return &GoogleSigner{google: Google{IssuerID: issuerID, ServiceAccount: sa.ClientEmail}, key: rsaKey, keyID: sa.PrivateKeyID}, nil
}

// ServiceAccount is the client_email of the key that g signs with.
func (g *GoogleSigner) ServiceAccount() string { return g.google.ServiceAccount }

// SaveURL returns the "Save to Google Wallet" link of c, a card of the shop tagged tag,
// its texts in l, issued at now: GoogleSaveURL and the claims of GoogleClaims, the
// class showing logoURL, signed with RS256.
func (g *GoogleSigner) SaveURL(tag string, c Card, logoURL string, l i18n.Lang, now time.Time) (string, error) {
	shop := g.google
	shop.LogoURL = logoURL
	claims, err := googleClaims(shop, tag, c, l, now)
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	if g.keyID != "" {
		t.Header["kid"] = g.keyID
	}
	signed, err := t.SignedString(g.key)
	if err != nil {
		return "", fmt.Errorf("google wallet: sign: %w", err)
	}
	return GoogleSaveURL + signed, nil
}
