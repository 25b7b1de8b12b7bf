package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// A spend at a counter connected to the cloud: refused when another till spent the
// points, refused offline with no allowance, made offline within one.
func TestCounterSpendCheckedByCloud(t *testing.T) {
	ctx := context.Background()
	u, store := newCounterUI(t, i18n.English)
	// The test goroutine plays the UI goroutine: it runs the screen update the check
	// hands over.
	calls := make(chan func())
	u.do = func(f func()) { calls <- f }

	cloud := startTestCloud(t)
	connectUI(t, u, cloud, cloud.code)
	c := u.newCounter()
	alice := demoAccount(t, store, "alice@example.com")
	if alice.Balance.Points < 5 {
		t.Fatalf("Alice has %d points, the test needs 5", alice.Balance.Points)
	}
	debit := func(points string) {
		t.Helper()
		enter(c, alice.Code().String())
		test.Type(c.input, points)
		c.onDebit()
		if !strings.Contains(c.msg.Text, "cloud") {
			t.Errorf("message while the cloud checks = %q, want it to say so", c.msg.Text)
		}
		select {
		case f := <-calls:
			f()
		case <-time.After(time.Minute): // a failure bound only
			t.Fatal("the spend did not finish in a minute")
		}
		c.work.Wait()
	}

	// Another till spent all of Alice's points and synced; this one has not pulled yet.
	other, err := cloud.db.NewCode(ctx, cloud.shop.ID, syncwire.RoleTill)
	if err != nil {
		t.Fatal(err)
	}
	dev2, _ := cloud.enroll(t, other.Code, "Till 2")
	id := uuid.Must(uuid.NewV7()).String()
	spent, _ := json.Marshal(loyalty.Operation{ID: id, CustomerID: alice.Customer.ID, CardCode: string(alice.Code()), Kind: loyalty.KindDebit,
		Delta: loyalty.Delta{Points: -alice.Balance.Points}, Device: dev2.ID, At: time.Now()})
	if _, err := cloud.db.Push(ctx, dev2, []syncwire.Change{{ID: id, Type: syncwire.TypeOp, Key: id, Body: spent, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	debit("5")
	if want := u.lang.T("err.refused_points", "0"); c.msg.Text != want {
		t.Errorf("message = %q, want %q", c.msg.Text, want)
	}
	if got := balance(t, store, alice.Code()); got.Points != alice.Balance.Points {
		t.Errorf("balance after the cloud refused = %d, want %d (nothing written)", got.Points, alice.Balance.Points)
	}

	// The cloud is gone, and the owner allows no spending offline.
	setOffline := func(rule loyalty.OfflineSpending, points int64) {
		t.Helper()
		p, err := store.Program(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.OfflineSpending, p.OfflinePoints = rule, points
		if err := store.SaveProgram(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	setOffline(loyalty.OfflineNever, 0)
	cloud.http.Close()
	debit("5")
	if want := u.lang.T("err.offline_none"); c.msg.Text != want {
		t.Errorf("offline message = %q, want %q", c.msg.Text, want)
	}
	if got := balance(t, store, alice.Code()); got.Points != alice.Balance.Points {
		t.Errorf("balance after an offline refusal = %d, want %d", got.Points, alice.Balance.Points)
	}

	// The owner allows 5 points per card offline.
	setOffline(loyalty.OfflineCapped, 5)
	debit("5")
	if want := u.lang.T("counter.debited", "5"); !strings.Contains(c.msg.Text, want) {
		t.Errorf("message = %q, want %q", c.msg.Text, want)
	}
	if got := balance(t, store, alice.Code()); got.Points != alice.Balance.Points-5 {
		t.Errorf("balance after an offline debit = %d, want %d", got.Points, alice.Balance.Points-5)
	}
	debit("1")
	if want := u.lang.T("err.offline_points", "5"); c.msg.Text != want {
		t.Errorf("message = %q, want %q", c.msg.Text, want)
	}

	// By default, a card spends offline what this till knows it has.
	setOffline(loyalty.OfflineUpToBalance, 0)
	debit("3")
	if want := u.lang.T("counter.debited", "3"); !strings.Contains(c.msg.Text, want) {
		t.Errorf("message = %q, want %q", c.msg.Text, want)
	}
	if got := balance(t, store, alice.Code()); got.Points != alice.Balance.Points-8 {
		t.Errorf("balance after a default offline debit = %d, want %d", got.Points, alice.Balance.Points-8)
	}
}
