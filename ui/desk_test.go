package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// findAll returns the objects of type T laid out under o.
func findAll[T fyne.CanvasObject](o fyne.CanvasObject) []T {
	var out []T
	for _, obj := range test.LaidOutObjects(o) {
		if t, ok := obj.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// button returns the button under o whose text is text.
func button(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, b := range findAll[*widget.Button](o) {
		if b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// topOverlay returns what the window shows above its content: the open dialog.
func topOverlay(t *testing.T, w fyne.Window) fyne.CanvasObject {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog open")
	}
	return top
}

// openOwnerDesk opens the owner's desk as the demo owner, closed when the test ends
// (before the store closes), with the dashboard's first figures read.
func openOwnerDesk(t *testing.T, u *UI) *desk {
	t.Helper()
	owner, err := u.store.StaffByPIN(context.Background(), localdb.DemoOwnerPIN, localdb.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	d := u.openDesk(owner, nil)
	t.Cleanup(func() {
		if slices.Contains(u.app.Driver().AllWindows(), d.win) { // the test may have closed it
			d.win.Close()
		}
	})
	d.work.Wait()
	return d
}

// openCustomer opens the desk at 1366x768 on the Customers page, searches for query and
// shows the first customer found, as the owner does.
func openCustomer(t *testing.T, u *UI, query string) *desk {
	t.Helper()
	d := openOwnerDesk(t, u)
	d.win.Resize(laptop)
	findAll[*widget.List](d.win.Content())[0].Select(2) // Customers
	test.Type(findAll[*widget.Entry](d.win.Content())[0], query)
	findAll[*widget.Table](d.win.Content())[0].Select(widget.TableCellID{Row: 0, Col: 0})
	return d
}

func submitPIN(t *testing.T, w fyne.Window, pin string) {
	t.Helper()
	entries := findAll[*widget.Entry](topOverlay(t, w))
	if len(entries) != 1 {
		t.Fatalf("PIN dialog has %d entries, want 1", len(entries))
	}
	test.Type(entries[0], pin)
	entries[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func TestOwnerDeskNeedsAnOwnersPIN(t *testing.T) {
	u := newTestUI(t)
	counter := u.ShowCounter()
	windows := func() int { return len(u.app.Driver().AllWindows()) }
	before := windows()

	test.Tap(button(t, counter.Content(), "Owner"))
	for _, pin := range []string{localdb.DemoCashierPIN, "9999"} {
		submitPIN(t, counter, pin)
		if got := windows(); got != before {
			t.Fatalf("after PIN %s: %d windows, want the counter only", pin, got)
		}
	}
	labels := findAll[*widget.Label](topOverlay(t, counter))
	if len(labels) == 0 || !strings.Contains(labels[0].Text, "Wrong PIN") {
		t.Errorf("message after a wrong PIN = %q, want it to say so", labels[0].Text)
	}

	submitPIN(t, counter, localdb.DemoOwnerPIN)
	if got := windows(); got != before+1 {
		t.Fatalf("after the owner's PIN: %d windows, want the desk open", got)
	}
	all := u.app.Driver().AllWindows()
	t.Cleanup(all[len(all)-1].Close) // the desk, before the store closes
	if top := counter.Canvas().Overlays().Top(); top != nil {
		t.Errorf("the PIN dialog is still open")
	}
}

func TestCashierPINIsRefusedWithAReason(t *testing.T) {
	u := newTestUI(t)
	if _, err := u.unlockOwner(localdb.DemoCashierPIN); err != errNotOwner {
		t.Errorf("unlockOwner(cashier PIN) err = %v, want errNotOwner", err)
	}
	st, err := u.unlockOwner(localdb.DemoOwnerPIN)
	if err != nil || st.Role != localdb.RoleOwner {
		t.Errorf("unlockOwner(owner PIN) = %+v, %v; want the owner", st, err)
	}
}

func TestProgramSettingsValidateBeforeSaving(t *testing.T) {
	u := newTestUI(t)
	store := u.store
	ctx := context.Background()
	before, err := store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := store.Shop(ctx)
	f := u.newProgramForm(before, shop)
	w := test.NewTempWindow(t, f.build())
	w.Resize(fyne.NewSize(1200, 800))

	tests := []struct {
		name  string
		edit  func()
		undo  func()
		wants string
	}{
		{"not a number", func() { f.perVisit.SetText("two") }, func() { f.perVisit.SetText("1") }, "Points per visit: type a whole number"},
		{"negative", func() { f.perUnit.SetText("-1") }, func() { f.perUnit.SetText("1") }, "Points per EUR spent: type a whole number"},
		{"cashback over 100 %", func() { f.cashback.SetText("150") }, func() { f.cashback.SetText("2") }, "cashback must be between"},
		{"tiers out of order", func() { f.tierRows[2].minXP.SetText("500") }, func() { f.tierRows[2].minXP.SetText("3000") }, `tier "Diamond" must start above "Platinum"`},
		{"free reward", func() { f.rewardRows[0].points.SetText("0") }, func() { f.rewardRows[0].points.SetText("5") }, "must cost at least one point"},
		{"offline allowance in words", func() { f.offlinePoints.SetText("ten") }, func() { f.offlinePoints.SetText("10") }, "Points per card: type a whole number"},
		{"offline cashback not an amount", func() { f.offlineCashback.SetText("1.234") }, func() { f.offlineCashback.SetText("2.50") }, "Cashback per card (EUR)"},
		{"no shop name", func() {}, func() { f.shop.SetText("Boulangerie Lemoine") }, ""},
	}
	last := len(tests) - 1
	for _, tt := range tests[:last] {
		tt.edit()
		test.Tap(f.save)
		if !strings.Contains(f.message.Text, tt.wants) {
			t.Errorf("%s: message = %q, want it to contain %q", tt.name, f.message.Text, tt.wants)
		}
		if got, _ := store.Program(ctx); !cmp.Equal(got, before) {
			t.Errorf("%s: the program was saved:\n%s", tt.name, cmp.Diff(before, got))
		}
		tt.undo()
	}

	// The demo shop's name is only a placeholder: saving it as is keeps the demo.
	f.cashback.SetText("2.5")
	f.addReward(loyalty.Reward{Name: "Croissant"})
	f.rewardRows[len(f.rewardRows)-1].points.SetText("3")
	test.Tap(button(t, f.tierRows[1].box, ""))
	tests[last].undo()
	test.Tap(f.save)
	got, err := store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.CashbackBasisPoints != 250 || len(got.Tiers) != 2 || got.Tiers[1].Name != "Diamond" {
		t.Errorf("saved program = %+v, want 2.5 %% cashback and the Platinum tier removed", got)
	}
	if got.OfflinePoints != 10 || got.OfflineCashback != 250 {
		t.Errorf("saved offline allowance = %d points, %d cents; want 10 points, 2.50 €", got.OfflinePoints, got.OfflineCashback)
	}
	if last := got.Rewards[len(got.Rewards)-1]; last.Name != "Croissant" || last.Points != 3 || last.ID == "" {
		t.Errorf("new reward saved as %+v", last)
	}
	if sh, _ := store.Shop(ctx); sh.Name != "Boulangerie Lemoine" || sh.Demo {
		t.Errorf("shop after save = %+v, want the owner's name and the demo over", sh)
	}
}
