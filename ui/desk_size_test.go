package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/transfer"
)

// laptop is the most common laptop screen, where many shops' back offices run.
var laptop = fyne.NewSize(1366, 768)

// Every page of the owner's desk fits a 1366x768 screen, and every table on it (the
// customers, an import's preview of a usual file) shows all its columns without
// scrolling sideways.
func TestDeskFitsALaptopScreen(t *testing.T) {
	u := newTestUI(t)
	d := openOwnerDesk(t, u)
	d.win.Resize(laptop)
	tables := 0
	for i, pg := range d.pages {
		d.show(i)
		d.work.Wait()
		if pg.key == "owner.nav.transfer" {
			// The page as the owner sees it once a file with the usual columns is read.
			p := &transferPage{d: d, selects: map[transfer.Field]*widget.Select{}}
			d.content.Objects = []fyne.CanvasObject{p.build()}
			p.setTable("customers.csv", transfer.Table{Header: []string{"Name", "Email", "Phone", "Card", "Points", "Cashback"},
				Rows: [][]string{{"Ana Lima", "ana@example.com", "+33 6 12 34 56 78", "K7QM2XRT9PC", "120", "3.50"}}})
			d.content.Refresh()
		}
		if min := d.win.Content().MinSize(); min.Width > laptop.Width || min.Height > laptop.Height {
			t.Errorf("%s needs %v, more than a %v screen", pg.key, min, laptop)
		}
		for _, c := range findAll[*fyne.Container](d.win.Content()) {
			fit, ok := c.Layout.(*fitColumns)
			if !ok || !fit.table.Visible() {
				continue
			}
			tables++
			pad := theme.Padding()
			need := theme.Size(theme.SizeNameScrollBar)
			if fit.lead > 0 {
				need += fit.lead + pad
			}
			for _, w := range fit.widths {
				need += w + pad
			}
			if got := fit.table.Size().Width; need > got+0.5 || len(fit.widths) == 0 {
				t.Errorf("%s: the table's %d columns need %.0f px, it is %.0f wide: the last ones are cut", pg.key, len(fit.widths), need, got)
			}
			t.Logf("%s: table %.0f px wide, columns %v", pg.key, fit.table.Size().Width, fit.widths)
		}
	}
	if tables != 2 {
		t.Errorf("checked %d tables, want the customers' and the import preview", tables)
	}
}
