package localdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
	"github.com/merci-loyalty/merci/loyalty"
)

// mustOpen opens a fresh store seeded with the demo's sample shop; it is not the demo
// store, so that it may be enrolled.
func mustOpen(tb testing.TB) *localdb.Store {
	tb.Helper()
	return localdbtest.Open(tb, localdb.Shop{Name: "Café Merci (demo)", Demo: true})
}

func newAccount(tb testing.TB, s *localdb.Store, name string) localdb.Account {
	tb.Helper()
	a, err := s.NewAccount(context.Background(), loyalty.Customer{Name: name, Email: name + "@example.com"})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func credit(tb testing.TB, s *localdb.Store, code cards.Code, amount loyalty.Money) (loyalty.Operation, localdb.Account) {
	tb.Helper()
	ctx := context.Background()
	p, err := s.Program(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	op, a, err := s.Record(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: s.Device(), At: s.Now()}, a.Card, amount)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return op, a
}

// ledgerBalance sums the customer's ledger, the truth the cached balance must equal.
func ledgerBalance(tb testing.TB, s *localdb.Store, customerID string) loyalty.Balance {
	tb.Helper()
	entries, err := s.Entries(context.Background(), time.Time{}, customerID, 1<<30)
	if err != nil {
		tb.Fatal(err)
	}
	var b loyalty.Balance
	for _, e := range entries {
		b = b.Add(e.Delta)
	}
	return b
}

func TestRecordCreditUpdatesBalanceLedgerAndOutbox(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "dana")
	before, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	op, after := credit(t, s, a.Code(), 1250) // demo: 1/visit + 1/€ + 2 % cashback + 1 XP/€
	want := loyalty.Balance{Points: 13, Cashback: 25, XP: 12}
	if after.Balance != want {
		t.Errorf("balance after credit = %+v, want %+v", after.Balance, want)
	}
	got, err := s.AccountByCode(ctx, a.Code())
	if err != nil {
		t.Fatal(err)
	}
	if got.Balance != want || ledgerBalance(t, s, a.Customer.ID) != want {
		t.Errorf("stored balance %+v, ledger %+v, want %+v", got.Balance, ledgerBalance(t, s, a.Customer.ID), want)
	}
	if n, _ := s.Pending(ctx); n != before+1 {
		t.Errorf("outbox grew from %d to %d, want +1", before, n)
	}
	stored, err := s.Operation(ctx, op.ID)
	if err != nil || stored.Delta != op.Delta || !stored.At.Equal(op.At.Truncate(time.Millisecond)) {
		t.Errorf("Operation(%s) = %+v, %v; want %+v", op.ID, stored, err, op)
	}
}

func TestRejectedOperationWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "eve")
	before, _ := s.Pending(ctx)
	_, _, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return loyalty.Debit(loyalty.Origin{Device: s.Device(), At: s.Now()}, a.Card, a.Balance, 5)
	})
	if !errors.Is(err, loyalty.ErrNotEnoughPoints) {
		t.Fatalf("Debit of an empty card err = %v, want ErrNotEnoughPoints", err)
	}
	if n, _ := s.Pending(ctx); n != before {
		t.Errorf("outbox changed from %d to %d on a rejected operation", before, n)
	}
	if b := ledgerBalance(t, s, a.Customer.ID); b != (loyalty.Balance{}) {
		t.Errorf("ledger after rejection = %+v, want empty", b)
	}
}

func TestUnknownAndBlockedCards(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	code, _ := cards.NewCode()
	if _, err := s.AccountByCode(ctx, code); !errors.Is(err, localdb.ErrUnknownCard) {
		t.Errorf("AccountByCode(unknown) err = %v, want ErrUnknownCard", err)
	}
	a := newAccount(t, s, "fred")
	if err := s.SetCardStatus(ctx, a.Code(), loyalty.CardBlocked); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Program(ctx)
	_, _, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: s.Device(), At: s.Now()}, a.Card, 100)
	})
	if !errors.Is(err, loyalty.ErrCardBlocked) {
		t.Errorf("credit on blocked card err = %v, want ErrCardBlocked", err)
	}
}

func TestReplaceCardKeepsBalance(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "gina")
	_, before := credit(t, s, a.Code(), 900)
	card, err := s.ReplaceCard(ctx, a.Code())
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.AccountByCode(ctx, cards.Code(card.Code))
	if err != nil || got.Balance != before.Balance || got.Customer.ID != a.Customer.ID {
		t.Errorf("new card account = %+v, %v; want balance %+v", got, err, before.Balance)
	}
	old, _ := s.AccountByCode(ctx, a.Code())
	if old.Card.Status != loyalty.CardReplaced || old.Card.ReplacedBy != card.Code {
		t.Errorf("old card = %+v, want replaced by %s", old.Card, card.Code)
	}
}

func TestVoidOnce(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "hugo")
	op, _ := credit(t, s, a.Code(), 1000)
	o := loyalty.Origin{Device: s.Device(), At: s.Now()}
	_, after, err := s.Void(ctx, o, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Balance != (loyalty.Balance{}) {
		t.Errorf("balance after undo = %+v, want zero", after.Balance)
	}
	if _, _, err := s.Void(ctx, o, op.ID); !errors.Is(err, loyalty.ErrAlreadyVoided) {
		t.Errorf("second undo err = %v, want ErrAlreadyVoided", err)
	}
	entries, _ := s.Entries(ctx, time.Time{}, a.Customer.ID, 10)
	if len(entries) != 2 || !entries[1].Voided || entries[0].Kind != loyalty.KindVoid {
		t.Errorf("entries = %+v, want the void then the voided credit", entries)
	}
}

func TestApplyRemoteIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	other := mustOpen(t)
	a := newAccount(t, other, "ines")
	op, _ := credit(t, other, a.Code(), 700)
	for i, wantNew := range []bool{true, false, false} {
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		isNew, err := s.ApplyRemote(ctx, tx, op)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if isNew != wantNew {
			t.Errorf("apply #%d new = %v, want %v", i+1, isNew, wantNew)
		}
	}
	if got := ledgerBalance(t, s, a.Customer.ID); got.Points != op.Delta.Points {
		t.Errorf("balance after three applies = %+v, want %+v once", got, op.Delta)
	}
	forged := op
	forged.Delta.Points = 1000
	tx, _ := s.DB().BeginTx(ctx, nil)
	defer tx.Rollback()
	if _, err := s.ApplyRemote(ctx, tx, forged); !errors.Is(err, localdb.ErrConflict) {
		t.Errorf("same id, other content err = %v, want ErrConflict", err)
	}
}

func TestSearchAccounts(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	for q, want := range map[string]string{
		"alice@EXAMPLE.com": "Alice Martin",
		"bruno":             "Bruno Costa",
		"91234 5678":        "Bruno Costa",
		"06 12 34":          "",
		"612345678":         "Alice Martin",
		"Petit":             "Le Petit Bureau",
		"%":                 "",
	} {
		got, err := s.SearchAccounts(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		name := ""
		if len(got) > 0 {
			name = got[0].Customer.Name
		}
		if name != want {
			t.Errorf("SearchAccounts(%q) first = %q, want %q", q, name, want)
		}
	}
}

func TestSeedDemoOnce(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	seeded, err := s.SeedDemo(ctx)
	if err != nil || seeded {
		t.Errorf("second SeedDemo = %v, %v; want false, nil", seeded, err)
	}
	shop, err := s.Shop(ctx)
	if err != nil || !shop.Demo {
		t.Errorf("Shop() = %+v, %v; want the demo shop", shop, err)
	}
	if _, err := s.StaffByPIN(ctx, localdb.DemoOwnerPIN, localdb.RoleOwner); err != nil {
		t.Errorf("owner PIN refused: %v", err)
	}
	if _, err := s.StaffByPIN(ctx, localdb.DemoCashierPIN, localdb.RoleOwner); !errors.Is(err, localdb.ErrWrongPIN) {
		t.Errorf("cashier PIN as owner err = %v, want ErrWrongPIN", err)
	}
}
