package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// laptop is the most common laptop screen, where many shops' back offices run.
var laptop = fyne.NewSize(1366, 768)

// Every page of the owner's desk fits a 1366x768 screen, and the customers table shows
// all its columns without scrolling sideways.
func TestDeskFitsALaptopScreen(t *testing.T) {
	u := newTestUI(t)
	d := openOwnerDesk(t, u)
	d.win.Resize(laptop)
	for i, pg := range d.pages {
		d.show(i)
		d.work.Wait()
		if min := d.win.Content().MinSize(); min.Width > laptop.Width || min.Height > laptop.Height {
			t.Errorf("%s needs %v, more than a %v screen", pg.key, min, laptop)
		}
		if pg.key != "owner.nav.customers" {
			continue
		}
		var fit *fitColumns
		for _, c := range findAll[*fyne.Container](d.win.Content()) {
			if l, ok := c.Layout.(*fitColumns); ok {
				fit = l
			}
		}
		if fit == nil {
			t.Fatal("the customers table is not laid out to fit its columns")
		}
		need := theme.Size(theme.SizeNameScrollBar)
		for _, w := range fit.widths {
			need += w + theme.Padding()
		}
		if got := fit.table.Size().Width; need > got+0.5 {
			t.Errorf("the customers table's columns need %.0f px, it is %.0f wide: the last ones are cut", need, got)
		}
		t.Logf("customers table %.0f px wide, columns %v", fit.table.Size().Width, fit.widths)
	}
}
