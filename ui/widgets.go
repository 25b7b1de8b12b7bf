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

// fitColumns lays a table out over the whole of its space: the fixed columns (a card
// code, a number) get their width, and the flexible ones (a name, an email) share the
// rest in proportion to theirs, so that every column shows without scrolling sideways,
// on a laptop as on a wide screen. A flexible column never gets narrower than
// minColumnShare of its width: below that, scrolling beats unreadable cells.
type fitColumns struct {
	table   *widget.Table
	columns func() []tableColumn // the columns now: a preview's change with its mapping
	widths  []float32            // as last laid out
	lead    float32              // the width of the row numbers' column, if shown
}

// tableColumn is a column's title key and its width; flex columns share what is left.
type tableColumn struct {
	key   string
	width float32
	flex  bool
}

const minColumnShare = 0.8

// newFitColumns fits table's columns; lead is the width of its row numbers' column,
// 0 when it has none.
func newFitColumns(table *widget.Table, lead float32, columns func() []tableColumn) *fitColumns {
	if lead > 0 {
		table.SetColumnWidth(-1, lead)
	}
	return &fitColumns{table: table, columns: columns, lead: lead}
}

func (f *fitColumns) MinSize([]fyne.CanvasObject) fyne.Size { return f.table.MinSize() }

func (f *fitColumns) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	th := f.table.Theme()
	pad := th.Size(theme.SizeNamePadding)
	columns := f.columns()
	// Each column, the row numbers' too, is followed by a divider as wide as the
	// padding; the vertical scroll bar takes its width once the rows overflow.
	rest := size.Width - float32(len(columns))*pad - th.Size(theme.SizeNameScrollBar)
	if f.lead > 0 {
		rest -= f.lead + pad
	}
	var flex float32
	for _, c := range columns {
		if c.flex {
			flex += c.width
		} else {
			rest -= c.width
		}
	}
	scale := max(rest/flex, minColumnShare)
	f.widths = make([]float32, len(columns))
	for i, c := range columns {
		f.widths[i] = c.width
		if c.flex {
			f.widths[i] *= scale
		}
		f.table.SetColumnWidth(i, f.widths[i])
	}
	f.table.Move(fyne.NewPos(0, 0))
	f.table.Resize(size)
}
