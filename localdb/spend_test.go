package localdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

func TestRecordSpendOfflineAllowance(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	p, err := s.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.OfflinePoints = 10
	if err := s.SaveProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEnrollment(ctx, localdb.SyncState{ServerURL: "http://127.0.0.1:1", DeviceID: "d1", ShopID: "s1", Epoch: "e1"}); err != nil {
		t.Fatal(err)
	}
	a := newAccount(t, s, "ana")
	for range 4 {
		_, a = credit(t, s, a.Code(), 1000) // 4 × (1 + 10) points in the demo program
	}
	start := a.Balance.Points
	o := loyalty.Origin{Device: s.Device(), At: s.Now()}
	debit := func(n int64) loyalty.Operation {
		t.Helper()
		op, err := loyalty.Debit(o, a.Card, loyalty.Balance{Points: 1 << 20}, n) // the store checks the balance
		if err != nil {
			t.Fatal(err)
		}
		return op
	}

	if got, err := s.RecordSpend(ctx, debit(6), localdb.Unchecked); err != nil || got.Balance.Points != start-6 {
		t.Fatalf("unchecked debit of 6 within 10 = %d points, %v; want %d", got.Balance.Points, err, start-6)
	}
	// 6 spent unconfirmed: 5 more is over the allowance, and nothing is written.
	_, err = s.RecordSpend(ctx, debit(5), localdb.Unchecked)
	if !errors.Is(err, loyalty.ErrOfflineAllowance) {
		t.Fatalf("unchecked debit over the allowance err = %v, want ErrOfflineAllowance", err)
	}
	if got := ledgerBalance(t, s, a.Customer.ID).Points; got != start-6 {
		t.Errorf("ledger after a refused spend = %d points, want %d", got, start-6)
	}
	// Sent without an answer: stored with its cancellation, so the balance is unchanged
	// whether or not the cloud had it.
	over := debit(5)
	got, err := s.RecordSpend(ctx, over, localdb.Unanswered)
	if !errors.Is(err, loyalty.ErrOfflineAllowance) || got.Balance.Points != start-6 {
		t.Fatalf("unanswered debit over the allowance = %d points, %v; want %d and ErrOfflineAllowance", got.Balance.Points, err, start-6)
	}
	entries, err := s.Entries(ctx, time.Time{}, a.Customer.ID, 2)
	if err != nil || len(entries) != 2 || entries[0].Kind != loyalty.KindVoid || entries[0].Target != over.ID || entries[0].Reason != localdb.NotConfirmedReason {
		t.Errorf("last entries = %+v, %v; want the spend and its cancellation", entries, err)
	}
	// The cloud accepted it: the allowance does not apply.
	if got, err := s.RecordSpend(ctx, debit(20), localdb.Confirmed); err != nil || got.Balance.Points != start-26 {
		t.Errorf("confirmed debit of 20 = %d points, %v; want %d", got.Balance.Points, err, start-26)
	}
	// Once the cloud acknowledged what waits, the card may spend offline again.
	queued, err := s.Outgoing(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	resp := syncwire.PushResponse{}
	for _, q := range queued {
		resp.Accepted = append(resp.Accepted, q.ID)
	}
	if err := s.Acknowledge(ctx, queued, resp); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordSpend(ctx, debit(10), localdb.Unchecked); err != nil {
		t.Errorf("unchecked debit of 10 after the acknowledgement: %v", err)
	}
	// The balance here must cover an unconfirmed spend.
	if _, err := s.RecordSpend(ctx, debit(1000), localdb.Unchecked); !errors.Is(err, loyalty.ErrNotEnoughPoints) {
		t.Errorf("unchecked debit beyond the balance err = %v, want ErrNotEnoughPoints", err)
	}
	if got, want := ledgerBalance(t, s, a.Customer.ID).Points, start-36; got != want {
		t.Errorf("ledger = %d points, want %d", got, want)
	}
}
