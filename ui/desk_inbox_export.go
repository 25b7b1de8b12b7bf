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
			from, to := p.period.bounds()
			name := fmt.Sprintf("answers-%s-%s.%s", from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), format)
			p.d.saveFile(name, p.answersTo(format))
		}
	}
	return container.NewHBox(widget.NewLabel(l.T("inbox.export")),
		widget.NewButtonWithIcon(".xlsx", theme.DownloadIcon(), export(transfer.XLSX)),
		widget.NewButtonWithIcon(".csv", theme.DownloadIcon(), export(transfer.CSV)))
}

// answersTo writes the answers the inbox's filters select, of every tab, until the desk
// closes.
func (p *inboxPage) answersTo(format transfer.Format) func(io.Writer) error {
	f := p.filter()
	f.Status = ""
	return func(w io.Writer) error { return transfer.ExportAnswers(p.d.ctx, p.d.u.store, w, format, f) }
}
