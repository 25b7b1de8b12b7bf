package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
)

// handClock is a clock the test moves: its timers run inside advance, on the test's
// goroutine, which stands for the UI's.
type handClock struct {
	now    time.Time
	timers []*handTimer
}

type handTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (c *handClock) Now() time.Time { return c.now }

func (c *handClock) AfterFunc(d time.Duration, f func()) func() {
	t := &handTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() { t.stopped = true }
}

// advance moves the clock by d, running the timers due on the way in order.
func (c *handClock) advance(d time.Duration) {
	end := c.now.Add(d)
	for {
		c.timers = slices.DeleteFunc(c.timers, func(t *handTimer) bool { return t.stopped })
		slices.SortStableFunc(c.timers, func(a, b *handTimer) int { return a.at.Compare(b.at) })
		if len(c.timers) == 0 || c.timers[0].at.After(end) {
			c.now = end
			return
		}
		t := c.timers[0]
		c.timers = c.timers[1:]
		c.now = t.at
		t.f()
	}
}

// lockedCounter opens the counter of a demo shop whose rules are rules, on a hand clock.
func lockedCounter(t *testing.T, rules localdb.CounterRules) (*counter, *handClock) {
	t.Helper()
	u, _ := newCounterUI(t, i18n.English)
	clk := &handClock{now: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	u.clock = clk
	if err := u.store.SaveCounterRules(context.Background(), rules); err != nil {
		t.Fatal(err)
	}
	c := u.newCounter()
	t.Cleanup(c.win.Close)
	return c, clk
}

func rulesWith(mode localdb.PINMode) localdb.CounterRules {
	r := localdb.DefaultCounterRules
	r.PIN = mode
	return r
}

// typePIN types pin on the keyboard and presses Enter, as a cashier at a till does.
func typePIN(c *counter, pin string) {
	test.TypeOnCanvas(c.win.Canvas(), pin)
	c.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func TestLockedCounterOpensForWhoeverTypesTheirPIN(t *testing.T) {
	c, _ := lockedCounter(t, rulesWith(localdb.PINAtStart))
	if !c.locked || c.main.Visible() || !c.lockBox.Visible() {
		t.Fatalf("counter at start: locked %v, counter shown %v; want the lock screen", c.locked, c.main.Visible())
	}
	if got := texts(c.lockBox); !strings.Contains(got, "Café Merci (demo)") || !strings.Contains(got, "Who is at the till?") {
		t.Errorf("lock screen says %q, want the shop's name and the question", got)
	}
	typePIN(c, "9876")
	if !c.locked || !strings.Contains(c.pad.msg.Text, "PIN") {
		t.Fatalf("after a wrong PIN: locked %v, message %q; want still locked and told", c.locked, c.pad.msg.Text)
	}
	for _, r := range localdb.DemoCashierPIN { // by touch this time
		test.Tap(c.pad.keys[pinKey(r)])
	}
	test.Tap(c.pad.keys[len(c.pad.keys)-1])
	if c.locked || !c.main.Visible() {
		t.Fatal("the cashier's PIN did not open the counter")
	}
	if got, want := c.who.Text, "At the till: Camille"; got != want {
		t.Errorf("status bar says %q, want %q", got, want)
	}
	bruno := demoAccount(t, c.u.store, "bruno")
	enter(c, bruno.Code().String())
	enter(c, "4.00")
	if len(c.entries) == 0 || c.entries[0].StaffName != "Camille" || !strings.Contains(c.u.describeEntry(c.entries[0]), "Camille") {
		t.Errorf("today's first entry = %+v, want the credit made by Camille, named", c.entries)
	}

	test.Tap(c.lockBtn)
	if !c.locked || c.account != nil || c.u.staff.ID != "" {
		t.Errorf("after Switch / lock: locked %v, card shown %v, at the till %q; want locked, no card, nobody", c.locked, c.account != nil, c.u.staff.Name)
	}
}

// pinKey returns the index of a digit's key on the pad: 1-9, then ⌫, 0, OK.
func pinKey(r rune) int {
	if r == '0' {
		return 10
	}
	return int(r - '1')
}

func TestFiveWrongPINsLockPINEntryForAMinute(t *testing.T) {
	c, clk := lockedCounter(t, rulesWith(localdb.PINAtStart))
	for range maxWrongPINs {
		typePIN(c, "9876")
	}
	if got := c.pad.msg.Text; !strings.Contains(got, "locked for a minute") {
		t.Errorf("after five wrong PINs the pad says %q, want PIN entry locked", got)
	}
	if !c.pad.keys[0].Disabled() {
		t.Error("the pad's keys still work while PIN entry is locked")
	}
	if _, err := c.u.checkPIN(localdb.DemoOwnerPIN, ""); err != errPINLocked {
		t.Errorf("the owner's PIN while locked = %v, want errPINLocked", err)
	}
	clk.advance(59 * time.Second)
	typePIN(c, localdb.DemoCashierPIN)
	if !c.locked || !c.pad.keys[0].Disabled() {
		t.Fatal("the counter opened before the minute was over")
	}
	clk.advance(time.Second)
	if c.pad.keys[0].Disabled() || strings.Contains(c.pad.msg.Text, "locked") {
		t.Errorf("a minute later: keys disabled %v, message %q; want PIN entry open", c.pad.keys[0].Disabled(), c.pad.msg.Text)
	}
	typePIN(c, localdb.DemoCashierPIN)
	if c.locked {
		t.Error("the right PIN did not open the counter once the minute was over")
	}
}

func TestPINNeverOpensTheCounter(t *testing.T) {
	c, _ := lockedCounter(t, rulesWith(localdb.PINNever))
	if c.locked || c.who.Text != "Nobody signed in" {
		t.Errorf("with PIN never: locked %v, status %q; want open with nobody signed in", c.locked, c.who.Text)
	}
	test.Tap(c.lockBtn) // anyone may sign in
	typePIN(c, localdb.DemoOwnerPIN)
	if c.locked || c.u.staff.Role != localdb.RoleOwner {
		t.Errorf("after signing in: locked %v, at the till %+v; want the owner", c.locked, c.u.staff)
	}
}

func TestIdleCounterLocksAfterTheOwnersMinutes(t *testing.T) {
	rules := rulesWith(localdb.PINWhenIdle)
	rules.IdleMinutes = 2
	c, clk := lockedCounter(t, rules)
	if !c.locked {
		t.Fatal("with PIN when idle the counter opened unlocked")
	}
	typePIN(c, localdb.DemoCashierPIN)
	clk.advance(90 * time.Second)
	enter(c, "alice") // used: the two minutes start again
	clk.advance(90 * time.Second)
	if c.locked {
		t.Fatal("the counter locked 90 s after it was last used")
	}
	clk.advance(30 * time.Second)
	if !c.locked || c.u.staff.ID != "" {
		t.Errorf("two minutes after it was last used: locked %v, at the till %q; want locked", c.locked, c.u.staff.Name)
	}
}

func TestEverySpendAsksWhoMakesIt(t *testing.T) {
	c, _ := lockedCounter(t, rulesWith(localdb.PINEverySpend))
	if c.locked {
		t.Fatal("with a PIN for every spend the counter opened locked")
	}
	alice := demoAccount(t, c.u.store, "alice")
	before := balance(t, c.u.store, alice.Code())
	enter(c, alice.Code().String())
	c.input.SetText("5")
	c.onDebit()
	if c.pad == nil || balance(t, c.u.store, alice.Code()) != before {
		t.Fatal("taking points off did not ask for a PIN first")
	}
	typePIN(c, localdb.DemoCashierPIN)
	if got, want := balance(t, c.u.store, alice.Code()).Points, before.Points-5; got != want {
		t.Fatalf("points after the PIN = %d, want %d", got, want)
	}
	if c.entries[0].StaffName != "Camille" {
		t.Errorf("the debit was made by %q, want Camille", c.entries[0].StaffName)
	}
}

func TestCashierRightsAtTheCounter(t *testing.T) {
	rules := rulesWith(localdb.PINAtStart)
	rules.Cashiers = localdb.CashierRights{}
	c, _ := lockedCounter(t, rules)
	typePIN(c, localdb.DemoCashierPIN)
	alice := demoAccount(t, c.u.store, "alice")
	enter(c, alice.Code().String())
	enter(c, "3.00")
	enter(c, "5.00")
	before := balance(t, c.u.store, alice.Code())

	c.input.SetText("5")
	c.onDebit()
	if got := c.msg.Text; !strings.Contains(got, "Only the owner may take points off") {
		t.Errorf("a cashier taking points off: message %q, want the refusal", got)
	}
	c.input.SetText("1")
	c.onSpendCashback()
	if got := c.msg.Text; !strings.Contains(got, "Only the owner may spend cashback") {
		t.Errorf("a cashier spending cashback: message %q, want the refusal", got)
	}
	c.recent.Select(1) // the 3.00 credit, before the card's last
	test.Tap(c.cancelSelect)
	if got := c.msg.Text; !strings.Contains(got, "only the card's last operation") {
		t.Errorf("a cashier cancelling an older operation: message %q, want the refusal", got)
	}
	if got := balance(t, c.u.store, alice.Code()); got != before {
		t.Fatalf("balance after refusals = %+v, want %+v", got, before)
	}

	test.Tap(c.lockBtn)
	typePIN(c, localdb.DemoOwnerPIN)
	enter(c, alice.Code().String())
	c.input.SetText("5")
	c.onDebit()
	if got, want := balance(t, c.u.store, alice.Code()).Points, before.Points-5; got != want {
		t.Errorf("points after the owner took 5 off = %d, want %d (message %q)", got, want, c.msg.Text)
	}
}
