package ui

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/transfer"
)

// transferPage imports customers from a spreadsheet, with a column mapping, a preview
// and a dry run, and exports customers and operations.
type transferPage struct {
	d       *desk
	file    string
	table   transfer.Table
	mapping transfer.Mapping
	selects map[transfer.Field]*widget.Select
	fileLbl *widget.Label
	mapBox  *fyne.Container
	preview *widget.Table
	// previewBox fits the preview's columns to its width, laid out again when the
	// mapping changes which fields it shows.
	previewBox *fyne.Container
	noFile     *widget.Label
	skip       *widget.Check
	check      *widget.Button
	run        *widget.Button
	progress   *widget.ProgressBar
	result     *widget.Label
	errs       []transfer.RowError
	errList    *widget.List
}

func (d *desk) transferPage() fyne.CanvasObject {
	p := &transferPage{d: d, selects: map[transfer.Field]*widget.Select{}}
	return p.build()
}

func (p *transferPage) build() fyne.CanvasObject {
	l := p.d.u.lang
	choose := widget.NewButtonWithIcon(l.T("transfer.choose"), theme.FolderOpenIcon(), p.onChoose)
	p.fileLbl = widget.NewLabel(l.T("transfer.no_file"))
	p.fileLbl.Truncation = fyne.TextTruncateEllipsis
	p.mapBox = container.NewGridWithColumns(2)
	p.skip = widget.NewCheck(l.T("transfer.skip_invalid"), nil)
	p.check = widget.NewButtonWithIcon(l.T("transfer.check"), theme.SearchIcon(), func() { p.onImport(true) })
	p.run = widget.NewButtonWithIcon(l.T("transfer.import"), theme.UploadIcon(), func() { p.onImport(false) })
	p.run.Importance = widget.HighImportance
	p.check.Disable()
	p.run.Disable()
	p.progress = widget.NewProgressBar()
	p.progress.Hide()
	p.result = widget.NewLabel(l.T("transfer.hint"))
	p.result.Wrapping = fyne.TextWrapWord
	p.errList = widget.NewList(func() int { return len(p.errs) },
		func() fyne.CanvasObject {
			lbl := widget.NewLabel("")
			lbl.Truncation = fyne.TextTruncateEllipsis
			return lbl
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(p.describeRowError(p.errs[i]))
		})
	p.preview = widget.NewTableWithHeaders(p.previewSize, func() fyne.CanvasObject {
		lbl := widget.NewLabel("")
		lbl.Truncation = fyne.TextTruncateEllipsis
		return lbl
	}, p.updatePreview)
	p.preview.CreateHeader = func() fyne.CanvasObject {
		lbl := widget.NewLabel("")
		lbl.TextStyle.Bold = true
		lbl.Truncation = fyne.TextTruncateEllipsis
		return lbl
	}
	p.preview.UpdateHeader = p.updatePreviewHeader
	p.previewBox = container.New(newFitColumns(p.preview, previewNumbers, p.previewColumns), p.preview)
	p.preview.Hide() // until a file is read

	importCard := section(l.T("transfer.import_title"), container.NewVBox(
		container.NewBorder(nil, nil, choose, nil, p.fileLbl),
		caption(strings.ToUpper(l.T("transfer.mapping"))),
		p.mapBox,
		p.skip,
		container.NewHBox(p.check, p.run),
	))
	p.noFile = widget.NewLabel(l.T("transfer.preview_hint"))
	p.noFile.Wrapping = fyne.TextWrapWord
	previewCard := section(l.T("transfer.preview"), container.NewStack(p.noFile, p.previewBox))
	resultCard := section(l.T("transfer.result"), container.NewBorder(container.NewVBox(p.progress, p.result), nil, nil, nil, p.errList))
	right := container.NewVSplit(previewCard, resultCard)
	split := container.NewHSplit(container.NewVScroll(importCard), right)
	split.SetOffset(0.36) // the preview gets the room: six columns fit at 1366 px
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon(l.T("transfer.import_title"), theme.UploadIcon(), split),
		container.NewTabItemWithIcon(l.T("transfer.export_title"), theme.DownloadIcon(), container.NewVBox(p.d.exportCard())),
	)
	return tabs
}

func (p *transferPage) onChoose() {
	dlg := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.d.fail(err)
			return
		}
		if r == nil {
			return
		}
		p.load(r.URI().Name(), r)
	}, p.d.win)
	dlg.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx", ".csv", ".txt"}))
	dlg.Resize(fyne.NewSize(900, 600))
	dlg.Show()
}

// load reads a spreadsheet on a goroutine, then shows its mapping and preview.
func (p *transferPage) load(name string, r io.ReadCloser) {
	p.busy(true)
	p.result.SetText(p.d.u.lang.T("transfer.reading", name))
	p.d.background(func() {
		defer r.Close()
		t, err := transfer.Read(r, name)
		p.d.u.do(func() {
			p.busy(false)
			if err != nil {
				p.table, p.file = transfer.Table{}, ""
				p.result.SetText(p.d.u.describe(err))
				p.result.Importance = widget.DangerImportance
				p.result.Refresh()
				p.check.Disable()
				p.run.Disable()
				return
			}
			p.setTable(name, t)
		})
	})
}

// setTable shows t with the mapping guessed from its header.
func (p *transferPage) setTable(name string, t transfer.Table) {
	l := p.d.u.lang
	p.file, p.table, p.mapping = name, t, transfer.Guess(t.Header)
	p.fileLbl.SetText(l.T("transfer.file", name, l.Number(int64(len(t.Rows)))))
	options := []string{l.T("transfer.not_imported")}
	for i, h := range t.Header {
		options = append(options, columnLabel(i, h))
	}
	p.mapBox.RemoveAll()
	for _, f := range transfer.Fields {
		sel := widget.NewSelect(options, nil)
		if col, ok := p.mapping[f]; ok {
			sel.SetSelectedIndex(col + 1)
		} else {
			sel.SetSelectedIndex(0)
		}
		sel.OnChanged = func(string) {
			if i := sel.SelectedIndex(); i > 0 {
				p.mapping[f] = i - 1
			} else {
				delete(p.mapping, f)
			}
			p.previewBox.Refresh()
		}
		p.selects[f] = sel
		p.mapBox.Add(widget.NewLabel(l.T("transfer.field." + string(f))))
		p.mapBox.Add(sel)
	}
	p.errs = nil
	p.errList.Refresh()
	p.result.Importance = widget.MediumImportance
	p.result.SetText(l.T("transfer.loaded"))
	p.check.Enable()
	p.run.Enable()
	p.noFile.Hide()
	p.preview.Show()
	p.previewBox.Refresh()
}

// columnLabel names column i as spreadsheet apps do ("C") with its title.
func columnLabel(i int, title string) string {
	name := ""
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		name = string(rune('A'+(n-1)%26)) + name
	}
	if title == "" {
		return name
	}
	return name + " · " + title
}

// previewRows is how many rows the preview shows: enough to check a mapping.
const previewRows = 50

// shown returns the fields the preview shows: those mapped to a column.
func (p *transferPage) shown() []transfer.Field {
	var out []transfer.Field
	for _, f := range transfer.Fields {
		if _, ok := p.mapping[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// previewNumbers is the width of the preview's row numbers: a spreadsheet's row
// numbers up to previewRows+1.
const previewNumbers = 40

// previewColumns are the preview's columns: one per field shown, sharing the width.
func (p *transferPage) previewColumns() []tableColumn {
	columns := make([]tableColumn, len(p.shown()))
	for i := range columns {
		columns[i] = tableColumn{width: 110, flex: true}
	}
	return columns
}

func (p *transferPage) previewSize() (int, int) {
	return min(len(p.table.Rows), previewRows), len(p.shown())
}

func (p *transferPage) updatePreviewHeader(id widget.TableCellID, o fyne.CanvasObject) {
	lbl := o.(*widget.Label)
	switch {
	case id.Row < 0 && id.Col >= 0:
		lbl.SetText(p.d.u.lang.T("transfer.field." + string(p.shown()[id.Col])))
	case id.Col < 0 && id.Row >= 0:
		lbl.SetText(fmt.Sprint(transfer.RowNumber(id.Row)))
	default:
		lbl.SetText("")
	}
}

func (p *transferPage) updatePreview(id widget.TableCellID, o fyne.CanvasObject) {
	lbl := o.(*widget.Label)
	col, ok := p.mapping[p.shown()[id.Col]]
	row := p.table.Rows[id.Row]
	if !ok || col >= len(row) {
		lbl.SetText("")
		return
	}
	lbl.SetText(row[col])
}

func (p *transferPage) busy(on bool) {
	if on {
		p.progress.SetValue(0)
		p.progress.Show()
		p.check.Disable()
		p.run.Disable()
		return
	}
	p.progress.Hide()
	if p.file != "" {
		p.check.Enable()
		p.run.Enable()
	}
}

// onImport checks (dryRun) or imports the file on a goroutine.
func (p *transferPage) onImport(dryRun bool) {
	l := p.d.u.lang
	opt := transfer.Options{DryRun: dryRun, SkipInvalid: p.skip.Checked, Origin: p.d.origin(),
		Progress: func(done, total int) {
			p.d.u.do(func() { p.progress.SetValue(float64(done) / float64(max(total, 1))) })
		}}
	t, m := p.table, transfer.Mapping{}
	for f, c := range p.mapping {
		m[f] = c
	}
	p.busy(true)
	p.result.SetText(l.T("transfer.working", l.Number(int64(len(t.Rows)))))
	p.d.background(func() {
		start := time.Now()
		rep, err := transfer.Import(p.d.ctx, p.d.u.store, t, m, opt)
		took := time.Since(start).Round(100 * time.Millisecond)
		if p.d.ctx.Err() != nil {
			return // the desk was closed, which cancelled the import: nobody to tell
		}
		p.d.u.do(func() {
			p.busy(false)
			p.errs = rep.Errors
			p.errList.Refresh()
			p.result.Importance = widget.SuccessImportance
			summary := l.T("transfer.summary", l.Number(int64(rep.New)), l.Number(int64(rep.Updated)),
				l.Number(int64(rep.Unchanged)), l.Number(int64(rep.Operations)), l.Number(int64(len(rep.Errors))))
			switch {
			case errors.Is(err, transfer.ErrInvalidRows):
				p.result.Importance = widget.DangerImportance
				summary = l.T("transfer.nothing_imported", l.Number(int64(len(rep.Errors))))
			case err != nil:
				p.result.Importance = widget.DangerImportance
				summary = p.d.u.describe(err)
			case dryRun:
				summary = l.T("transfer.dry_run") + " " + summary
			default:
				summary = l.T("transfer.imported", took.String()) + " " + summary
			}
			p.result.SetText(summary)
		})
	})
}

// describeRowError says in the owner's language what is wrong with a row.
func (p *transferPage) describeRowError(e transfer.RowError) string {
	l := p.d.u.lang
	what := p.d.u.describe(e.Err)
	if e.Field == "" {
		return l.T("transfer.row_error", e.Row, what)
	}
	return l.T("transfer.cell_error", e.Row, l.T("transfer.field."+string(e.Field)), e.Value, what)
}

// exportCard holds the exports: customers, and operations over a period.
func (d *desk) exportCard() fyne.CanvasObject {
	l := d.u.lang
	period := d.u.newPeriodPicker(func() {})
	exportOps := func(f transfer.Format) func() {
		return func() {
			from, to := period.bounds()
			name := fmt.Sprintf("operations-%s-%s.%s", from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), f)
			d.saveFile(name, func(w io.Writer) error {
				return transfer.ExportOperations(d.ctx, d.u.store, w, f, from, to)
			})
		}
	}
	customers := container.NewHBox(widget.NewLabel(l.T("transfer.export_customers")),
		widget.NewButtonWithIcon(".xlsx", theme.DownloadIcon(), func() { d.exportCustomers(transfer.XLSX) }),
		widget.NewButtonWithIcon(".csv", theme.DownloadIcon(), func() { d.exportCustomers(transfer.CSV) }))
	ops := container.NewHBox(widget.NewLabel(l.T("transfer.export_operations")), period.widget(),
		widget.NewButtonWithIcon(".xlsx", theme.DownloadIcon(), exportOps(transfer.XLSX)),
		widget.NewButtonWithIcon(".csv", theme.DownloadIcon(), exportOps(transfer.CSV)))
	return section(l.T("transfer.export_title"), container.NewVBox(customers, ops))
}

// exportCustomers saves every customer as a spreadsheet.
func (d *desk) exportCustomers(f transfer.Format) {
	name := fmt.Sprintf("customers-%s.%s", d.u.store.Now().Format(time.DateOnly), f)
	d.saveFile(name, d.customersTo(f))
}

// customersTo writes every customer as a spreadsheet, until the desk closes.
func (d *desk) customersTo(f transfer.Format) func(io.Writer) error {
	return func(w io.Writer) error { return transfer.ExportCustomers(d.ctx, d.u.store, w, f) }
}
