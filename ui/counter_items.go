package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/loyalty"
)

// amountRow shows the amount being typed, right-aligned, and left of it the key that
// types the quantity sign: "2 × 9.50" credits two items at 9.50, for programs that earn
// per item. Its height is a plain amount's whatever is shown, so the keypad below
// stays put.
func (c *counter) amountRow() fyne.CanvasObject {
	times := widget.NewButton(c.u.lang.T("counter.times_key"), func() { c.typeKey("×") })
	height := canvas.NewRectangle(color.Transparent)
	height.SetMinSize(fyne.NewSize(0, fyne.MeasureText("0", amountSize, fyne.TextStyle{Bold: true}).Height))
	return container.NewHBox(height, container.NewCenter(container.NewGridWrap(fyne.NewSize(120, 34), times)), layout.NewSpacer(), c.amount)
}

// Text sizes of the amount being typed: a plain amount, and the longer line of items,
// their price and the total, which must fit the keypad's width.
const (
	amountSize      = 44
	itemsAmountSize = 26
)

// purchasePreview is what the counter shows of a purchase being typed, and its text
// size: the amount, or the items, their price and the total; "" for anything else.
func (u *UI) purchasePreview(text, currency string) (string, float32) {
	b, err := loyalty.ParsePurchase(text, currency)
	switch {
	case err != nil:
		return "", amountSize
	case b.Items > 0:
		unit := b.Amount / loyalty.Money(b.Items)
		return u.lang.T("counter.items_total", u.lang.Number(b.Items), u.lang.Money(unit, currency), u.lang.Money(b.Amount, currency)), itemsAmountSize
	}
	return u.lang.Money(b.Amount, currency), amountSize
}
