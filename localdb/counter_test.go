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

func TestCounterRules(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	got, err := s.CounterRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(localdb.DefaultCounterRules, got); diff != "" {
		t.Errorf("rules of a shop that never chose (-want +got):\n%s", diff)
	}
	want := localdb.CounterRules{PIN: localdb.PINWhenIdle, IdleMinutes: 3, Cashiers: localdb.CashierRights{CancelOlder: true}}
	if err := s.SaveCounterRules(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err = s.CounterRules(ctx); err != nil || !cmp.Equal(got, want) {
		t.Errorf("CounterRules after saving = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []localdb.CounterRules{{PIN: "sometimes", IdleMinutes: 5}, {PIN: localdb.PINWhenIdle, IdleMinutes: 0}} {
		if err := s.SaveCounterRules(ctx, bad); !errors.Is(err, localdb.ErrBadCounterRules) {
			t.Errorf("SaveCounterRules(%+v) = %v, want ErrBadCounterRules", bad, err)
		}
	}
}

// staffMember returns the demo's staff member of role.
func staffMember(t *testing.T, s *localdb.Store, role localdb.Role) localdb.Staff {
	t.Helper()
	pin := map[localdb.Role]string{localdb.RoleOwner: localdb.DemoOwnerPIN, localdb.RoleCashier: localdb.DemoCashierPIN}[role]
	st, err := s.StaffByPIN(context.Background(), pin, role)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOperationsNameWhoMadeThem(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	camille := staffMember(t, s, localdb.RoleCashier)
	a := newAccount(t, s, "ines")
	p, err := s.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	op, _, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: s.Device(), Staff: camille.ID, At: s.Now()}, a.Card, 1200)
	})
	if err != nil {
		t.Fatal(err)
	}
	credit(t, s, a.Code(), 300) // nobody signed in

	names := func() []string {
		t.Helper()
		entries, err := s.Entries(ctx, time.Time{}, a.Customer.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.StaffName)
		}
		var exported []string
		err = s.EachOperation(ctx, op.At.Add(-time.Hour), s.Now().Add(time.Hour), func(e localdb.Entry) error {
			if e.CustomerID == a.Customer.ID {
				exported = append(exported, e.StaffName)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(exported) != 2 || exported[0] != out[1] || exported[1] != out[0] {
			t.Errorf("EachOperation names %q, Entries %q: want the same, oldest first", exported, out)
		}
		return out
	}
	if diff := cmp.Diff([]string{"", "Camille"}, names()); diff != "" {
		t.Errorf("staff of the operations, newest first (-want +got):\n%s", diff)
	}

	if err := s.RemoveStaff(ctx, camille.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"", "Camille"}, names()); diff != "" {
		t.Errorf("staff once Camille left (-want +got):\n%s", diff)
	}
	all, err := s.StaffNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := all[camille.ID]; got != "Camille" {
		t.Errorf("StaffNames()[Camille's id] after she left = %q, want Camille", got)
	}
}

func TestStoreEnforcesCashierRights(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	owner, camille := staffMember(t, s, localdb.RoleOwner), staffMember(t, s, localdb.RoleCashier)
	a := newAccount(t, s, "jules")
	older, _ := credit(t, s, a.Code(), 2000)
	credit(t, s, a.Code(), 1000)
	rules := localdb.DefaultCounterRules
	rules.Cashiers = localdb.CashierRights{}
	if err := s.SaveCounterRules(ctx, rules); err != nil {
		t.Fatal(err)
	}
	by := func(st localdb.Staff) loyalty.Origin {
		return loyalty.Origin{Device: s.Device(), Staff: st.ID, At: s.Now()}
	}
	debit := func(st localdb.Staff) error {
		_, _, err := s.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
			return loyalty.Debit(by(st), a.Card, a.Balance, 1)
		})
		return err
	}
	before := balance(t, s, a.Code())
	for _, st := range []localdb.Staff{camille, {}} {
		if err := debit(st); !errors.Is(err, localdb.ErrNoTakeOffPoints) {
			t.Errorf("debit by %q = %v, want ErrNoTakeOffPoints", st.Name, err)
		}
		if _, _, err := s.Void(ctx, by(st), older.ID); !errors.Is(err, localdb.ErrNoCancelOlder) {
			t.Errorf("cancelling an older operation by %q = %v, want ErrNoCancelOlder", st.Name, err)
		}
	}
	if got := balance(t, s, a.Code()); got != before {
		t.Fatalf("balance after refusals = %+v, want %+v: nothing written", got, before)
	}
	if err := debit(owner); err != nil {
		t.Errorf("debit by the owner = %v, want it made", err)
	}
	last, _ := credit(t, s, a.Code(), 500)
	if _, _, err := s.Void(ctx, by(camille), last.ID); err != nil {
		t.Errorf("a cashier cancelling the card's last operation = %v, want it made", err)
	}
	rules.Cashiers.CancelOlder = true
	if err := s.SaveCounterRules(ctx, rules); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Void(ctx, by(camille), older.ID); err != nil {
		t.Errorf("cancelling an older operation once allowed = %v, want it made", err)
	}
}

func balance(t *testing.T, s *localdb.Store, code cards.Code) loyalty.Balance {
	t.Helper()
	a, err := s.AccountByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return a.Balance
}
