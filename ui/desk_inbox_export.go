package ui

import (
	"fmt"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/transfer"
)

// exportButton saves the answers of the period the inbox shows, of every status, with
// their follow-ups, as a spreadsheet.
func (p *inboxPage) exportButton() fyne.CanvasObject {
	l := p.d.u.lang
	export := func(format transfer.Format) func() {
		return func() {
			f := p.filter()
			f.Status = "" // every tab's
			name := fmt.Sprintf("answers-%s-%s.%s", f.From.Format(time.DateOnly), f.To.AddDate(0, 0, -1).Format(time.DateOnly), format)
			p.d.saveFile(name, func(w io.Writer) error {
				return transfer.ExportAnswers(p.d.ctx, p.d.u.store, w, format, f)
			})
		}
	}
	return container.NewHBox(widget.NewLabel(l.T("inbox.export")),
		widget.NewButtonWithIcon(".xlsx", theme.DownloadIcon(), export(transfer.XLSX)),
		widget.NewButtonWithIcon(".csv", theme.DownloadIcon(), export(transfer.CSV)))
}
