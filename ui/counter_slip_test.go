package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/encoding/charmap"

	"github.com/merci-loyalty/merci/cards/escpos/escpostest"
)

// The owner ticks "print a slip" for this device's receipt printer; the counter then
// prints the customer's slip after a purchase, and says so when the printer is off.
func TestCounterPrintsASlip(t *testing.T) {
	u, d := openCards(t)
	printer := escpostest.Start(t)
	entries := findAll[*widget.Entry](d.content)
	entries[len(entries)-1].SetText(printer.Addr)
	var slips *widget.Check
	for _, c := range findAll[*widget.Check](d.content) {
		if c.Text == "Print a slip for the customer after each operation at the counter" {
			slips = c
		}
	}
	if slips == nil {
		t.Fatal("the Cards page offers no slips")
	}
	slips.SetChecked(true)
	test.Tap(button(t, d.content, "Save"))
	test.Tap(button(t, topOverlay(t, d.win), "OK"))

	c := u.newCounter()
	// The slip's outcome reaches the screen on the test's goroutine, as on Fyne's.
	loop := make(chan func(), 1)
	c.do = func(f func()) { loop <- f }
	bruno := demoAccount(t, u.store, "bruno")
	enter(c, bruno.Code().String())
	enter(c, "12.50")
	after := balance(t, u.store, bruno.Code())
	data := <-printer.Job // closed without a job if nothing was printed
	paper, err := charmap.Windows1252.NewDecoder().String(string(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Café Merci (demo)\n",
		"Purchase €12.50\n",
		"Points: +13\n",
		"Your balance: " + u.lang.Number(after.Points) + " points\n",
		"more points for ",
		bruno.Code().String() + "\n",
		string(bruno.Code()), // the QR code's payload: the bare code, as the demo has no card pages
	} {
		if !strings.Contains(paper, want) {
			t.Errorf("the slip lacks %q; it reads:\n%s", want, paper)
		}
	}
	c.work.Wait()
	if len(loop) != 0 || !strings.HasPrefix(c.msg.Text, "✓ Credited") {
		t.Errorf("message after a printed slip = %q, want the credit only", c.msg.Text)
	}

	// The printer switched off: the purchase stands, and the cashier is told.
	printer.SwitchOff()
	enter(c, "2")
	c.work.Wait()
	(<-loop)()
	if got := balance(t, u.store, bruno.Code()); got.Points <= after.Points {
		t.Errorf("points after a purchase with the printer off = %d, want more than %d", got.Points, after.Points)
	}
	if !strings.Contains(c.msg.Text, "Slip not printed: The receipt printer does not answer") || !strings.HasPrefix(c.msg.Text, "✓ Credited") {
		t.Errorf("message with the printer off = %q", c.msg.Text)
	}
}
