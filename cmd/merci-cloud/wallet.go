package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/wallet"
)

// walletFlags are where the operator's wallet certificates are (docs/wallet.md), each
// flag defaulting to its environment variable.
type walletFlags struct {
	publicURL, appleCert, appleKey, appleWWDR, googleIssuer, googleAccount *string
}

func addWalletFlags(fs *flag.FlagSet) walletFlags {
	env := func(name, flagName, usage string) *string {
		return fs.String(flagName, os.Getenv(name), usage+" [$"+name+"]")
	}
	return walletFlags{
		publicURL:     env("MERCI_PUBLIC_URL", "public-url", "the https address customers reach this server at: wallet passes need it, survey emails link to it for shops that set no card page address"),
		appleCert:     env("MERCI_APPLE_PASS_CERT", "apple-pass-cert", "Apple Wallet: the Pass Type ID certificate (PEM or .cer)"),
		appleKey:      env("MERCI_APPLE_PASS_KEY", "apple-pass-key", "Apple Wallet: its private key (PEM, unencrypted)"),
		appleWWDR:     env("MERCI_APPLE_WWDR_CERT", "apple-wwdr-cert", "Apple Wallet: Apple's WWDR G4 intermediate certificate (PEM or .cer)"),
		googleIssuer:  env("MERCI_GOOGLE_ISSUER_ID", "google-issuer-id", "Google Wallet: the issuer id of the Google Pay & Wallet Console"),
		googleAccount: env("MERCI_GOOGLE_SERVICE_ACCOUNT", "google-service-account", "Google Wallet: the service account's JSON key file"),
	}
}

// load reads and checks the certificates given, at now: a server that would offer
// passes Wallet refuses does not start. Nothing given offers no passes.
func (f walletFlags) load(now time.Time, log *slog.Logger) (server.Wallet, error) {
	var w server.Wallet
	apple, err := given("Apple Wallet", map[string]string{"--apple-pass-cert": *f.appleCert, "--apple-pass-key": *f.appleKey, "--apple-wwdr-cert": *f.appleWWDR})
	if err != nil {
		return w, err
	}
	google, err := given("Google Wallet", map[string]string{"--google-issuer-id": *f.googleIssuer, "--google-service-account": *f.googleAccount})
	if err != nil {
		return w, err
	}
	if !apple && !google {
		return w, nil
	}
	if *f.publicURL == "" {
		return w, errors.New("wallet passes need --public-url, the https address customers reach this server at (https://cloud.example.com)")
	}
	if apple {
		if w.Apple, err = wallet.LoadApple(*f.appleCert, *f.appleKey, *f.appleWWDR, now); err != nil {
			return w, err
		}
		if left := w.Apple.Expires().Sub(now); left < 30*24*time.Hour {
			log.Warn("the Apple Wallet certificates expire soon: renew them (docs/wallet.md)", "expires", w.Apple.Expires())
		}
		log.Info("Apple Wallet passes offered", "pass_type", w.Apple.PassTypeID(), "expires", w.Apple.Expires())
	}
	if google {
		if w.Google, err = wallet.LoadGoogle(*f.googleIssuer, *f.googleAccount); err != nil {
			return w, err
		}
		log.Info("Google Wallet passes offered", "issuer", *f.googleIssuer, "service_account", w.Google.ServiceAccount())
	}
	return w, nil
}

// given says whether all of a wallet's settings are given, none are, or (an error) only
// some.
func given(name string, settings map[string]string) (bool, error) {
	var missing []string
	for flagName, v := range settings {
		if v == "" {
			missing = append(missing, flagName)
		}
	}
	switch len(missing) {
	case 0:
		return true, nil
	case len(settings):
		return false, nil
	}
	slices.Sort(missing)
	return false, fmt.Errorf("%s is half configured: give %s too, or none of its settings", name, strings.Join(missing, " and "))
}

// publicURL checks the server's public address, if given: https (plain http only on a
// loopback address, for trying it out), and nothing but the scheme and host, since the
// card pages and survey links live at its root.
func publicURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("--public-url %q: want only a scheme and a host, https://cloud.example.com", v)
	}
	if u.Scheme != "https" {
		ip := net.ParseIP(u.Hostname())
		if u.Scheme != "http" || (u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return "", fmt.Errorf("--public-url %q: want https (Google fetches the shop's logo from it, and phones refuse plain http)", v)
		}
	}
	return strings.TrimSuffix(v, "/"), nil
}
