package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// The owner adjusts a customer's cashback, then cancels a past purchase from the
// history, with a reason, once.
func TestDeskAdjustsCashbackAndCancelsAPastOperation(t *testing.T) {
	u := newTestUI(t)
	store := u.store
	ctx := context.Background()
	d := openCustomer(t, u, "alice")
	w := d.win
	alice := demoAccount(t, store, "alice")

	test.Tap(button(t, w.Content(), "Adjust balance"))
	findAll[*widget.RadioGroup](topOverlay(t, w))[0].SetSelected("Cashback")
	entries := findAll[*widget.Entry](topOverlay(t, w))
	test.Type(entries[0], "-0,10")
	test.Type(entries[1], "cashback given twice")
	dialogButton(t, w, "Apply")
	if got, want := balance(t, store, alice.Code()).Cashback, alice.Balance.Cashback-10; got != want {
		t.Errorf("cashback after adjusting -0,10 = %d, want %d", got, want)
	}

	history, err := store.Entries(ctx, time.Time{}, alice.Customer.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(history, func(e localdb.Entry) bool { return e.Kind == loyalty.KindCredit && !e.Voided })
	if i < 0 {
		t.Fatal("Alice has no purchase to cancel")
	}
	purchase := history[i]
	before := balance(t, store, alice.Code())
	ops := historyList(t, d, len(history))
	ops.Select(i)
	test.Tap(button(t, w.Content(), "Cancel operation"))
	if shown := texts(topOverlay(t, w)); !strings.Contains(shown, u.describeOp(purchase.Operation)) {
		t.Errorf("the confirmation does not name the purchase:\n%s", shown)
	}
	dialogButton(t, w, "Cancel it") // no reason: refused, nothing written
	if got := balance(t, store, alice.Code()); got != before {
		t.Errorf("balance after a cancellation without a reason = %+v, want %+v", got, before)
	}
	ops.Select(i)
	test.Tap(button(t, w.Content(), "Cancel operation"))
	test.Type(findAll[*widget.Entry](topOverlay(t, w))[0], "keyed on the wrong card")
	dialogButton(t, w, "Cancel it")
	if got, want := balance(t, store, alice.Code()), before.Add(purchase.Delta.Neg()); got != want {
		t.Errorf("balance after cancelling the purchase = %+v, want %+v", got, want)
	}
	history, _ = store.Entries(ctx, time.Time{}, alice.Customer.ID, 1000)
	i = slices.IndexFunc(history, func(e localdb.Entry) bool { return e.ID == purchase.ID })
	if !history[i].Voided || history[0].Kind != loyalty.KindVoid || history[0].Reason != "keyed on the wrong card" {
		t.Errorf("history = %+v, want the purchase cancelled with the reason", history[:i+1])
	}
	ops = historyList(t, d, len(history))
	ops.Select(i)
	if cancel := button(t, w.Content(), "Cancel operation"); !cancel.Disabled() {
		t.Error("Cancel operation is offered for a purchase already cancelled")
	}
	ops.Select(0)
	if cancel := button(t, w.Content(), "Cancel operation"); !cancel.Disabled() {
		t.Error("Cancel operation is offered for a cancellation")
	}
}

// historyList returns the customer's operations list, of n operations, on the desk.
func historyList(t *testing.T, d *desk, n int) *widget.List {
	t.Helper()
	for _, l := range findAll[*widget.List](d.win.Content()) {
		if l != d.nav && l.Length() == n {
			return l
		}
	}
	t.Fatalf("no list of %d operations", n)
	return nil
}

// A customer below zero on the server and here: the owner leaves a note for the
// counter, then writes the balance off, which clears the note.
func TestDeskSettlesAnOverdrawnCard(t *testing.T) {
	ctx := context.Background()
	u := newTestUI(t)
	c := startTestCloud(t)
	connectUI(t, u, c, c.code)
	code, err := c.db.NewCode(ctx, c.shop.ID, "till")
	if err != nil {
		t.Fatal(err)
	}
	till, _ := c.enroll(t, code.Code, "Till 2")
	alice := demoAccount(t, u.store, "alice")
	// Both tills spent Alice's points offline: the server and this device see her below zero.
	overdraw(t, c, till, alice)
	if _, _, err := u.store.Record(ctx, alice.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return loyalty.Debit(loyalty.Origin{Device: u.store.Device(), At: u.store.Now()}, a.Card, a.Balance, a.Balance.Points)
	}); err != nil {
		t.Fatal(err)
	}
	tx, err := u.store.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := loyalty.Debit(loyalty.Origin{Device: till.ID, At: time.Now()}, alice.Card, alice.Balance, alice.Balance.Points)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.ApplyRemote(ctx, tx, twice); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	d := openDevices(t, u)
	test.Tap(button(t, d.content, "Note for the counter"))
	test.Type(findAll[*widget.Entry](topOverlay(t, d.win))[0], "Ask for the points spent twice")
	dialogButton(t, d.win, "Save")
	n, found, err := u.store.Note(ctx, alice.Customer.ID)
	if err != nil || !found || !n.Open() || n.Text != "Ask for the points spent twice" {
		t.Fatalf("note = %+v, %v, %v; want the owner's note, open", n, found, err)
	}

	test.Tap(button(t, d.content, "Write off"))
	if shown := texts(topOverlay(t, d.win)); !strings.Contains(shown, alice.Customer.Name) {
		t.Errorf("the write-off does not name the customer:\n%s", shown)
	}
	test.Type(findAll[*widget.Entry](topOverlay(t, d.win))[0], "goodwill")
	dialogButton(t, d.win, "Write off")
	d.work.Wait()
	if got := balance(t, u.store, alice.Code()); got.Points != 0 || got.Cashback < 0 {
		t.Errorf("balance after the write-off = %+v, want 0 points", got)
	}
	if n, _, _ := u.store.Note(ctx, alice.Customer.ID); n.Open() || !n.Settled {
		t.Errorf("note after the write-off = %+v, want it closed as settled", n)
	}
	if got := len(buttons(d.content, "Write off")); got != 0 {
		t.Errorf("%d Write off buttons after settling, want none", got)
	}
}

// The counter shows the owner's note on the customer's card until the cashier marks
// it seen; the dismissal is kept for the other tills.
func TestCounterShowsTheOwnersNoteUntilSeen(t *testing.T) {
	ctx := context.Background()
	u, store := newCounterUI(t, i18n.French)
	bruno := demoAccount(t, store, "bruno")
	if _, err := store.LeaveNote(ctx, loyalty.Origin{Device: store.Device(), Staff: "owner", At: store.Now()}, bruno.Customer.ID, "Demander les 40 points"); err != nil {
		t.Fatal(err)
	}
	c := u.newCounter()
	enter(c, bruno.Code().String())
	shown := texts(c.panel)
	for _, want := range []string{"NOTE DU GÉRANT", "Demander les 40 points"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the card panel does not show %q:\n%s", want, shown)
		}
	}
	pending, err := store.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, c.panel, "Vu"))
	if shown := texts(c.panel); strings.Contains(shown, "Demander les 40 points") {
		t.Errorf("the note is still shown after Seen:\n%s", shown)
	}
	if n, _, _ := store.Note(ctx, bruno.Customer.ID); n.Open() {
		t.Errorf("note = %+v, want it dismissed", n)
	}
	if got, _ := store.Pending(ctx); got != pending+1 {
		t.Errorf("outbox %d after the dismissal, want %d: it syncs", got, pending+1)
	}
	if c.win.Canvas().Focused() != c.input {
		t.Error("the code field lost focus: the next scan would be lost")
	}
	enter(c, bruno.Code().String())
	if shown := texts(c.panel); strings.Contains(shown, "Demander") {
		t.Errorf("the dismissed note is back at the next scan:\n%s", shown)
	}
}
