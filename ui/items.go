package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/loyalty"
)

// timesKey types the quantity sign: "2 × 9.50" credits two items at 9.50, for
// programs that earn per item.
func (c *counter) timesKey() fyne.CanvasObject {
	return widget.NewButton("×", func() { c.typeKey("×") })
}

// purchasePreview is what the counter shows of a purchase being typed: the amount,
// or the items, their price and the total; "" for anything else.
func (u *UI) purchasePreview(text, currency string) string {
	b, err := loyalty.ParsePurchase(text, currency)
	switch {
	case err != nil:
		return ""
	case b.Items > 0:
		unit := b.Amount / loyalty.Money(b.Items)
		return u.lang.T("counter.items_total", u.lang.Number(b.Items), u.lang.Money(unit, currency), u.lang.Money(b.Amount, currency))
	}
	return u.lang.Money(b.Amount, currency)
}
