package localdb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// BenchmarkPurchaseWithInvitation measures what inviting to the survey adds to a credit
// at the counter: RecordPurchase of a customer not invited yet (the throttle read, the
// invitation and its outbox entry in the credit's transaction) against Record of the
// same credit, interleaved in the same run. Target: p50 ratio at most 1.5.
func BenchmarkPurchaseWithInvitation(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b)
	p, err := s.Program(ctx)
	if err != nil {
		b.Fatal(err)
	}
	build := func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: s.Device(), At: time.Now()}, a.Card, 1250)
	}
	var plain, invited []time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		a := newAccount(b, s, fmt.Sprint("bench", i))
		b.StartTimer()
		start := time.Now()
		if _, _, err := s.Record(ctx, a.Code(), build); err != nil {
			b.Fatal(err)
		}
		plain = append(plain, time.Since(start))
		start = time.Now()
		if _, _, err := s.RecordPurchase(ctx, a.Code(), build); err != nil {
			b.Fatal(err)
		}
		invited = append(invited, time.Since(start))
	}
	b.StopTimer()
	reportAgainst(b, "credit", plain, "invited", invited)
}
