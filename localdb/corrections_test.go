package localdb_test

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

func TestCancelAPastOperationOnce(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "ines")
	first, _ := credit(t, s, a.Code(), 2000)
	second, _ := credit(t, s, a.Code(), 500)
	owner := loyalty.Origin{Device: s.Device(), Staff: staffMember(t, s, localdb.RoleOwner).ID, At: s.Now()}
	if _, _, err := s.Cancel(ctx, owner, first.ID, " "); !errors.Is(err, loyalty.ErrReasonRequired) {
		t.Errorf("Cancel without a reason err = %v, want %v", err, loyalty.ErrReasonRequired)
	}
	void, after, err := s.Cancel(ctx, owner, first.ID, "keyed on the wrong card")
	if err != nil {
		t.Fatal(err)
	}
	want := loyalty.Balance(second.Delta)
	if after.Balance != want || ledgerBalance(t, s, a.Customer.ID) != want {
		t.Errorf("balance after cancelling the first purchase = %+v (ledger %+v), want %+v",
			after.Balance, ledgerBalance(t, s, a.Customer.ID), want)
	}
	if void.Staff != owner.Staff || void.Reason != "keyed on the wrong card" {
		t.Errorf("cancellation = %+v, want the owner and the reason recorded", void)
	}
	pendingBefore := pending(t, s)
	if _, _, err := s.Cancel(ctx, owner, first.ID, "again"); !errors.Is(err, loyalty.ErrAlreadyVoided) {
		t.Errorf("second Cancel err = %v, want %v", err, loyalty.ErrAlreadyVoided)
	}
	if _, _, err := s.Void(ctx, owner, first.ID); !errors.Is(err, loyalty.ErrAlreadyVoided) {
		t.Errorf("Undo after Cancel err = %v, want %v", err, loyalty.ErrAlreadyVoided)
	}
	if got := pending(t, s); got != pendingBefore {
		t.Errorf("outbox %d after refused cancellations, want %d", got, pendingBefore)
	}
}

func TestCancelOfOldPurchaseIsListedWhenMade(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	a := newAccount(t, s, "jules")
	// A purchase made in March on another till, pulled: its id has March's time.
	march := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	id := uuid.Must(uuid.NewV7())
	binary.BigEndian.PutUint16(id[4:6], uint16(march.UnixMilli()))
	binary.BigEndian.PutUint32(id[0:4], uint32(march.UnixMilli()>>16))
	old := loyalty.Operation{ID: id.String(), CustomerID: a.Customer.ID, CardCode: a.Card.Code, Kind: loyalty.KindCredit,
		Delta: loyalty.Delta{Points: 11, XP: 10}, Amount: 1000, Currency: "EUR", Device: "till-2", At: march}
	pulled := change(t, syncwire.TypeOp, old.ID, old)
	pulled.ID = old.ID
	pull(t, s, cursor(t, s)+1, pulled)
	now := time.Now()
	void, _, err := s.Cancel(ctx, loyalty.Origin{Device: s.Device(), Staff: staffMember(t, s, localdb.RoleOwner).ID, At: now}, old.ID, "fraud")
	if err != nil {
		t.Fatal(err)
	}
	// The cancellation's id has the purchase's time (loyalty.VoidID); the lists of the
	// day it was made show it all the same, and March's do not.
	ids := func(from, to time.Time) map[string]bool {
		got := map[string]bool{}
		if err := s.EachOperation(ctx, from, to, func(e localdb.Entry) error {
			got[e.ID] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := ids(now.Add(-time.Hour), now.Add(time.Hour)); !got[void.ID] || got[old.ID] {
		t.Errorf("today's export has the cancellation %v and the purchase %v; want only the cancellation", got[void.ID], got[old.ID])
	}
	if got := ids(march.Add(-time.Hour), march.Add(time.Hour)); got[void.ID] || !got[old.ID] {
		t.Errorf("March's export has the cancellation %v and the purchase %v; want only the purchase", got[void.ID], got[old.ID])
	}
	today, err := s.Entries(ctx, now.Add(-time.Hour), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(today, func(e localdb.Entry) bool { return e.ID == void.ID }) {
		t.Errorf("today's entries lack the cancellation %s", void.ID)
	}
}

func TestCancelPurchaseWithRefundAndSpentPoints(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "karim")
	owner := loyalty.Origin{Device: s.Device(), Staff: staffMember(t, s, localdb.RoleOwner).ID, At: s.Now()}
	purchase, after := credit(t, s, a.Code(), 5000)
	refund, _, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return loyalty.Refund(owner, a.Card, a.Balance, purchase, 1000, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	spent := after.Balance.Points + refund.Delta.Points
	if _, _, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return loyalty.Debit(owner, a.Card, a.Balance, spent)
	}); err != nil {
		t.Fatal(err)
	}
	_, got, err := s.Cancel(ctx, owner, purchase.ID, "never paid")
	if err != nil {
		t.Fatal(err)
	}
	want := loyalty.Balance{Points: -spent}
	if got.Balance != want || ledgerBalance(t, s, a.Customer.ID) != want {
		t.Errorf("balance = %+v (ledger %+v), want %+v: as if the purchase and its refund never happened, overdrawn by what was spent",
			got.Balance, ledgerBalance(t, s, a.Customer.ID), want)
	}
	if _, _, err := s.Cancel(ctx, owner, refund.ID, "typo"); !errors.Is(err, loyalty.ErrPurchaseCancelled) {
		t.Errorf("Cancel of the refund err = %v, want %v", err, loyalty.ErrPurchaseCancelled)
	}
	// The write-off settles the card and closes the note left for the counter.
	if _, err := s.LeaveNote(ctx, owner, a.Customer.ID, "  "); !errors.Is(err, localdb.ErrNoteText) {
		t.Errorf("empty note err = %v", err)
	}
	if _, err := s.LeaveNote(ctx, owner, a.Customer.ID, "Ask about the unpaid purchase"); err != nil {
		t.Fatal(err)
	}
	if n, found, err := s.Note(ctx, a.Customer.ID); err != nil || !found || !n.Open() || n.By != owner.Staff {
		t.Errorf("Note = %+v, %v, %v; want it open, by the owner", n, found, err)
	}
	off, settled, err := s.WriteOff(ctx, owner, a.Code(), "lost cause")
	if err != nil {
		t.Fatal(err)
	}
	if settled.Balance != (loyalty.Balance{}) || off.Kind != loyalty.KindAdjust || off.Reason != "lost cause" {
		t.Errorf("write-off %+v leaves %+v, want an adjustment to zero", off, settled.Balance)
	}
	if n, _, _ := s.Note(ctx, a.Customer.ID); n.Open() || !n.Settled {
		t.Errorf("note after the write-off = %+v, want it closed as settled", n)
	}
	if _, _, err := s.WriteOff(ctx, owner, a.Code(), "again"); !errors.Is(err, loyalty.ErrNotOverdrawn) {
		t.Errorf("second write-off err = %v, want %v", err, loyalty.ErrNotOverdrawn)
	}
}

func TestNoteDismissedAtTheCounterSyncs(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	a := newAccount(t, s, "lea")
	ackAll(t, s, "e1")
	owner := loyalty.Origin{Device: s.Device(), Staff: "owner-1", At: s.Now()}
	if _, err := s.LeaveNote(ctx, owner, a.Customer.ID, "Owes 40 points"); err != nil {
		t.Fatal(err)
	}
	cashier := loyalty.Origin{Device: s.Device(), Staff: "cashier-1", At: s.Now()}
	if err := s.DismissNote(ctx, cashier, a.Customer.ID); err != nil {
		t.Fatal(err)
	}
	n, _, err := s.Note(ctx, a.Customer.ID)
	if err != nil || n.Open() || n.ClosedBy != "cashier-1" || n.Settled {
		t.Errorf("note = %+v, %v; want dismissed by the cashier", n, err)
	}
	batch := ackAll(t, s, "e1")
	if len(batch) != 2 || batch[0].Type != localdb.TypeCustomerNote || batch[1].Key != a.Customer.ID {
		t.Errorf("pushed %+v, want the note then its dismissal", batch)
	}
	// A note pulled from the owner's desk opens at this counter.
	pull(t, s, 10, change(t, localdb.TypeCustomerNote, a.Customer.ID, localdb.CustomerNote{
		CustomerID: a.Customer.ID, Text: "Owes 10 € of cashback", At: time.Now()}))
	if n, _, _ := s.Note(ctx, a.Customer.ID); !n.Open() || n.Text != "Owes 10 € of cashback" {
		t.Errorf("pulled note = %+v, want it open", n)
	}
}

func TestAdjustCashbackIsAnOperation(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "mona")
	_, before := credit(t, s, a.Code(), 5000)
	op, after, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return loyalty.AdjustCashback(loyalty.Origin{Device: s.Device(), Staff: "owner-1", At: s.Now()}, a.Card, a.Balance, 150, "EUR", "gesture")
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := before.Balance.Cashback + 150; after.Balance.Cashback != want || ledgerBalance(t, s, a.Customer.ID).Cashback != want {
		t.Errorf("cashback = %d, want %d", after.Balance.Cashback, want)
	}
	if stored, err := s.Operation(ctx, op.ID); err != nil || stored.Staff != "owner-1" {
		t.Errorf("stored adjustment = %+v, %v", stored, err)
	}
}

func TestConcurrentCancelsConvergeOnPull(t *testing.T) {
	ctx := context.Background()
	// The same purchase on two devices; each cancels it before hearing of the other.
	a, b := enrolled(t), enrolled(t)
	acc := newAccount(t, a, "nora")
	purchase, _ := credit(t, a, acc.Code(), 3000)
	for _, q := range ackAll(t, a, "e1") {
		pull(t, b, cursor(t, b)+1, q.Change)
	}
	voidA, _, err := a.Cancel(ctx, loyalty.Origin{Device: a.Device(), Staff: "owner-a", At: a.Now()}, purchase.ID, "first")
	if err != nil {
		t.Fatal(err)
	}
	voidB, _, err := b.Void(ctx, loyalty.Origin{Device: b.Device(), Staff: "cashier-b", At: b.Now()}, purchase.ID)
	if err != nil {
		t.Fatal(err)
	}
	if voidA.ID != voidB.ID {
		t.Fatalf("void ids %s and %s differ", voidA.ID, voidB.ID)
	}
	// The server took A's first: B pulls it, keeps one cancellation, and takes A's who
	// and why.
	pulled := change(t, syncwire.TypeOp, voidA.ID, voidA)
	pulled.ID = voidA.ID
	pull(t, b, cursor(t, b)+1, pulled)
	got, err := b.AccountByCode(ctx, acc.Code())
	if err != nil || got.Balance != (loyalty.Balance{}) || ledgerBalance(t, b, acc.Customer.ID) != (loyalty.Balance{}) {
		t.Errorf("B's balance = %+v, %v; want zero: the purchase cancelled once", got.Balance, err)
	}
	stored, err := b.Operation(ctx, voidA.ID)
	if err != nil || stored.Reason != "first" || stored.Staff != "owner-a" || stored.Device != voidA.Device {
		t.Errorf("B's cancellation = %+v, %v; want A's", stored, err)
	}
	rejected, err := b.Rejected(ctx, 10)
	if err != nil || len(rejected) != 0 {
		t.Errorf("B's rejected changes = %+v, %v; want none", rejected, err)
	}
}
