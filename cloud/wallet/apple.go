package wallet

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/merci-loyalty/merci/i18n"
)

// oidUserID is the subject attribute (UID) where Apple writes a pass certificate's pass
// type identifier; the team identifier is the subject's organizational unit.
var oidUserID = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}

// AppleSigner makes signed .pkpass files with a Pass Type ID certificate.
type AppleSigner struct {
	apple  Apple
	cert   *x509.Certificate
	key    crypto.Signer
	wwdr   *x509.Certificate // Apple's intermediate, which issued cert
	images imageCache
}

// LoadApple reads a Pass Type ID certificate (PEM or DER), its unencrypted private key
// (PEM) and Apple's WWDR intermediate certificate that issued it, and checks at now
// that they can sign a pass Wallet accepts: both certificates valid, the key the
// certificate's, the certificate issued by the intermediate and naming its pass type
// and team. The pass type and team come from the certificate, so they cannot disagree
// with it.
func LoadApple(certFile, keyFile, wwdrFile string, now time.Time) (*AppleSigner, error) {
	cert, err := readCert(certFile)
	if err != nil {
		return nil, fmt.Errorf("apple pass certificate: %w", err)
	}
	key, err := readKey(keyFile)
	if err != nil {
		return nil, fmt.Errorf("apple pass key: %w", err)
	}
	wwdr, err := readCert(wwdrFile)
	if err != nil {
		return nil, fmt.Errorf("apple WWDR certificate: %w", err)
	}
	a := &AppleSigner{cert: cert, key: key, wwdr: wwdr}
	for _, n := range cert.Subject.Names {
		if s, ok := n.Value.(string); ok && n.Type.Equal(oidUserID) {
			a.apple.PassTypeID = s
		}
	}
	if len(cert.Subject.OrganizationalUnit) > 0 {
		a.apple.TeamID = cert.Subject.OrganizationalUnit[0]
	}
	if !strings.HasPrefix(a.apple.PassTypeID, "pass.") || a.apple.TeamID == "" {
		return nil, fmt.Errorf("apple pass certificate %q names no pass type id (UID pass....) and team id (OU): is it a Pass Type ID certificate?", cert.Subject.CommonName)
	}
	if err := checkPair(cert, key); err != nil {
		return nil, fmt.Errorf("apple pass key: %w", err)
	}
	if err := cert.CheckSignatureFrom(wwdr); err != nil {
		return nil, fmt.Errorf("apple pass certificate %q was not issued by the WWDR certificate %q (Apple's pass certificates are issued by WWDR G4): %w",
			cert.Subject.CommonName, wwdr.Subject.CommonName, err)
	}
	if err := a.Valid(now); err != nil {
		return nil, err
	}
	return a, nil
}

// PassTypeID is the pass type of the passes a signs.
func (a *AppleSigner) PassTypeID() string { return a.apple.PassTypeID }

// Expires is when a's first certificate expires.
func (a *AppleSigner) Expires() time.Time {
	if a.wwdr.NotAfter.Before(a.cert.NotAfter) {
		return a.wwdr.NotAfter
	}
	return a.cert.NotAfter
}

// Valid says whether a can sign a pass at now, or why not (ErrExpired).
func (a *AppleSigner) Valid(now time.Time) error {
	if err := checkValid(a.cert, now); err != nil {
		return fmt.Errorf("apple pass certificate: %w", err)
	}
	if err := checkValid(a.wwdr, now); err != nil {
		return fmt.Errorf("apple WWDR certificate: %w", err)
	}
	return nil
}

// Pass returns the .pkpass of c, its texts in l, its icon and logo drawn from logo (the
// shop's PNG, or nil for Merci's): a zip of pass.json, the images, manifest.json
// (their SHA-1s) and signature, the manifest's detached PKCS#7 signature by the pass
// certificate, which carries the WWDR intermediate so that Wallet can chain it to
// Apple's root.
func (a *AppleSigner) Pass(c Card, l i18n.Lang, logo []byte) ([]byte, error) {
	pass, err := ApplePass(a.apple, c, l)
	if err != nil {
		return nil, err
	}
	images, err := a.images.get(logo)
	if err != nil {
		return nil, err
	}
	files := maps.Clone(images)
	files["pass.json"] = pass
	manifest, err := AppleManifest(files)
	if err != nil {
		return nil, err
	}
	sig, err := a.sign(manifest)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range append(imageNames, "pass.json", "manifest.json", "signature") {
		content := files[name]
		switch name {
		case "manifest.json":
			content = manifest
		case "signature":
			content = sig
		}
		w, err := z.Create(name)
		if err != nil {
			return nil, fmt.Errorf("pkpass %s: %w", name, err)
		}
		if _, err := w.Write(content); err != nil {
			return nil, fmt.Errorf("pkpass %s: %w", name, err)
		}
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("pkpass: %w", err)
	}
	return b.Bytes(), nil
}

// sign returns the detached signature of manifest, SHA-256 over its signed attributes
// (with the signing time, which Wallet requires).
func (a *AppleSigner) sign(manifest []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(manifest)
	if err != nil {
		return nil, fmt.Errorf("sign the manifest: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(a.cert, a.key, []*x509.Certificate{a.wwdr}, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("sign the manifest: %w", err)
	}
	sd.Detach()
	sig, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("sign the manifest: %w", err)
	}
	return sig, nil
}
