package wallet

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrExpired means a signing certificate is outside its validity period: Wallet refuses
// what it signs.
var ErrExpired = errors.New("certificate expired or not yet valid")

// readCert reads the first certificate of a file in PEM or, as Apple hands them out
// (.cer), DER.
func readCert(file string) (*x509.Certificate, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	der := b
	if bytes.Contains(b, []byte("-----BEGIN")) {
		der = nil
		for rest := b; der == nil; {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil {
				return nil, fmt.Errorf("%s holds no PEM CERTIFICATE block", file)
			}
			if block.Type == "CERTIFICATE" {
				der = block.Bytes
			}
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%s is not a certificate (PEM or DER): %w", file, err)
	}
	return c, nil
}

// readKey reads an unencrypted private key in PEM: PKCS#8, PKCS#1 (RSA) or SEC 1 (EC).
func readKey(file string) (crypto.Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return parseKeyPEM(b, file)
}

func parseKeyPEM(b []byte, source string) (crypto.Signer, error) {
	for rest := b; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return nil, fmt.Errorf("%s holds no PEM private key", source)
		}
		if block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] != "" {
			return nil, fmt.Errorf("%s: the private key is encrypted; store it decrypted, readable by the server only (docs/wallet.md)", source)
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%s: a %T cannot sign", source, key)
		}
		return signer, nil
	}
}

// checkValid says whether c may sign at now.
func checkValid(c *x509.Certificate, now time.Time) error {
	if now.After(c.NotAfter) {
		return fmt.Errorf("%q expired on %s: %w", c.Subject.CommonName, c.NotAfter.Format(time.DateOnly), ErrExpired)
	}
	if now.Before(c.NotBefore) {
		return fmt.Errorf("%q is valid only from %s: %w", c.Subject.CommonName, c.NotBefore.Format(time.DateOnly), ErrExpired)
	}
	return nil
}

// publicKeyOf is what every private key of the standard library has.
type publicKeyOf interface{ Equal(crypto.PublicKey) bool }

// checkPair says whether key is the private key of c.
func checkPair(c *x509.Certificate, key crypto.Signer) error {
	pub, ok := key.Public().(publicKeyOf)
	if !ok || !pub.Equal(c.PublicKey) {
		return fmt.Errorf("the private key does not match the certificate %q", c.Subject.CommonName)
	}
	return nil
}
