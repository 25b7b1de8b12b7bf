// Package localdbtest opens throwaway local stores for tests.
package localdbtest

import (
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
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

// EditProgram changes s's loyalty program by edit, saves it for every device of the
// shop and returns it.
func EditProgram(tb testing.TB, s *localdb.Store, edit func(*loyalty.Program)) loyalty.Program {
	tb.Helper()
	ctx := context.Background()
	p, err := s.Program(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	edit(&p)
	if err := s.SaveProgram(ctx, p); err != nil {
		tb.Fatal(err)
	}
	return p
}
