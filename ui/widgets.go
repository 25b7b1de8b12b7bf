package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// themeColor returns a colour of the current theme.
func themeColor(name fyne.ThemeColorName) color.Color {
	return fyne.CurrentApp().Settings().Theme().Color(name, theme.VariantLight) // merciTheme picks the variant
}

// bigText is a canvas text of a given size and weight, for the numbers a cashier reads at
// arm's length.
func bigText(size float32, bold bool, c fyne.ThemeColorName) *canvas.Text {
	t := canvas.NewText("", themeColor(c))
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// card wraps content in a white rounded panel with padding: the surfaces of Merci's
// screens.
func card(content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(themeColor(colorSurface))
	bg.CornerRadius = 10
	bg.StrokeColor = themeColor(theme.ColorNameSeparator)
	bg.StrokeWidth = 1
	return container.NewStack(bg, container.NewPadded(container.NewPadded(content)))
}

// caption is a small, muted label above a value.
func caption(text string) *canvas.Text {
	t := canvas.NewText(text, themeColor(colorMuted))
	t.TextSize = 13
	t.TextStyle.Bold = true
	return t
}

// keyEntry is an Entry that also reports the Escape key, which Fyne's Entry ignores.
type keyEntry struct {
	widget.Entry
	onEscape func()
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// tallButton is a button with a minimum height, for touch and for the main actions.
func tallButton(b *widget.Button, height float32) fyne.CanvasObject {
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(0, height))
	return container.NewStack(spacer, b)
}
