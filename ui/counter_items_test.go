package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
)

// The owner sets points per item on the program page; the cashier credits "2 × menu"
// and the card earns for both.
func TestCreditPerItem(t *testing.T) {
	u, store := newCounterUI(t, i18n.French)
	ctx := context.Background()
	p, err := store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shop, _ := store.Shop(ctx)
	f := u.newProgramForm(p, shop)
	test.NewTempWindow(t, f.build()).Resize(fyne.NewSize(1200, 800))
	f.shop.SetText("Boulangerie Lemoine")
	f.perItem.SetText("5")
	f.combine.SetSelected(u.lang.T("program.combine_best"))
	test.Tap(f.save)
	saved, err := store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if saved.PointsPerItem != 5 || saved.PointsCombine != loyalty.CombineBest {
		t.Fatalf("saved program = %d per item, combine %q; want 5, best (message %q)", saved.PointsPerItem, saved.PointsCombine, f.message.Text)
	}

	c := u.newCounter()
	chloe := demoAccount(t, store, "chloe")
	before := balance(t, store, chloe.Code())
	enter(c, chloe.Code().String())
	for _, k := range []string{"2", "×", "9", ",", "5"} {
		if k == "×" {
			test.Tap(button(t, c.win.Content(), "× articles"))
			continue
		}
		c.typeKey(k)
	}
	if got, want := c.amount.Text, "2 × 9,50\u00a0€ = 19,00\u00a0€"; got != want {
		t.Errorf("amount shown = %q, want %q", got, want)
	}
	c.input.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})

	// Demo: 1 a visit, 1 a euro (19), now 5 an item (10): the best of them is 19.
	after := balance(t, store, chloe.Code())
	if got, want := after.Points-before.Points, int64(19); got != want {
		t.Errorf("points earned by 2 × 9,50 with the best rule = %d, want %d", got, want)
	}
	if !strings.Contains(c.msg.Text, "2 articles") {
		t.Errorf("message = %q, want the two items said", c.msg.Text)
	}
	if len(c.entries) == 0 || !strings.Contains(u.describeEntry(c.entries[0]), "19,00\u00a0€, 2 articles") {
		t.Errorf("today's list = %v, want the purchase of 2 items first", c.entries)
	}

	// Eight items at 1 € earn more per item (40) than per euro (8).
	enter(c, "8x1")
	if got, want := balance(t, store, chloe.Code()).Points-after.Points, int64(40); got != want {
		t.Errorf("points earned by 8x1 = %d, want %d", got, want)
	}
	// A count that is not one is refused, and nothing is written.
	before = balance(t, store, chloe.Code())
	enter(c, "1000 × 1")
	if got := balance(t, store, chloe.Code()); got != before || !strings.Contains(c.msg.Text, "999 articles") {
		t.Errorf("1000 items: balance %+v (was %+v), message %q; want refused with a reason", got, before, c.msg.Text)
	}
}
