package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/wallet/wallettest"
)

// A wallet configuration that would make passes Wallet refuses stops serve at start,
// saying what to fix, before it opens the database or listens.
func TestServeRefusesBadWalletConfig(t *testing.T) {
	good := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	other := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	expired := wallettest.NewApple(t, time.Now().AddDate(0, -1, 0))
	account, _, _ := wallettest.NewGoogle(t)
	apple := func(a wallettest.Apple) []string {
		return []string{"--apple-pass-cert", a.CertFile, "--apple-pass-key", a.KeyFile, "--apple-wwdr-cert", a.WWDRFile}
	}
	public := []string{"--public-url", "https://cloud.example.com"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"half of Apple's", append(public, "--apple-pass-cert", good.CertFile), "Apple Wallet is half configured: give --apple-pass-key and --apple-wwdr-cert too"},
		{"half of Google's", append(public, "--google-issuer-id", "3388000000022"), "Google Wallet is half configured: give --google-service-account too"},
		{"no public address", apple(good), "wallet passes need --public-url"},
		{"plain http", append(apple(good), "--public-url", "http://cloud.example.com"), "want https"},
		{"a path", append(apple(good), "--public-url", "https://cloud.example.com/c/cafe"), "want only a scheme and a host"},
		{"expired", append(apple(expired), public...), "expired on " + expired.NotAfter().Format(time.DateOnly)},
		{"key of another certificate", append(public, "--apple-pass-cert", good.CertFile, "--apple-pass-key", other.KeyFile, "--apple-wwdr-cert", good.WWDRFile),
			"the private key does not match the certificate"},
		{"unreadable", append(public, "--apple-pass-cert", filepath.Join(t.TempDir(), "missing.pem"), "--apple-pass-key", good.KeyFile, "--apple-wwdr-cert", good.WWDRFile),
			"apple pass certificate: open "},
		{"service account not JSON", append(public, "--google-issuer-id", "3388000000022", "--google-service-account", good.KeyFile), "is not a JSON key file"},
		{"issuer not a number", append(public, "--google-issuer-id", "cafe-lune", "--google-service-account", account), `google wallet issuer id "cafe-lune"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "cloud.db")
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "off", "--db", db}, tc.args...)
			err := run(context.Background(), args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("serve %s = %v, want an error saying %q", strings.Join(tc.args, " "), err, tc.want)
			}
			if matches, _ := filepath.Glob(db + "*"); len(matches) > 0 {
				t.Errorf("serve opened the database before refusing: %v", matches)
			}
		})
	}
}

// With both wallets configured through the environment, serve starts and serves what
// the Google Wallet link's logo needs.
func TestServeWithWallets(t *testing.T) {
	a := wallettest.NewApple(t, time.Now().AddDate(1, 0, 0))
	account, _, _ := wallettest.NewGoogle(t)
	for k, v := range map[string]string{
		"MERCI_PUBLIC_URL": "https://cloud.example.com", "MERCI_APPLE_PASS_CERT": a.CertFile, "MERCI_APPLE_PASS_KEY": a.KeyFile,
		"MERCI_APPLE_WWDR_CERT": a.WWDRFile, "MERCI_GOOGLE_ISSUER_ID": "3388000000022", "MERCI_GOOGLE_SERVICE_ACCOUNT": account,
	} {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "off", "--db", filepath.Join(t.TempDir(), "cloud.db")}, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed %q: %v; %v", line, err, <-served)
	}
	go io.Copy(io.Discard, pr)
	base := regexp.MustCompile(`http://\S+`).FindString(line)
	if st, body := httpGet(t, base+"/merci-icon.png"); st != http.StatusOK || !strings.HasPrefix(body, "\x89PNG") {
		t.Errorf("GET /merci-icon.png: status %d, want Merci's icon", st)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}
