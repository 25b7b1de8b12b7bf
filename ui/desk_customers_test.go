package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestCustomersAdjustAndErase(t *testing.T) {
	u := newTestUI(t)
	store := u.store
	ctx := context.Background()
	d := openCustomer(t, u, "alice")
	w := d.win
	before, err := store.Customers(ctx, "alice")
	if err != nil || len(before) != 1 {
		t.Fatalf("Customers(alice) = %d, %v", len(before), err)
	}

	test.Tap(button(t, w.Content(), "Adjust balance"))
	entries := findAll[*widget.Entry](topOverlay(t, w))
	test.Type(entries[0], "+10")
	test.Type(entries[1], "card forgotten on Monday")
	dialogButton(t, w, "Apply")
	after, err := store.AccountByCode(ctx, before[0].Code())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := after.Balance.Points, before[0].Balance.Points+10; got != want {
		t.Errorf("after adjusting +10: %d points, want %d", got, want)
	}

	test.Tap(button(t, w.Content(), "Erase"))
	dialogButton(t, w, "Yes")
	erased, err := store.Customer(ctx, before[0].Customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := erased.Customer; c.Name != "" || c.Email != "" || c.Phone != "" || erased.Balance != after.Balance {
		t.Errorf("after erasure: %+v with %+v, want no personal data and the balance kept", c, erased.Balance)
	}
}
