package syncclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name of device tokens in the system keyring.
const KeyringService = "merci"

// ErrNoToken means no token is stored for the server: the device must be enrolled.
var ErrNoToken = errors.New("no device token stored")

// Tokens keeps device tokens, one per server URL, in the system keyring (macOS
// Keychain, Secret Service over D-Bus, Windows Credential Manager). Where there is none
// usable (a headless Linux box without a secret service, an unsupported system), it
// keeps them in a file readable only by the user, in the data folder.
type Tokens struct {
	file string
	mu   sync.Mutex // serialises the file's read-modify-write
}

// NewTokens returns a token store whose fallback file is in dir.
func NewTokens(dir string) *Tokens {
	return &Tokens{file: filepath.Join(dir, "cloud-tokens.json")}
}

// Get returns the token for serverURL, or ErrNoToken.
func (t *Tokens) Get(serverURL string) (string, error) {
	token, err := keyring.Get(KeyringService, serverURL)
	if err == nil {
		return token, nil
	}
	// Not found in a working keyring, or no keyring: the file may have it, saved when
	// the keyring did not work.
	t.mu.Lock()
	defer t.mu.Unlock()
	m, err := t.read()
	if err != nil {
		return "", err
	}
	if token, ok := m[serverURL]; ok {
		return token, nil
	}
	return "", ErrNoToken
}

// Set stores token for serverURL.
func (t *Tokens) Set(serverURL, token string) error {
	if err := keyring.Set(KeyringService, serverURL, token); err == nil {
		// Not a second copy in the file: drop one left from a time without keyring.
		return t.update(func(m map[string]string) bool {
			_, had := m[serverURL]
			delete(m, serverURL)
			return had
		})
	}
	return t.update(func(m map[string]string) bool {
		m[serverURL] = token
		return true
	})
}

// Delete forgets the token for serverURL, wherever it is.
func (t *Tokens) Delete(serverURL string) error {
	// An error means it was not there or there is no keyring: the file is the other place.
	_ = keyring.Delete(KeyringService, serverURL)
	return t.update(func(m map[string]string) bool {
		_, had := m[serverURL]
		delete(m, serverURL)
		return had
	})
}

// update applies change to the file's tokens and writes them back if it reports a
// change: to a temporary file, made 0600 before anything is in it, then renamed over.
func (t *Tokens) update(change func(map[string]string) bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	m, err := t.read()
	if err != nil {
		return err
	}
	if !change(m) {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode device tokens: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(t.file), 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(t.file), ".cloud-tokens-*")
	if err != nil {
		return fmt.Errorf("save device token: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save device token: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save device token: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save device token: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save device token: %w", err)
	}
	if err := os.Rename(tmp.Name(), t.file); err != nil {
		return fmt.Errorf("save device token: %w", err)
	}
	return nil
}

func (t *Tokens) read() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(t.file)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read device tokens: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read device tokens %s: %w", t.file, err)
	}
	return m, nil
}
