package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/escpos"
	"github.com/merci-loyalty/merci/cards/osprint"
	"github.com/merci-loyalty/merci/cards/sheet"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// prefCardPaper remembers the sheet size chosen for printing cards.
const prefCardPaper = "card_paper"

// previewDPI is the resolution of card previews: sharp on screen, quick to draw.
const previewDPI = 150

var (
	errCardCount        = errors.New("card count out of range")
	errNoReceiptPrinter = errors.New("no receipt printer set")
	errNoCardToPrint    = errors.New("every card of the batch was replaced or blocked")
)

// cardsPage issues and prints loyalty cards: a new batch on sheets of ten, sent to the
// system's print service or saved as a PDF; the batches issued before, to reprint or
// export; and the receipt printer of this device.
type cardsPage struct {
	d       *desk
	program loyalty.Program
	count   *widget.Entry
	opening *widget.Entry
	paper   *widget.Select
	preview *canvas.Image
	message *widget.Label
	batches []localdb.CardBatch
	list    *widget.List
	none    *widget.Label // said while no batch was printed
	target  *widget.Entry
	width   *widget.Select
	raster  *widget.Check
	slips   *widget.Check
}

func (d *desk) cardsPage() fyne.CanvasObject {
	p := &cardsPage{d: d}
	var err error
	if p.program, err = d.u.program(); err != nil {
		d.fail(err)
	}
	return p.build()
}

func (p *cardsPage) build() fyne.CanvasObject {
	l := p.d.u.lang
	p.count = widget.NewEntry()
	p.count.SetText("10")
	p.opening = widget.NewEntry()
	p.opening.SetPlaceHolder("0")
	p.paper = widget.NewSelect([]string{sheet.A4.Name, sheet.Letter.Name}, nil)
	p.paper.SetSelected(p.d.u.app.Preferences().StringWithFallback(prefCardPaper, sheet.A4.Name))
	p.paper.OnChanged = func(s string) { p.d.u.app.Preferences().SetString(prefCardPaper, s) }
	form := widget.NewForm(
		widget.NewFormItem(l.T("cards.count"), p.count),
		widget.NewFormItem(p.openingLabel(), p.opening),
		widget.NewFormItem(l.T("cards.paper"), p.paper),
	)
	preview := widget.NewButtonWithIcon(l.T("cards.preview"), theme.VisibilityIcon(), p.onPreview)
	print := widget.NewButtonWithIcon(l.T("cards.print"), theme.DocumentPrintIcon(), p.onPrint)
	print.Importance = widget.HighImportance
	save := widget.NewButtonWithIcon(l.T("cards.save_pdf"), theme.DocumentSaveIcon(), p.onSave)
	p.message = widget.NewLabel(l.T("cards.hint"))
	p.message.Wrapping = fyne.TextWrapWord
	p.preview = canvas.NewImageFromImage(nil)
	p.preview.FillMode = canvas.ImageFillContain
	p.preview.SetMinSize(fyne.NewSize(sheet.CardWidth*4, sheet.CardHeight*4))
	p.onPreview()
	sample := widget.NewLabel(l.T("cards.sample"))
	sample.Wrapping = fyne.TextWrapWord
	sample.TextStyle.Italic = true
	issue := section(l.T("cards.new_title"), container.NewVBox(form, container.NewHBox(preview, save, print),
		p.message, framed(p.preview), sample))

	p.list = widget.NewList(func() int { return len(p.batches) }, p.newBatchRow, p.updateBatchRow)
	p.none = widget.NewLabel(l.T("cards.no_batches"))
	p.none.Wrapping = fyne.TextWrapWord
	p.loadBatches()
	batches := section(l.T("cards.batches_title"), container.NewStack(container.NewVBox(p.none), p.list))
	split := container.NewHSplit(container.NewVScroll(issue),
		container.NewBorder(nil, p.receiptCard(), nil, nil, batches))
	split.SetOffset(0.42)
	return split
}

// openingLabel names the opening balance field: points, or cashback in a program that
// earns only cashback.
func (p *cardsPage) openingLabel() string {
	if p.program.OpeningInCashback() {
		return p.d.u.lang.T("cards.opening_cashback", p.program.Currency)
	}
	return p.d.u.lang.T("cards.opening_points")
}

// order reads the batch typed in: how many cards, and each one's opening balance.
func (p *cardsPage) order() (int, int64, error) {
	n, err := strconv.Atoi(strings.TrimSpace(p.count.Text))
	if err != nil || n < 1 || n > localdb.MaxCardBatch {
		return 0, 0, errCardCount
	}
	text := strings.TrimSpace(p.opening.Text)
	if text == "" {
		return n, 0, nil
	}
	if p.program.OpeningInCashback() {
		m, err := loyalty.ParseAmount(text, p.program.Currency)
		if err != nil {
			return 0, 0, errField{p.openingLabel(), err}
		}
		return n, int64(m), nil
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil || v < 0 {
		return 0, 0, errField{p.openingLabel(), errWholeNumber}
	}
	return n, v, nil
}

// say shows msg under the buttons, in red if it reports a problem.
func (p *cardsPage) say(msg string, problem bool) {
	p.message.Importance = widget.MediumImportance
	if problem {
		p.message.Importance = widget.DangerImportance
	}
	p.message.SetText(msg)
}

// onPreview draws a card as the batch typed in would print it, with a sample code: the
// real codes are made when the cards are issued.
func (p *cardsPage) onPreview() {
	_, opening, err := p.order()
	if err != nil {
		p.say(p.d.u.describeCards(err), true)
		return
	}
	code, err := cards.NewCode()
	if err != nil {
		p.say(p.d.u.describeCards(err), true)
		return
	}
	faces, err := p.d.cardFaces([]cards.Code{code}, p.faceOpening(p.openingDelta(opening)))
	if err == nil {
		var img image.Image
		if img, err = sheet.Image(faces[0], previewDPI); err == nil {
			p.preview.Image = img
			p.preview.Refresh()
			return
		}
	}
	p.say(p.d.u.describeCards(err), true)
}

// issue makes n cards pre-credited with opening. Everything that could stop their faces
// from being drawn is checked first, so that no card is issued for nothing.
func (p *cardsPage) issue(ctx context.Context, n int, opening int64) ([]cards.Face, error) {
	text := p.faceOpening(p.openingDelta(opening))
	if _, err := p.d.cardFaces(nil, text); err != nil {
		return nil, err
	}
	codes, err := p.d.u.store.IssueCards(ctx, n, opening, p.d.origin())
	if err != nil {
		return nil, err
	}
	return p.d.cardFaces(codes, text)
}

// onPrint issues the batch and sends it to the printer. The cards are issued first: if
// printing fails they stay issued and listed, and the PDF can be saved or printed again.
func (p *cardsPage) onPrint() {
	n, opening, err := p.order()
	if err != nil {
		p.say(p.d.u.describeCards(err), true)
		return
	}
	p.d.printSheets(p.selectedPaper(), true, func(ctx context.Context) ([]cards.Face, error) {
		return p.issue(ctx, n, opening)
	}, p.issued)
}

// issued shows that n new cards exist, whatever happens to their printing.
func (p *cardsPage) issued(n int) {
	p.loadBatches()
	p.say(p.d.u.lang.T("cards.issued", p.d.u.lang.Number(int64(n))), false)
}

// onSave issues the batch and saves it as a PDF, once the owner has chosen where.
func (p *cardsPage) onSave() {
	n, opening, err := p.order()
	if err != nil {
		p.say(p.d.u.describeCards(err), true)
		return
	}
	paper := p.selectedPaper()
	name := fmt.Sprintf("cards-%s.pdf", p.d.u.store.Now().Format("2006-01-02-1504"))
	p.d.saveFile(name, func(w io.Writer) error {
		faces, err := p.issue(p.d.ctx, n, opening)
		if err != nil {
			return err
		}
		p.d.u.do(func() { p.issued(len(faces)) })
		return sheet.WritePDF(w, paper, faces)
	})
}

func (p *cardsPage) selectedPaper() sheet.Paper {
	paper, err := sheet.PaperByName(p.paper.Selected)
	if err != nil {
		return sheet.A4
	}
	return paper
}

func (p *cardsPage) loadBatches() {
	batches, err := p.d.u.store.CardBatches(p.d.u.context())
	if err != nil {
		p.d.fail(err)
		return
	}
	p.batches = batches
	p.none.Hidden = len(batches) > 0
	p.none.Refresh()
	p.list.Refresh()
}

// framed sets a card image on a tinted surface, so that its white edges show.
func framed(img *canvas.Image) fyne.CanvasObject {
	bg := canvas.NewRectangle(themeColor(theme.ColorNameBackground))
	bg.CornerRadius = 8
	return container.NewStack(bg, container.NewPadded(container.NewPadded(img)))
}

func (p *cardsPage) newBatchRow() fyne.CanvasObject {
	l := p.d.u.lang
	when := widget.NewLabel("")
	when.TextStyle.Bold = true
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	buttons := container.NewHBox(
		widget.NewButtonWithIcon(l.T("cards.reprint"), theme.DocumentPrintIcon(), nil),
		widget.NewButtonWithIcon("PDF", theme.DocumentSaveIcon(), nil),
		widget.NewButtonWithIcon(l.T("cards.receipt_short"), theme.DocumentPrintIcon(), nil),
		widget.NewButtonWithIcon("CSV", theme.DownloadIcon(), nil),
	)
	return container.NewBorder(nil, nil, nil, container.NewCenter(buttons), container.NewVBox(when, what))
}

func (p *cardsPage) updateBatchRow(i widget.ListItemID, o fyne.CanvasObject) {
	l := p.d.u.lang
	b := p.batches[i]
	row := o.(*fyne.Container)
	info := row.Objects[0].(*fyne.Container).Objects
	buttons := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects
	what := l.T("cards.batch_count", l.Number(int64(b.Count)))
	if b.Count == 1 {
		what = l.T("cards.batch_one")
	}
	if amount := p.openingAmount(b.Opening); amount != "" {
		what += "  ·  " + l.T("cards.batch_opening", amount)
	}
	info[0].(*widget.Label).SetText(p.d.u.lang.DateTime(b.IssuedAt))
	info[1].(*widget.Label).SetText(what)
	buttons[0].(*widget.Button).OnTapped = func() { p.onReprint(b, false) }
	buttons[1].(*widget.Button).OnTapped = func() { p.onReprint(b, true) }
	buttons[2].(*widget.Button).OnTapped = func() {
		if faces, ok := p.batchFaces(b); ok {
			p.d.printReceipt(faces)
		}
	}
	buttons[3].(*widget.Button).OnTapped = func() { p.onExport(b) }
}

// openingDelta is what an opening balance typed in gives each card.
func (p *cardsPage) openingDelta(opening int64) loyalty.Delta {
	if p.program.OpeningInCashback() {
		return loyalty.Delta{Cashback: loyalty.Money(opening)}
	}
	return loyalty.Delta{Points: opening}
}

// faceOpening is what a card pre-credited with d says about it; empty for nothing.
func (p *cardsPage) faceOpening(d loyalty.Delta) string {
	if amount := p.openingAmount(d); amount != "" {
		return p.d.u.lang.T("cards.face_opening", amount)
	}
	return ""
}

// openingAmount writes what each card of a batch was pre-credited with: "50 points" or
// "€5.00"; empty for nothing.
func (p *cardsPage) openingAmount(d loyalty.Delta) string {
	l := p.d.u.lang
	switch {
	case d.Points > 0:
		return l.T("cards.points", l.Number(d.Points))
	case d.Cashback > 0:
		return l.Money(d.Cashback, p.program.Currency)
	}
	return ""
}

// batchFaces returns the faces of b's cards that can still be used; replaced and blocked
// cards are left out of a reprint.
func (p *cardsPage) batchFaces(b localdb.CardBatch) ([]cards.Face, bool) {
	list, err := p.d.u.store.BatchCards(p.d.u.context(), b.ID)
	if err != nil {
		p.d.fail(err)
		return nil, false
	}
	var codes []cards.Code
	for _, c := range list {
		if c.Status == loyalty.CardActive {
			codes = append(codes, cards.Code(c.Code))
		}
	}
	if len(codes) == 0 {
		p.d.failCards(errNoCardToPrint)
		return nil, false
	}
	faces, err := p.d.cardFaces(codes, p.faceOpening(b.Opening))
	if err != nil {
		p.d.failCards(err)
		return nil, false
	}
	return faces, true
}

// onReprint prints b again, or saves it as a PDF.
func (p *cardsPage) onReprint(b localdb.CardBatch, save bool) {
	faces, ok := p.batchFaces(b)
	if !ok {
		return
	}
	paper := p.selectedPaper()
	if !save {
		p.d.reprint(faces, paper)
		return
	}
	p.d.saveFile(fmt.Sprintf("cards-%s.pdf", b.IssuedAt.Local().Format("2006-01-02-1504")), func(w io.Writer) error {
		return sheet.WritePDF(w, paper, faces)
	})
}

// onExport saves the codes of b as CSV, with each card's page address and status.
func (p *cardsPage) onExport(b localdb.CardBatch) {
	list, err := p.d.u.store.BatchCards(p.d.u.context(), b.ID)
	if err != nil {
		p.d.fail(err)
		return
	}
	shop, err := p.d.u.store.Shop(p.d.u.context())
	if err != nil {
		p.d.fail(err)
		return
	}
	p.d.saveFile(fmt.Sprintf("cards-%s.csv", b.IssuedAt.Local().Format("2006-01-02-1504")), func(w io.Writer) error {
		return writeBatchCSV(w, list, shop.CloudURL)
	})
}

// writeBatchCSV writes one line per card: code, QR content, status, issue time.
func writeBatchCSV(w io.Writer, list []loyalty.Card, baseURL string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"code", "qr", "status", "issued_at"}); err != nil {
		return err
	}
	for _, c := range list {
		code := cards.Code(c.Code)
		if err := cw.Write([]string{code.String(), cards.Payload(baseURL, code), string(c.Status),
			c.IssuedAt.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// receiptCard holds the settings of this device's receipt printer.
func (p *cardsPage) receiptCard() fyne.CanvasObject {
	l := p.d.u.lang
	p.target = widget.NewEntry()
	p.target.SetPlaceHolder("192.168.1.50:9100  /  /dev/usb/lp0")
	p.width = widget.NewSelect([]string{"58 mm", "80 mm"}, nil)
	p.raster = widget.NewCheck(l.T("cards.receipt_raster"), nil)
	p.slips = widget.NewCheck(l.T("slip.setting"), nil)
	rp, err := p.d.u.store.ReceiptPrinter(p.d.u.context())
	switch {
	case err == nil:
		p.target.SetText(rp.Target)
		p.width.SetSelected(fmt.Sprintf("%d mm", rp.Paper))
		p.raster.SetChecked(rp.Raster)
		p.slips.SetChecked(rp.Slips)
	case errors.Is(err, localdb.ErrNotFound):
		p.width.SetSelected("80 mm")
	default:
		p.d.fail(err)
	}
	save := widget.NewButtonWithIcon(l.T("settings.save"), theme.DocumentSaveIcon(), p.onSaveReceipt)
	form := widget.NewForm(
		widget.NewFormItem(l.T("cards.receipt_target"), p.target),
		widget.NewFormItem(l.T("cards.paper"), container.NewBorder(nil, nil, p.width, nil)),
		widget.NewFormItem("", p.raster),
		widget.NewFormItem("", p.slips),
	)
	return section(l.T("cards.receipt_title"), container.NewVBox(form, container.NewHBox(layout.NewSpacer(), save)))
}

func (p *cardsPage) onSaveReceipt() {
	paper, _ := strconv.Atoi(strings.TrimSuffix(p.width.Selected, " mm"))
	rp := localdb.ReceiptPrinter{Target: p.target.Text, Paper: paper, Raster: p.raster.Checked, Slips: p.slips.Checked}
	if err := p.d.u.store.SaveReceiptPrinter(p.d.u.context(), rp); err != nil {
		p.d.failCards(err)
		return
	}
	p.d.done(p.d.u.lang.T("cards.receipt_saved"))
}

// cardFaces returns the faces of the shop's cards with codes, each saying opening. With
// no codes it checks that the shop's cards can be drawn at all.
func (d *desk) cardFaces(codes []cards.Code, opening string) ([]cards.Face, error) {
	shop, err := d.u.store.Shop(d.u.context())
	if err != nil {
		return nil, err
	}
	if len(codes) == 0 {
		sample, err := cards.NewCode()
		if err != nil {
			return nil, err
		}
		f, err := shop.CardFace(sample)
		if err != nil {
			return nil, err
		}
		return nil, f.Validate()
	}
	faces := make([]cards.Face, len(codes))
	for i, c := range codes {
		if faces[i], err = shop.CardFace(c); err != nil {
			return nil, err
		}
		faces[i].Opening = opening
	}
	return faces, nil
}

// working runs work on a goroutine behind a progress dialog titled msg, then done with
// its error on the UI thread. Closing the desk cancels ctx.
func (d *desk) working(msg string, work func(ctx context.Context) error, done func(error)) {
	progress := dialog.NewCustomWithoutButtons(msg, widget.NewProgressBarInfinite(), d.win)
	progress.Show()
	d.background(func() {
		err := work(d.ctx)
		d.u.do(func() {
			progress.Hide()
			done(err)
		})
	})
}

// printSheets lays out the faces that load returns on sheets of paper and sends them to
// the default printer through the system's print service, all on a goroutine. newCards
// says that load issues the cards, which a failure must say: they exist whether or not
// they print. issued, if not nil, runs on the UI thread once they do.
func (d *desk) printSheets(paper sheet.Paper, newCards bool, load func(context.Context) ([]cards.Face, error), issued func(n int)) {
	l := d.u.lang
	var n int
	var pdf bytes.Buffer
	var job string
	d.working(l.T("cards.printing"), func(ctx context.Context) error {
		faces, err := load(ctx)
		if err != nil {
			return err
		}
		n = len(faces)
		if err := sheet.WritePDF(&pdf, paper, faces); err != nil {
			pdf.Reset()
			return err
		}
		f, err := os.CreateTemp("", "merci-cards-*.pdf")
		if err != nil {
			return fmt.Errorf("save the cards for printing: %w", err)
		}
		defer os.Remove(f.Name()) // lp has copied it into its queue when it returns
		_, werr := f.Write(pdf.Bytes())
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("save the cards for printing: %w", werr)
		}
		job, err = osprint.PrintPDF(ctx, "", f.Name(), l.T("cards.job_title"))
		return err
	}, func(err error) {
		if n > 0 && issued != nil {
			issued(n)
		}
		switch {
		case err == nil && job != "":
			d.done(l.T("cards.printed", l.Number(int64(n))) + " " + l.T("cards.job", job))
		case err == nil:
			d.done(l.T("cards.printed", l.Number(int64(n))))
		case pdf.Len() > 0:
			d.printFailed(n, newCards, pdf.Bytes(), err)
		case n > 0 && newCards:
			d.failCards(fmt.Errorf("%s: %w", d.stillIssued(n), err))
		default:
			d.failCards(err)
		}
	})
}

// reprint prints faces of cards issued before.
func (d *desk) reprint(faces []cards.Face, paper sheet.Paper) {
	d.printSheets(paper, false, func(context.Context) ([]cards.Face, error) { return faces, nil }, nil)
}

// stillIssued says that n new cards exist although they did not print.
func (d *desk) stillIssued(n int) string {
	if n == 1 {
		return d.u.lang.T("cards.still_issued_one")
	}
	return d.u.lang.T("cards.still_issued", d.u.lang.Number(int64(n)))
}

// printFailed says why the sheets did not print, that the cards stay issued, and offers
// to save them as a PDF to print elsewhere.
func (d *desk) printFailed(n int, newCards bool, pdf []byte, err error) {
	l := d.u.lang
	msg := d.u.describeCards(err)
	if newCards {
		msg = d.stillIssued(n) + "\n\n" + msg
	}
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	var dlg *dialog.CustomDialog
	save := widget.NewButtonWithIcon(l.T("cards.save_pdf"), theme.DocumentSaveIcon(), func() {
		dlg.Hide()
		d.saveFile(fmt.Sprintf("cards-%s.pdf", d.u.store.Now().Format("2006-01-02-1504")), func(w io.Writer) error {
			_, err := w.Write(pdf)
			return err
		})
	})
	save.Importance = widget.HighImportance
	dlg = dialog.NewCustomWithoutButtons(l.T("cards.print_failed"), text, d.win)
	dlg.SetButtons([]fyne.CanvasObject{widget.NewButton(l.T("cards.close"), func() { dlg.Hide() }), save})
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

// printReceipt prints faces on this device's receipt printer, one ticket each.
func (d *desk) printReceipt(faces []cards.Face) {
	l := d.u.lang
	rp, err := d.u.store.ReceiptPrinter(d.u.context())
	if errors.Is(err, localdb.ErrNotFound) {
		err = errNoReceiptPrinter
	}
	if err != nil {
		d.failCards(err)
		return
	}
	o := escpos.Options{Width: escpos.Width80, Raster: rp.Raster}
	if rp.Paper == 58 {
		o.Width = escpos.Width58
	}
	d.working(l.T("cards.printing"), func(ctx context.Context) error {
		var job []byte
		for _, f := range faces {
			b, err := escpos.Card(f, o)
			if err != nil {
				return err
			}
			job = append(job, b...)
		}
		return escpos.Send(ctx, rp.Target, job)
	}, func(err error) {
		if err != nil {
			d.failCards(err)
			return
		}
		d.done(l.T("cards.printed_receipt", rp.Target, l.Number(int64(len(faces)))))
	})
}

// failCards tells the owner why cards could not be issued or printed.
func (d *desk) failCards(err error) {
	dialog.ShowInformation(d.u.lang.T("cards.print_failed"), d.u.describeCards(err), d.win)
}

// reprintCard shows the card with code and offers to print it again: on a sheet, on the
// receipt printer, or saved as a PDF or an image.
func (d *desk) reprintCard(code cards.Code) {
	l := d.u.lang
	faces, err := d.cardFaces([]cards.Code{code}, "")
	if err != nil {
		d.failCards(err)
		return
	}
	img, err := sheet.Image(faces[0], previewDPI)
	if err != nil {
		d.failCards(err)
		return
	}
	preview := canvas.NewImageFromImage(img)
	preview.FillMode = canvas.ImageFillContain
	preview.SetMinSize(fyne.NewSize(sheet.CardWidth*4, sheet.CardHeight*4))
	paper, err := sheet.PaperByName(d.u.app.Preferences().StringWithFallback(prefCardPaper, sheet.A4.Name))
	if err != nil {
		paper = sheet.A4
	}
	var dlg *dialog.CustomDialog
	act := func(f func()) func() {
		return func() {
			dlg.Hide()
			f()
		}
	}
	name := "card-" + code.String()
	buttons := container.NewGridWithColumns(2,
		widget.NewButtonWithIcon(l.T("cards.print_sheet"), theme.DocumentPrintIcon(), act(func() { d.reprint(faces, paper) })),
		widget.NewButtonWithIcon(l.T("cards.receipt"), theme.DocumentPrintIcon(), act(func() { d.printReceipt(faces) })),
		widget.NewButtonWithIcon(l.T("cards.save_pdf"), theme.DocumentSaveIcon(), act(func() {
			d.saveFile(name+".pdf", func(w io.Writer) error { return sheet.WritePDF(w, paper, faces) })
		})),
		widget.NewButtonWithIcon(l.T("cards.save_png"), theme.FileImageIcon(), act(func() {
			d.saveFile(name+".png", func(w io.Writer) error { return sheet.WritePNG(w, faces[0], 300) })
		})),
	)
	dlg = dialog.NewCustom(l.T("cards.reprint_title", code.String()), l.T("cards.close"), container.NewVBox(framed(preview), buttons), d.win)
	dlg.Show()
}

// describeCards explains what went wrong while issuing or printing cards, in plain words,
// with the print system's own message below for whoever sets the printer up.
func (u *UI) describeCards(err error) string {
	l := u.lang
	if key, ok := lookupMessage(printErrors, err); ok {
		return l.T(key) + "\n\n" + l.T("cards.details", err.Error())
	}
	switch {
	case errors.Is(err, errCardCount):
		return l.T("cards.err_count", l.Number(localdb.MaxCardBatch))
	case errors.Is(err, errNoReceiptPrinter):
		return l.T("cards.err_no_receipt_printer")
	case errors.Is(err, errNoCardToPrint):
		return l.T("cards.err_nothing_to_print")
	case errors.Is(err, localdb.ErrBadPrinter):
		return l.T("cards.err_bad_printer")
	}
	return u.describe(err)
}
