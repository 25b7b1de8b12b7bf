package localdb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/merci-loyalty/merci/localdb"
)

// BenchmarkUnlock measures the counter's PIN check in a shop of six staff at bcrypt's
// default cost: a PIN typed before ("again") against one never matched ("wrong"), which
// costs a comparison per staff member, as every first unlock did before.
func BenchmarkUnlock(b *testing.B) {
	ctx := context.Background()
	s, err := localdb.Open(ctx, filepath.Join(b.TempDir(), "merci.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range 6 {
		if _, err := s.AddStaff(ctx, fmt.Sprint("Staff ", i), localdb.RoleCashier, fmt.Sprint(5000+i)); err != nil {
			b.Fatal(err)
		}
	}
	check := func(b *testing.B, pin string, want error) {
		for range b.N {
			if _, err := s.StaffByPIN(ctx, pin, ""); err != want {
				b.Fatalf("StaffByPIN(%s) = %v, want %v", pin, err, want)
			}
		}
	}
	b.Run("wrong", func(b *testing.B) { check(b, "9999", localdb.ErrWrongPIN) })
	b.Run("again", func(b *testing.B) {
		check(b, "5005", nil) // the last staff member: every comparison on first sight
	})
}
