// Package tokentest keeps device tokens for tests, which must never touch the
// keyring of the machine they run on.
package tokentest

import (
	"sync"

	"github.com/merci-loyalty/merci/syncclient"
)

// Memory is a syncclient.TokenStore in memory. Its zero value is ready to use.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// Get returns the token for url, or syncclient.ErrNoToken.
func (m *Memory) Get(url string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tok, ok := m.m[url]; ok {
		return tok, nil
	}
	return "", syncclient.ErrNoToken
}

// Set stores token for url.
func (m *Memory) Set(url, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]string{}
	}
	m.m[url] = token
	return nil
}

// Delete forgets the token for url.
func (m *Memory) Delete(url string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, url)
	return nil
}

var _ syncclient.TokenStore = (*Memory)(nil)
