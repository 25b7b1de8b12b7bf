package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/loyalty"
)

// In a cashback program the owner sets the kiosk's visit in money; a customer who scans
// their card at the kiosk gets it, and the screen says so.
func TestKioskVisitCreditsCashback(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	p, err := u.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := u.store.Shop(ctx)
	f := u.newProgramForm(p, shop)
	test.NewTempWindow(t, f.build()).Resize(fyne.NewSize(1200, 800))
	f.shop.SetText("Boulangerie Lemoine")
	f.kioskVisit.SetText("0")
	f.kioskCashback.SetText("0.50")
	test.Tap(f.save)
	if saved, err := u.store.Program(ctx); err != nil || saved.SelfServiceVisit() != (loyalty.Delta{Cashback: 50}) {
		t.Fatalf("saved program's kiosk visit = %+v, %v (message %q); want 0.50 of cashback", saved.SelfServiceVisit(), err, f.message.Text)
	}

	k := newTestKiosk(t, u)
	chloe := demoAccount(t, u.store, "chloe")
	if hint := "€0.50 cashback for your visit"; !strings.Contains(k.texts(), hint) {
		t.Errorf("the kiosk's welcome does not say %q; it shows:\n%s", hint, k.texts())
	}
	test.TypeOnCanvas(k.win.Canvas(), chloe.Code().String())
	k.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if k.Step == kioskflow.Idle {
		t.Fatalf("the scan was refused: %q", k.Notice)
	}
	after := balance(t, u.store, chloe.Code())
	if got, want := after.Cashback, chloe.Balance.Cashback+50; got != want || after.Points != chloe.Balance.Points {
		t.Errorf("balance after the kiosk visit = %+v, want %d cashback and the points unchanged", after, want)
	}
	want := "Welcome, Chloé! +€0.50 cashback for your visit: you now have " + u.lang.Money(after.Cashback, "EUR") + "."
	if !strings.Contains(k.texts(), want) {
		t.Errorf("the kiosk does not say %q; it shows:\n%s", want, k.texts())
	}
}
