package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// touchButton is a large coloured key for the kiosk's touch screen: its own colours and
// text size, which Fyne's Button takes from the theme for every button at once.
type touchButton struct {
	widget.BaseWidget
	label    string
	bg, fg   color.Color
	textSize float32
	min      fyne.Size
	onTap    func()

	rect *canvas.Rectangle
}

func newTouchButton(label string, bg, fg color.Color, textSize float32, min fyne.Size, onTap func()) *touchButton {
	b := &touchButton{label: label, bg: bg, fg: fg, textSize: textSize, min: min, onTap: onTap}
	b.ExtendBaseWidget(b)
	return b
}

// Tapped runs the button's action.
func (b *touchButton) Tapped(*fyne.PointEvent) {
	if b.onTap != nil {
		b.onTap()
	}
}

func (b *touchButton) CreateRenderer() fyne.WidgetRenderer {
	b.rect = canvas.NewRectangle(b.bg)
	b.rect.CornerRadius = 12
	text := canvas.NewText(b.label, b.fg)
	text.TextSize = b.textSize
	text.TextStyle.Bold = true
	text.Alignment = fyne.TextAlignCenter
	size := canvas.NewRectangle(color.Transparent)
	size.SetMinSize(b.min)
	return widget.NewSimpleRenderer(container.NewStack(size, b.rect, container.NewCenter(text)))
}
