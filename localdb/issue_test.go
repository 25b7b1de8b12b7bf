package localdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

func TestIssueCards(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	o := loyalty.Origin{Device: s.Device(), Staff: "owner-1", At: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	queuedBefore := len(queued(t, s))

	codes, err := s.IssueCards(ctx, 3, 50, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 3 {
		t.Fatalf("IssueCards(3) made %d codes", len(codes))
	}
	customers := map[string]bool{}
	for _, c := range codes {
		if _, err := cards.ParseCode(string(c)); err != nil {
			t.Errorf("issued code %q does not parse: %v", c, err)
		}
		a, err := s.AccountByCode(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if a.Customer.Name != "" || a.Card.Status != loyalty.CardActive || !a.Card.IssuedAt.Equal(o.At) {
			t.Errorf("card %s: customer %q, status %s, issued %v; want anonymous, active, issued %v",
				c, a.Customer.Name, a.Card.Status, a.Card.IssuedAt, o.At)
		}
		if want := (loyalty.Balance{Points: 50}); a.Balance != want || ledgerBalance(t, s, a.Customer.ID) != want {
			t.Errorf("card %s: balance %+v, ledger %+v, want %+v", c, a.Balance, ledgerBalance(t, s, a.Customer.ID), want)
		}
		entries, err := s.Entries(ctx, time.Time{}, a.Customer.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Kind != loyalty.KindAdjust || entries[0].Reason != loyalty.ReasonOpening || entries[0].Staff != o.Staff {
			t.Errorf("card %s: operations %+v, want one opening adjustment by %s", c, entries, o.Staff)
		}
		customers[a.Customer.ID] = true
	}
	if len(customers) != 3 {
		t.Errorf("3 cards belong to %d customers, want one each", len(customers))
	}
	// Each card queues its customer, its card and its opening operation for the cloud.
	if got := len(queued(t, s)) - queuedBefore; got != 9 {
		t.Errorf("issuing 3 pre-credited cards queued %d changes, want 9", got)
	}

	plain, err := s.IssueCards(ctx, 2, 0, loyalty.Origin{Device: s.Device()})
	if err != nil {
		t.Fatal(err)
	}
	batches, err := s.CardBatches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 {
		t.Fatalf("CardBatches = %+v, want 2 batches", batches)
	}
	if b := batches[1]; b.Count != 3 || b.Opening != (loyalty.Delta{Points: 50}) || !b.IssuedAt.Equal(o.At) {
		t.Errorf("older batch = %+v, want 3 cards with 50 points, issued %v", b, o.At)
	}
	if b := batches[0]; b.Count != 2 || b.Opening != (loyalty.Delta{}) {
		t.Errorf("newest batch = %+v, want 2 cards with no opening balance", b)
	}
	got, err := s.BatchCards(ctx, batches[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var gotCodes []cards.Code
	for _, c := range got {
		gotCodes = append(gotCodes, cards.Code(c.Code))
	}
	if diff := cmp.Diff(plain, gotCodes); diff != "" {
		t.Errorf("BatchCards differs from the issued codes, in order (-issued +listed):\n%s", diff)
	}

	// A card replaced since says so in its batch.
	if _, err := s.ReplaceCard(ctx, codes[1]); err != nil {
		t.Fatal(err)
	}
	got, err = s.BatchCards(ctx, batches[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Status != loyalty.CardReplaced || got[0].Status != loyalty.CardActive {
		t.Errorf("batch after replacing its second card = %+v", got)
	}
	if _, err := s.BatchCards(ctx, "no-such-batch"); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("BatchCards(unknown) err = %v, want ErrNotFound", err)
	}
}

func TestIssueCardsCashbackOnly(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.SaveProgram(ctx, loyalty.Program{Currency: "EUR", CashbackBasisPoints: 500}); err != nil {
		t.Fatal(err)
	}
	codes, err := s.IssueCards(ctx, 1, 1000, loyalty.Origin{Device: s.Device()})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.AccountByCode(ctx, codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := (loyalty.Balance{Cashback: 1000}); a.Balance != want {
		t.Errorf("cashback-only program: opening balance %+v, want %+v", a.Balance, want)
	}
}

func TestIssueCardsRefusesBadBatches(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	before, err := s.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	o := loyalty.Origin{Device: s.Device()}
	for _, tc := range []struct {
		n       int
		opening int64
	}{{0, 0}, {localdb.MaxCardBatch + 1, 0}, {2, -5}} {
		if _, err := s.IssueCards(ctx, tc.n, tc.opening, o); err == nil {
			t.Errorf("IssueCards(%d, %d) err = nil, want an error", tc.n, tc.opening)
		}
	}
	// An operation that fails half-way leaves no card, customer or batch behind.
	if err := s.SaveProgram(ctx, loyalty.Program{Currency: "EUR", CashbackBasisPoints: 500}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueCards(ctx, 3, 1_000_000_00, o); !errors.Is(err, loyalty.ErrAmountTooLarge) {
		t.Errorf("IssueCards with a cashback beyond any purchase: err = %v, want ErrAmountTooLarge", err)
	}
	after, err := s.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	batches, err := s.CardBatches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || len(batches) != 0 {
		t.Errorf("refused batches left %d customers (had %d) and %d batches", len(after), len(before), len(batches))
	}
}

func TestReceiptPrinterSetting(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if _, err := s.ReceiptPrinter(ctx); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("ReceiptPrinter before any is set: err = %v, want ErrNotFound", err)
	}
	for _, bad := range []localdb.ReceiptPrinter{{Target: " ", Paper: 80}, {Target: "10.0.0.5", Paper: 70}} {
		if err := s.SaveReceiptPrinter(ctx, bad); !errors.Is(err, localdb.ErrBadPrinter) {
			t.Errorf("SaveReceiptPrinter(%+v) err = %v, want ErrBadPrinter", bad, err)
		}
	}
	want := localdb.ReceiptPrinter{Target: "10.0.0.5:9100", Paper: 58, Raster: true}
	queuedBefore := len(queued(t, s))
	if err := s.SaveReceiptPrinter(ctx, localdb.ReceiptPrinter{Target: " 10.0.0.5:9100 ", Paper: 58, Raster: true}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReceiptPrinter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("ReceiptPrinter = %+v, want %+v", got, want)
	}
	if n := len(queued(t, s)) - queuedBefore; n != 0 {
		t.Errorf("saving the receipt printer queued %d changes: it belongs to this device only", n)
	}
}

// BenchmarkIssueCards measures issuing a batch of pre-credited cards against the baseline
// of making the same cards one at a time as the counter would (NewAccount, then an
// adjustment), interleaved in the same run. Target: well under the baseline, since the
// batch commits once.
func BenchmarkIssueCards(b *testing.B) {
	const n = 5
	ctx := context.Background()
	s := mustOpen(b)
	o := loyalty.Origin{Device: s.Device(), At: time.Now()}
	var oneByOne, batch time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		for range n {
			a, err := s.NewAccount(ctx, loyalty.Customer{})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
				return loyalty.Adjust(o, a.Card, a.Balance, 50, loyalty.ReasonOpening)
			}); err != nil {
				b.Fatal(err)
			}
		}
		oneByOne += time.Since(start)
		start = time.Now()
		if _, err := s.IssueCards(ctx, n, 50, o); err != nil {
			b.Fatal(err)
		}
		batch += time.Since(start)
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N*n) }
	b.ReportMetric(per(oneByOne), "one-by-one-µs/card")
	b.ReportMetric(per(batch), "batch-µs/card")
	b.ReportMetric(float64(batch)/float64(oneByOne), "ratio")
}
