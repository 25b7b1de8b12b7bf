package localdb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// oldDemo writes the shop file an older version made on first start: the demo, seeded
// in merci.db with no mark of its own; enrolled if connect.
func oldDemo(t *testing.T, dir string, connect bool) {
	t.Helper()
	ctx := context.Background()
	s, err := localdb.Open(ctx, filepath.Join(dir, localdb.ShopFile))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SeedSample(ctx, localdb.Shop{Name: "Café Merci (demo)", Demo: true}); err != nil {
		t.Fatal(err)
	}
	if connect {
		if err := s.SaveEnrollment(ctx, localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", Epoch: "e1"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFolderStart(t *testing.T) {
	ctx := context.Background()
	t.Run("New", func(t *testing.T) {
		if got, err := (localdb.Folder{Dir: t.TempDir()}).Start(ctx); err != nil || got != localdb.StartChoice {
			t.Errorf("Start() = %v, %v; want StartChoice", got, err)
		}
	})
	t.Run("OldDemoMovesAside", func(t *testing.T) {
		f := localdb.Folder{Dir: t.TempDir()}
		oldDemo(t, f.Dir, false)
		if got, err := f.Start(ctx); err != nil || got != localdb.StartDemo {
			t.Fatalf("Start() = %v, %v; want StartDemo", got, err)
		}
		if _, err := os.Stat(filepath.Join(f.Dir, localdb.ShopFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the shop file is still there: %v", err)
		}
		demo, err := f.OpenDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer demo.Close()
		if isDemo, err := demo.IsDemo(ctx); err != nil || !isDemo {
			t.Errorf("IsDemo() = %v, %v; want the moved demo marked", isDemo, err)
		}
		if n, _, err := demo.Counts(ctx); err != nil || n != 4 {
			t.Errorf("the moved demo has %d customers (%v), want its 4", n, err)
		}
	})
	t.Run("OldDemoConnectedStays", func(t *testing.T) {
		f := localdb.Folder{Dir: t.TempDir()}
		oldDemo(t, f.Dir, true)
		if got, err := f.Start(ctx); err != nil || got != localdb.StartShop {
			t.Fatalf("Start() = %v, %v; want StartShop", got, err)
		}
	})
	t.Run("DemoLeft", func(t *testing.T) {
		f := localdb.Folder{Dir: t.TempDir()}
		demo, err := f.OpenDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := f.Start(ctx); err != nil || got != localdb.StartDemo {
			t.Errorf("Start() with the demo = %v, %v; want StartDemo", got, err)
		}
		demo.Close()
		if err := f.RemoveDemo(); err != nil {
			t.Fatal(err)
		}
		if got, err := f.Start(ctx); err != nil || got != localdb.StartChoice {
			t.Errorf("Start() after leaving the demo = %v, %v; want StartChoice", got, err)
		}
	})
}

func TestDemoNeverEnrolls(t *testing.T) {
	ctx := context.Background()
	demo, err := (localdb.Folder{Dir: t.TempDir()}).OpenDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Close()
	st := localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", Epoch: "e1"}
	if err := demo.SaveEnrollment(ctx, st); !errors.Is(err, localdb.ErrDemo) {
		t.Errorf("SaveEnrollment(demo) = %v, want ErrDemo", err)
	}
	for _, local := range []localdb.LocalData{localdb.LocalDataNone, localdb.LocalDataBring, localdb.LocalDataDiscard} {
		if _, err := demo.BeginJoin(ctx, st, local); !errors.Is(err, localdb.ErrDemo) {
			t.Errorf("BeginJoin(demo, %d) = %v, want ErrDemo", local, err)
		}
	}
	if _, err := demo.SyncState(ctx); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("the demo has a sync state: %v", err)
	}
	if _, err := demo.SetUpShop(ctx, localdb.Setup{Shop: localdb.Shop{Name: "Mine"}, Program: loyalty.Starter(loyalty.StarterPerVisit, "EUR", "Coffee"),
		OwnerName: "Me", OwnerPIN: "4821"}); !errors.Is(err, localdb.ErrDemo) {
		t.Errorf("SetUpShop(demo) = %v, want ErrDemo", err)
	}
}

// Discarding empties the store as new, keeps a copy, and the store works on: pulled
// operations count on the dashboard.
func TestJoinDiscardingOwnData(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	device := s.Device()
	st := localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", Epoch: "e1"}
	if _, err := s.BeginJoin(ctx, st, localdb.LocalDataNone); !errors.Is(err, localdb.ErrOwnData) {
		t.Fatalf("BeginJoin with data and no choice = %v, want ErrOwnData", err)
	}
	if _, err := s.SyncState(ctx); !errors.Is(err, localdb.ErrNotFound) {
		t.Fatalf("a refused join left a sync state: %v", err)
	}
	start, err := s.BeginJoin(ctx, st, localdb.LocalDataDiscard)
	if err != nil {
		t.Fatal(err)
	}
	if own, err := s.OwnData(ctx); err != nil || !own.Empty() {
		t.Errorf("OwnData() after discarding = %+v, %v", own, err)
	}
	if n, ops, err := s.Counts(ctx); err != nil || n != 0 || ops != 0 || pending(t, s) != 0 || s.Device() != device {
		t.Errorf("after discarding: %d customers, %d operations, %d waiting (%v); device %s, want %s", n, ops, pending(t, s), err, s.Device(), device)
	}
	kept, err := localdb.Open(ctx, start.Backup)
	if err != nil {
		t.Fatal(err)
	}
	if n, _, err := kept.Counts(ctx); err != nil || n != 4 {
		t.Errorf("the copy holds %d customers (%v), want 4", n, err)
	}
	kept.Close()
	// Until the join finishes, the loop sees no enrollment: nothing is pushed.
	if _, err := s.SyncState(ctx); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("SyncState() while joining = %v, want ErrNotFound", err)
	}
	if err := s.FinishJoin(ctx); err != nil {
		t.Fatal(err)
	}
	src := enrolled(t)
	a := newAccount(t, src, "eve")
	credit(t, src, a.Code(), 1200)
	var changes []syncwire.Change
	for _, q := range ackAll(t, src, "e1") {
		changes = append(changes, q.Change)
	}
	pull(t, s, 1, changes...)
	stats, err := s.Stats(ctx, s.Now().Add(-24*time.Hour), s.Now().Add(time.Hour), 5)
	if err != nil {
		t.Fatal(err)
	}
	if n, ops, _ := s.Counts(ctx); n != 1 || ops != 1 || stats.Visits != 1 || stats.Sales != 1200 {
		t.Errorf("after pulling the shop: %d customers, %d operations, stats %+v", n, ops, stats)
	}
}

// The shop's settings win over those a device brings; its customers come in.
func TestJoinBringingOwnData(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	st := localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", Epoch: "e1"}
	if _, err := s.BeginJoin(ctx, st, localdb.LocalDataBring); err != nil {
		t.Fatal(err)
	}
	shopProgram := loyalty.Starter(loyalty.StarterCashback, "BRL", "")
	pull(t, s, 1, change(t, syncwire.TypeSetting, localdb.SettingProgram, shopProgram), change(t, syncwire.TypeSetting, localdb.SettingShop, localdb.Shop{Name: "Padaria"}))
	if err := s.FinishJoin(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Program(ctx); err != nil || p.Currency != "BRL" || p.CashbackBasisPoints != 500 {
		t.Errorf("Program() = %+v, %v; want the shop's", p, err)
	}
	if sh, err := s.Shop(ctx); err != nil || sh.Name != "Padaria" {
		t.Errorf("Shop() = %+v, %v; want the shop's", sh, err)
	}
	out, err := s.Outgoing(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var customers int
	for _, q := range out {
		if q.Type == syncwire.TypeSetting {
			t.Errorf("the device's own setting %s is still to be sent", q.Key)
		}
		if q.Type == syncwire.TypeCustomer {
			customers++
		}
	}
	if customers != 4 {
		t.Errorf("%d customers to bring in, want 4", customers)
	}
}

// Staff, PIN changes and removals reach the shop's other devices.
func TestStaffSyncs(t *testing.T) {
	ctx := context.Background()
	src, dst := enrolled(t), enrolled(t)
	hugo, err := src.AddStaff(ctx, "Hugo", localdb.RoleCashier, "5930")
	if err != nil {
		t.Fatal(err)
	}
	if err := src.ChangePIN(ctx, hugo.ID, "5931"); err != nil {
		t.Fatal(err)
	}
	version := int64(1)
	send := func() {
		t.Helper()
		var changes []syncwire.Change
		for _, q := range ackAll(t, src, "e1") {
			changes = append(changes, q.Change)
		}
		pull(t, dst, version, changes...)
		version += int64(len(changes))
	}
	send()
	if got, err := dst.StaffByPIN(ctx, "5931", ""); err != nil || got != hugo {
		t.Errorf("StaffByPIN(new PIN) on the other device = %+v, %v; want %+v", got, err, hugo)
	}
	if _, err := dst.StaffByPIN(ctx, "5930", ""); !errors.Is(err, localdb.ErrWrongPIN) {
		t.Errorf("the old PIN still works on the other device: %v", err)
	}
	if err := src.RemoveStaff(ctx, hugo.ID); err != nil {
		t.Fatal(err)
	}
	send()
	if _, err := dst.StaffByPIN(ctx, "5931", ""); !errors.Is(err, localdb.ErrWrongPIN) {
		t.Errorf("removed staff still opens the other device: %v", err)
	}
	if names, err := dst.StaffNames(ctx); err != nil || names[hugo.ID] != "Hugo" {
		t.Errorf("StaffNames()[Hugo] on the other device after he left = %q, %v; want Hugo: history names him", names[hugo.ID], err)
	}

	// A PIN changed once the other device knows the old one, and the counter's rules.
	camille, err := src.AddStaff(ctx, "Camille", localdb.RoleCashier, "7100")
	if err != nil {
		t.Fatal(err)
	}
	send()
	if err := src.ChangePIN(ctx, camille.ID, "7101"); err != nil {
		t.Fatal(err)
	}
	rules := localdb.CounterRules{PIN: localdb.PINWhenIdle, IdleMinutes: 2}
	if err := src.SaveCounterRules(ctx, rules); err != nil {
		t.Fatal(err)
	}
	send()
	if got, err := dst.StaffByPIN(ctx, "7101", ""); err != nil || got != camille {
		t.Errorf("StaffByPIN(changed PIN) on the other device = %+v, %v; want %+v", got, err, camille)
	}
	if _, err := dst.StaffByPIN(ctx, "7100", ""); !errors.Is(err, localdb.ErrWrongPIN) {
		t.Errorf("the PIN before the change still works on the other device: %v", err)
	}
	if got, err := dst.CounterRules(ctx); err != nil || got != rules {
		t.Errorf("CounterRules on the other device = %+v, %v; want %+v", got, err, rules)
	}
}
