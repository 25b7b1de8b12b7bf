package syncclient_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/merci-loyalty/merci/syncclient"
)

const serverURL = "https://cloud.example"

func TestTokensInKeyring(t *testing.T) {
	keyring.MockInit()
	t.Cleanup(func() { keyring.MockInitWithError(errNoKeyring) })
	dir := t.TempDir()
	tokens := syncclient.NewTokens(dir)
	if err := tokens.Set(serverURL, "secret-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := keyring.Get(syncclient.KeyringService, serverURL); err != nil || got != "secret-1" {
		t.Errorf("keyring holds %q, %v; want secret-1", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "cloud-tokens.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("with a keyring, a token file exists (%v): the token must not be on disk", err)
	}
	if got, err := tokens.Get(serverURL); err != nil || got != "secret-1" {
		t.Errorf("Get = %q, %v; want secret-1", got, err)
	}
	if err := tokens.Delete(serverURL); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Get(serverURL); !errors.Is(err, syncclient.ErrNoToken) {
		t.Errorf("Get after Delete: %v, want ErrNoToken", err)
	}
}

func TestTokensFileWithoutKeyring(t *testing.T) {
	dir := t.TempDir()
	tokens := syncclient.NewTokens(dir)
	if _, err := tokens.Get(serverURL); !errors.Is(err, syncclient.ErrNoToken) {
		t.Errorf("Get before Set: %v, want ErrNoToken", err)
	}
	if err := tokens.Set(serverURL, "secret-2"); err != nil {
		t.Fatal(err)
	}
	if err := tokens.Set("https://other.example", "secret-3"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "cloud-tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("token file mode = %o, want 600", perm)
	}
	// Another process, or the app after a restart, reads it back.
	if got, err := syncclient.NewTokens(dir).Get(serverURL); err != nil || got != "secret-2" {
		t.Errorf("Get = %q, %v; want secret-2", got, err)
	}
	if err := tokens.Delete(serverURL); err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Get(serverURL); !errors.Is(err, syncclient.ErrNoToken) {
		t.Errorf("Get after Delete: %v, want ErrNoToken", err)
	}
	if got, err := tokens.Get("https://other.example"); err != nil || got != "secret-3" {
		t.Errorf("the other server's token = %q, %v; want secret-3 kept", got, err)
	}
	// A keyring that appears later takes the token, and the file copy goes.
	keyring.MockInit()
	t.Cleanup(func() { keyring.MockInitWithError(errNoKeyring) })
	if err := tokens.Set("https://other.example", "secret-4"); err != nil {
		t.Fatal(err)
	}
	keyring.MockInitWithError(errNoKeyring)
	if _, err := tokens.Get("https://other.example"); !errors.Is(err, syncclient.ErrNoToken) {
		t.Errorf("the token file still holds the token moved to the keyring: %v", err)
	}
}
