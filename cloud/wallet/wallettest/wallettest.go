// Package wallettest makes throwaway wallet signing keys for tests: a certificate chain
// shaped like Apple's (a root, a WWDR intermediate, a Pass Type ID certificate) and a
// Google service account's JSON key, written to files as an operator would give them.
package wallettest

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/smallstep/pkcs7"
)

// Apple is a throwaway Apple-like chain, its files in a test's temporary folder.
type Apple struct {
	Root                        *x509.Certificate // stands for Apple's root CA: trust it to verify
	CertFile, KeyFile, WWDRFile string            // PEM, as docs/wallet.md asks for them
	PassTypeID, TeamID          string
	pass                        *x509.Certificate
}

// NotAfter is when the pass certificate expires.
func (a Apple) NotAfter() time.Time { return a.pass.NotAfter }

// NewApple makes a chain whose pass certificate is valid until notAfter (and since a
// day before it at the latest: pass a past time for an expired one).
func NewApple(t testing.TB, notAfter time.Time) Apple {
	t.Helper()
	dir := t.TempDir()
	notBefore := time.Now()
	if day := notAfter.Add(-24 * time.Hour); day.Before(notBefore) {
		notBefore = day
	}
	rootKey, wwdrKey, passKey := newKey(t), newKey(t), newKey(t)
	ca := x509.Certificate{
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		NotBefore: notBefore.Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
	}
	rootTmpl := ca
	rootTmpl.SerialNumber, rootTmpl.Subject = big.NewInt(1), pkix.Name{CommonName: "Test Root CA", Organization: []string{"Merci tests"}}
	root := sign(t, &rootTmpl, &rootTmpl, rootKey, rootKey)
	wwdrTmpl := ca
	wwdrTmpl.SerialNumber = big.NewInt(2)
	wwdrTmpl.Subject = pkix.Name{CommonName: "Test Worldwide Developer Relations Certification Authority", OrganizationalUnit: []string{"G4"}}
	wwdr := sign(t, &wwdrTmpl, root, wwdrKey, rootKey)
	a := Apple{Root: root, PassTypeID: "pass.test.merci.card", TeamID: "TEST123456"}
	passTmpl := x509.Certificate{
		SerialNumber: big.NewInt(3),
		Subject: pkix.Name{
			CommonName: "Pass Type ID: " + a.PassTypeID, OrganizationalUnit: []string{a.TeamID}, Organization: []string{"Merci tests"},
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: a.PassTypeID}},
		},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	a.pass = sign(t, &passTmpl, wwdr, passKey, wwdrKey)
	a.CertFile = writePEM(t, dir, "pass-cert.pem", "CERTIFICATE", a.pass.Raw)
	a.WWDRFile = writePEM(t, dir, "wwdr.pem", "CERTIFICATE", wwdr.Raw)
	a.KeyFile = writePEM(t, dir, "pass-key.pem", "PRIVATE KEY", pkcs8(t, passKey))
	return a
}

// NewGoogle writes a service account's JSON key file and returns it with the public
// key that verifies what it signs.
func NewGoogle(t testing.TB) (file, clientEmail string, public *rsa.PublicKey) {
	t.Helper()
	key := newKey(t)
	clientEmail = "wallet@merci-test.iam.gserviceaccount.com"
	b, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "merci-test", "private_key_id": "0123abcd",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8(t, key)})),
		"client_email": clientEmail, "token_uri": "https://oauth2.googleapis.com/token",
	})
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return file, clientEmail, &key.PublicKey
}

func newKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048) // what Apple and Google issue
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, key, parentKey *rsa.PrivateKey) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pkcs8(t testing.TB, key *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	t.Helper()
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// OpenPass unzips a .pkpass and checks it as Wallet does: manifest.json lists the SHA-1
// of every other file and of nothing else, and signature is a detached PKCS#7
// signature of manifest.json whose certificates (the pass certificate and the WWDR
// intermediate it carries) chain to root. It returns the pass's files.
func OpenPass(t testing.TB, pkpass []byte, root *x509.Certificate) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(pkpass), int64(len(pkpass)))
	if err != nil {
		t.Fatalf("the pass is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
	}
	var manifest map[string]string
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	for name, b := range files {
		if name == "manifest.json" || name == "signature" {
			continue
		}
		sum := sha1.Sum(b)
		if got, want := manifest[name], hex.EncodeToString(sum[:]); got != want {
			t.Errorf("manifest.json lists %s as %q, its SHA-1 is %s", name, got, want)
		}
		delete(manifest, name)
	}
	if len(manifest) > 0 {
		t.Errorf("manifest.json lists files the pass lacks: %v", manifest)
	}
	p7, err := pkcs7.Parse(files["signature"])
	if err != nil {
		t.Fatalf("signature is not PKCS#7: %v", err)
	}
	if len(p7.Content) != 0 {
		t.Errorf("signature carries %d bytes of content, want a detached signature", len(p7.Content))
	}
	p7.Content = files["manifest.json"]
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if err := p7.VerifyWithChain(pool); err != nil {
		t.Errorf("signature of manifest.json does not verify against the test root: %v", err)
	}
	return files
}

// SavedClaims checks that saveURL is a "Save to Google Wallet" link whose JWT is
// signed RS256 by public's key, and returns its claims.
func SavedClaims(t testing.TB, saveURL string, public *rsa.PublicKey) jwt.MapClaims {
	t.Helper()
	token, ok := strings.CutPrefix(saveURL, "https://pay.google.com/gp/v/save/")
	if !ok {
		t.Fatalf("%q is not a Save to Google Wallet link", saveURL)
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return public, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience("google"), jwt.WithIssuedAt()); err != nil {
		t.Fatalf("the JWT does not verify with the service account's key: %v", err)
	}
	return claims
}
