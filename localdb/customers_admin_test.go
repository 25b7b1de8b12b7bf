package localdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

func TestCustomersSearch(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	all, err := s.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("Customers(\"\") = %d customers, want the demo's 4", len(all))
	}
	alice := all[0]
	for _, q := range []string{"alice", "ALICE@example", "6 12 34", "612345678", alice.Card.Code[2:8], alice.Code().String()} {
		got, err := s.Customers(ctx, q)
		if err != nil || len(got) != 1 || got[0].Customer.ID != alice.Customer.ID {
			t.Errorf("Customers(%q) = %d customers, %v; want Alice only", q, len(got), err)
		}
	}
	if got, _ := s.Customers(ctx, "100%"); len(got) != 0 {
		t.Errorf("Customers(100%%) = %d customers, want none: %% is not a wildcard", len(got))
	}
}

func TestEraseCustomerKeepsTheLedger(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	a := newAccount(t, s, "erin")
	credit(t, s, a.Code(), 2500)
	before, err := s.Customer(ctx, a.Customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := s.Pending(ctx)
	if err := s.EraseCustomer(ctx, a.Customer.ID); err != nil {
		t.Fatal(err)
	}
	after, err := s.Customer(ctx, a.Customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := loyalty.Customer{ID: a.Customer.ID, CreatedAt: before.Customer.CreatedAt}
	if diff := cmp.Diff(want, after.Customer); diff != "" {
		t.Errorf("erased customer (-want +got):\n%s", diff)
	}
	if after.Balance != before.Balance || len(after.Operations) != len(before.Operations) || ledgerBalance(t, s, a.Customer.ID) != before.Balance {
		t.Errorf("after erasure balance %+v with %d operations, want %+v with %d", after.Balance, len(after.Operations), before.Balance, len(before.Operations))
	}
	if got, _ := s.Customers(ctx, "erin"); len(got) != 0 {
		t.Errorf("an erased customer is still found by name")
	}
	if n, _ := s.Pending(ctx); n != pending+1 {
		t.Errorf("outbox grew by %d, want the blank record queued once", n-pending)
	}
}

func TestEraseCustomerBlanksAnswerComments(t *testing.T) {
	s := enrolled(t)
	ctx := context.Background()
	answer := func(a localdb.Account, at time.Time, comment string) nps.Response {
		t.Helper()
		purchase(t, s, a.Code(), at)
		inv, err := s.PendingInvitation(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Answer(ctx, inv.ID, 3, comment, nps.English, at.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	erin, kim := newAccount(t, s, "erin"), newAccount(t, s, "kim")
	erased := answer(erin, t0, "Ask for Erin Blake, 06 12 34 56 78")
	kept := answer(kim, t0.Add(time.Hour), "Too slow")
	ackAll(t, s, "e1")
	if err := s.EraseCustomer(ctx, erin.Customer.ID); err != nil {
		t.Fatal(err)
	}
	want := erased
	want.Comment = ""
	got, err := s.Response(ctx, erased.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpTimes); diff != "" {
		t.Errorf("erased customer's answer (-want +got):\n%s", diff)
	}
	if got, err := s.Response(ctx, kept.ID); err != nil || got.Comment != kept.Comment {
		t.Errorf("another customer's comment = %q, %v; want %q", got.Comment, err, kept.Comment)
	}
	wantQueued := [][2]string{{"customer", erin.Customer.ID}, {localdb.TypeNPSResponse, erased.ID}}
	if diff := cmp.Diff(wantQueued, queued(t, s)); diff != "" {
		t.Errorf("outbox after erasure (-want +got):\n%s", diff)
	}
	// Another device's copy from before the erasure, pulled after it, keeps it erased.
	pull(t, s, 1, change(t, localdb.TypeNPSResponse, erased.ID, erased))
	if got, err := s.Response(ctx, erased.ID); err != nil || got.Comment != "" {
		t.Errorf("comment after pulling an older copy = %q, %v; want it still blank", got.Comment, err)
	}
}

func TestRefundedLeavesOutCancelledRefunds(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	a := newAccount(t, s, "rita")
	purchase, _ := credit(t, s, a.Code(), 2000)
	refund := func(m loyalty.Money) loyalty.Operation {
		op, _, err := s.Record(ctx, a.Code(), func(acc localdb.Account) (loyalty.Operation, error) {
			done, err := s.Refunded(ctx, purchase.ID)
			if err != nil {
				return loyalty.Operation{}, err
			}
			return loyalty.Refund(loyalty.Origin{Device: s.Device(), At: s.Now()}, acc.Card, acc.Balance, purchase, m, done)
		})
		if err != nil {
			t.Fatalf("refund %d: %v", m, err)
		}
		return op
	}
	refund(500)
	second := refund(700)
	if _, _, err := s.Void(ctx, loyalty.Origin{Device: s.Device(), At: s.Now()}, second.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Refunded(ctx, purchase.ID); got != 500 || err != nil {
		t.Errorf("Refunded = %d, %v; want 500", got, err)
	}
}

func TestStaffAdministration(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	owner, err := s.StaffByPIN(ctx, localdb.DemoOwnerPIN, localdb.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveStaff(ctx, owner.ID); !errors.Is(err, localdb.ErrLastOwner) {
		t.Errorf("RemoveStaff(last owner) = %v, want ErrLastOwner", err)
	}
	if _, err := s.AddStaff(ctx, "Dup", localdb.RoleCashier, localdb.DemoCashierPIN); !errors.Is(err, localdb.ErrPINInUse) {
		t.Errorf("AddStaff with a PIN in use = %v, want ErrPINInUse", err)
	}
	if _, err := s.AddStaff(ctx, "Short", localdb.RoleCashier, "12"); !errors.Is(err, localdb.ErrPINSyntax) {
		t.Errorf("AddStaff with a 2-digit PIN = %v, want ErrPINSyntax", err)
	}
	second, err := s.AddStaff(ctx, "Second owner", localdb.RoleOwner, "4321")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangePIN(ctx, owner.ID, "4321"); !errors.Is(err, localdb.ErrPINInUse) {
		t.Errorf("ChangePIN to another's PIN = %v, want ErrPINInUse", err)
	}
	if err := s.ChangePIN(ctx, owner.ID, "2468"); err != nil {
		t.Fatal(err)
	}
	if st, err := s.StaffByPIN(ctx, "2468", ""); err != nil || st.ID != owner.ID {
		t.Errorf("StaffByPIN(new PIN) = %+v, %v", st, err)
	}
	if _, err := s.StaffByPIN(ctx, localdb.DemoOwnerPIN, ""); !errors.Is(err, localdb.ErrWrongPIN) {
		t.Errorf("the old PIN still works: %v", err)
	}
	if err := s.RemoveStaff(ctx, owner.ID); err != nil {
		t.Errorf("RemoveStaff(one of two owners) = %v", err)
	}
	if err := s.RemoveStaff(ctx, second.ID); !errors.Is(err, localdb.ErrLastOwner) {
		t.Errorf("RemoveStaff(the remaining owner) = %v, want ErrLastOwner", err)
	}
}

// A shop's store hashes PINs at bcrypt's default cost, which the test stores lower; the
// hash is what the other devices receive.
func TestPINsAreHashedAtTheDefaultCost(t *testing.T) {
	ctx := context.Background()
	s, err := localdb.Open(ctx, filepath.Join(t.TempDir(), "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddStaff(ctx, "Hugo", localdb.RoleCashier, "5930"); err != nil {
		t.Fatal(err)
	}
	batch, err := s.Outgoing(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != 1 || batch[0].Type != localdb.TypeStaff {
		t.Fatalf("queued %+v, want the staff record", batch)
	}
	var rec struct {
		PINHash string `json:"pin_hash"`
	}
	if err := json.Unmarshal(batch[0].Body, &rec); err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(rec.PINHash)); err != nil || cost != bcrypt.DefaultCost {
		t.Errorf("bcrypt cost of the synced PIN = %d, %v; want %d", cost, err, bcrypt.DefaultCost)
	}
}
