// Package localdbtest opens throwaway local stores for tests.
package localdbtest

import (
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/merci-loyalty/merci/localdb"
)

// Open opens a new store in a temporary folder of tb, closed when tb ends, holding the
// sample data of the demo (program, rewards, customers, cards) under shop's name. It is
// not the demo's own store, so it may be connected to a cloud account.
func Open(tb testing.TB, shop localdb.Shop) *localdb.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := localdb.Open(ctx, filepath.Join(tb.TempDir(), "merci.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	// Nothing tested depends on bcrypt's cost, and at the default one the staff tests
	// spent most of their time hashing PINs under the race detector.
	s.PINCost = bcrypt.MinCost
	if err := s.SeedSample(ctx, shop); err != nil {
		tb.Fatal(err)
	}
	return s
}
