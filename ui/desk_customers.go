package ui

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/transfer"
)

// customersPage lists customers in a sortable, searchable table, with the selected
// customer's account, actions and operations beside it.
type customersPage struct {
	d        *desk
	search   *widget.Entry
	table    *widget.Table
	count    *widget.Label
	rows     []localdb.Account
	sortCol  int
	sortDesc bool
	selected *localdb.Account
	detail   *fyne.Container
	entries  []localdb.Entry
	program  loyalty.Program
}

// customerColumns are the table's columns: a code, a phone number and amounts keep
// their width, names and emails share the rest.
var customerColumns = []tableColumn{
	{"customers.col_name", 140, true}, {"customers.col_email", 170, true}, {"customers.col_phone", 150, false},
	{"customers.col_card", 148, false}, {"customers.col_points", 64, false}, {"customers.col_cashback", 86, false},
}

func (d *desk) customersPage() fyne.CanvasObject {
	p := &customersPage{d: d}
	var err error
	if p.program, err = d.u.program(); err != nil {
		d.fail(err)
	}
	return p.build()
}

func (p *customersPage) build() fyne.CanvasObject {
	l := p.d.u.lang
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(l.T("customers.search"))
	p.search.OnChanged = func(string) { p.load() }
	p.count = widget.NewLabel("")
	p.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(p.rows), len(customerColumns) },
		func() fyne.CanvasObject {
			lbl := widget.NewLabel("")
			lbl.Truncation = fyne.TextTruncateEllipsis
			return lbl
		},
		p.updateCell)
	p.table.ShowHeaderColumn = false
	p.table.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		return b
	}
	p.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		text := l.T(customerColumns[id.Col].key)
		if id.Col == p.sortCol {
			text += map[bool]string{false: " ▲", true: " ▼"}[p.sortDesc]
		}
		b.SetText(text)
		b.OnTapped = func() { p.sortBy(id.Col) }
	}
	p.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(p.rows) {
			p.showCustomer(p.rows[id.Row])
		}
	}
	export := widget.NewButtonWithIcon(l.T("customers.export"), theme.DownloadIcon(), func() { p.d.exportCustomers(transfer.XLSX) })
	top := container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), container.NewHBox(p.count, export), p.search)
	p.detail = container.NewStack()
	p.showNone()
	p.load()
	table := container.New(newFitColumns(p.table, 0, func() []tableColumn { return customerColumns }), p.table)
	split := container.NewHSplit(container.NewBorder(top, nil, nil, nil, card(table)), card(p.detail))
	split.SetOffset(0.72)
	if q := p.d.customerQuery; q != "" {
		p.d.customerQuery = ""
		p.search.SetText(q)
		if len(p.rows) == 1 {
			p.table.Select(widget.TableCellID{})
		}
	}
	return split
}

// openCustomer shows the Customers page searching for query: a card code opens that
// customer's account.
func (d *desk) openCustomer(query string) {
	i := slices.IndexFunc(d.pages, func(pg deskPage) bool { return pg.key == "owner.nav.customers" })
	d.customerQuery = query
	d.show(i)
}

func (p *customersPage) load() {
	rows, err := p.d.u.store.Customers(p.d.u.context(), p.search.Text)
	if err != nil {
		p.d.fail(err)
		return
	}
	p.rows = rows
	p.sort()
	p.count.SetText(p.d.u.lang.T("customers.count", p.d.u.lang.Number(int64(len(rows)))))
	p.table.UnselectAll()
	p.table.Refresh()
}

func (p *customersPage) sortBy(col int) {
	if col == p.sortCol {
		p.sortDesc = !p.sortDesc
	} else {
		p.sortCol, p.sortDesc = col, col >= 4 // numbers: biggest first
	}
	p.sort()
	p.table.Refresh()
}

func (p *customersPage) sort() {
	key := func(a localdb.Account) string {
		switch p.sortCol {
		case 1:
			return strings.ToLower(a.Customer.Email)
		case 2:
			return a.Customer.Phone
		case 3:
			return a.Card.Code
		}
		return strings.ToLower(a.Customer.Name)
	}
	slices.SortStableFunc(p.rows, func(a, b localdb.Account) int {
		var c int
		switch p.sortCol {
		case 4:
			c = cmp.Compare(a.Balance.Points, b.Balance.Points)
		case 5:
			c = cmp.Compare(a.Balance.Cashback, b.Balance.Cashback)
		default:
			c = cmp.Compare(key(a), key(b))
		}
		if p.sortDesc {
			return -c
		}
		return c
	})
}

func (p *customersPage) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := p.d.u.lang
	lbl := o.(*widget.Label)
	a := p.rows[id.Row]
	lbl.Alignment = fyne.TextAlignLeading
	switch id.Col {
	case 0:
		lbl.SetText(cmp.Or(a.Customer.Name, l.T("customers.no_name")))
	case 1:
		lbl.SetText(a.Customer.Email)
	case 2:
		lbl.SetText(a.Customer.Phone)
	case 3:
		lbl.SetText(a.Code().String())
	case 4:
		lbl.Alignment = fyne.TextAlignTrailing
		lbl.SetText(l.Number(a.Balance.Points))
	case 5:
		lbl.Alignment = fyne.TextAlignTrailing
		lbl.SetText(l.Money(a.Balance.Cashback, p.program.Currency))
	}
}

func (p *customersPage) showNone() {
	hint := widget.NewLabel(p.d.u.lang.T("customers.pick"))
	p.detail.Objects = []fyne.CanvasObject{container.NewCenter(hint)}
	p.detail.Refresh()
	p.selected = nil
}

// origin is who makes the owner's operations: the owner, on this device, now.
func (d *desk) origin() loyalty.Origin {
	return loyalty.Origin{Device: d.u.store.Device(), Staff: d.owner.ID, At: d.u.store.Now()}
}

func (p *customersPage) showCustomer(a localdb.Account) {
	l := p.d.u.lang
	p.selected = &a
	entries, err := p.d.u.store.Entries(p.d.u.context(), time.Time{}, a.Customer.ID, 1000)
	if err != nil {
		p.d.fail(err)
		return
	}
	p.entries = entries
	name := bigText(24, true, theme.ColorNameForeground)
	name.Text = cmp.Or(a.Customer.Name, l.T("customers.no_name"))
	var facts []string
	for _, s := range []string{a.Customer.Email, a.Customer.Phone, a.Customer.Company, a.Customer.TaxID} {
		if s != "" {
			facts = append(facts, s)
		}
	}
	if a.Customer.Consent {
		facts = append(facts, l.T("customers.consents"))
	}
	if b := loyalty.FormatBirthday(a.Customer.BirthDay, a.Customer.BirthMonth); b != "" {
		facts = append(facts, l.T("customers.birthday", b))
	}
	if a.Customer.ReferredBy != "" {
		facts = append(facts, l.T("customers.referred_by", cards.Code(a.Customer.ReferredBy).String()))
	}
	factsLbl := widget.NewLabel(strings.Join(facts, "  ·  "))
	factsLbl.Wrapping = fyne.TextWrapWord
	status := l.T("card.status." + string(a.Card.Status))
	cardLbl := widget.NewLabel(l.T("customers.card_line", a.Code().String(), status, l.Date(a.Card.IssuedAt)))
	tier := ""
	if cur, _ := p.program.TierFor(a.Balance.XP); cur != nil {
		tier = cur.Name
	}
	stat := func(title, value string) fyne.CanvasObject {
		v := bigText(22, true, theme.ColorNamePrimary)
		v.Text = value
		return container.NewVBox(caption(strings.ToUpper(title)), v)
	}
	balance := container.NewGridWithColumns(3,
		stat(l.T("counter.points"), l.Number(a.Balance.Points)),
		stat(l.T("counter.cashback"), l.Money(a.Balance.Cashback, p.program.Currency)),
		stat(l.T("customers.xp"), l.Number(a.Balance.XP)+" "+tier))

	edit := widget.NewButtonWithIcon(l.T("customers.edit"), theme.DocumentCreateIcon(), p.onEdit)
	adjust := widget.NewButtonWithIcon(l.T("customers.adjust"), theme.ContentAddIcon(), p.onAdjust)
	blockText, blockIcon := l.T("customers.block"), theme.CancelIcon()
	if a.Card.Status == loyalty.CardBlocked {
		blockText, blockIcon = l.T("customers.unblock"), theme.ConfirmIcon()
	}
	block := widget.NewButtonWithIcon(blockText, blockIcon, p.onBlock)
	replace := widget.NewButtonWithIcon(l.T("customers.replace"), theme.ViewRefreshIcon(), p.onReplace)
	export := widget.NewButtonWithIcon(l.T("customers.export_one"), theme.DownloadIcon(), p.onExportOne)
	reprint := widget.NewButtonWithIcon(l.T("customers.reprint"), theme.DocumentPrintIcon(), func() { p.d.reprintCard(a.Code()) })
	erase := widget.NewButtonWithIcon(l.T("customers.erase"), theme.DeleteIcon(), p.onErase)
	erase.Importance = widget.DangerImportance
	actions := container.NewGridWithColumns(3, edit, adjust, block, replace, reprint, export, erase)
	send, why := p.d.u.sendCardButton(a, p.d.owner.ID, func(to string) { p.d.done(l.T("sendcard.sent", to)) }, p.d.fail)
	sendRow := container.NewVBox(send)
	if why != nil {
		sendRow.Add(why)
	}

	refund := widget.NewButtonWithIcon(l.T("customers.refund"), theme.ContentUndoIcon(), nil)
	refund.Disable()
	cancelOp := widget.NewButtonWithIcon(l.T("customers.cancel_op"), theme.CancelIcon(), nil)
	cancelOp.Disable()
	ops := widget.NewList(func() int { return len(p.entries) }, newOpRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		p.d.u.updateOpRow(p.entries[i], o)
	})
	ops.OnSelected = func(i widget.ListItemID) {
		e := p.entries[i]
		refund.OnTapped = func() { p.onRefund(e.Operation) }
		if e.Kind == loyalty.KindCredit && !e.Voided {
			refund.Enable()
		} else {
			refund.Disable()
		}
		cancelOp.OnTapped = func() { p.onCancelOp(e) }
		if e.Kind != loyalty.KindVoid && !e.Voided {
			cancelOp.Enable()
		} else {
			cancelOp.Disable()
		}
	}
	opsHead := container.NewBorder(nil, nil, caption(strings.ToUpper(l.T("customers.operations"))), container.NewHBox(cancelOp, refund))
	head := container.NewVBox(name, factsLbl, cardLbl, widget.NewSeparator(), balance, actions, sendRow, widget.NewSeparator(), opsHead)
	p.detail.Objects = []fyne.CanvasObject{container.NewBorder(head, nil, nil, nil, ops)}
	p.detail.Refresh()
}

// newOpRow and updateOpRow draw an operation in a list: when, what, and the points.
func newOpRow() fyne.CanvasObject {
	when := widget.NewLabel("2006-01-02 15:04")
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	delta := widget.NewLabel("")
	delta.TextStyle.Bold = true
	return container.NewBorder(nil, nil, when, delta, what)
}

func (u *UI) updateOpRow(e localdb.Entry, o fyne.CanvasObject) {
	row := o.(*fyne.Container)
	what, when, delta := row.Objects[0].(*widget.Label), row.Objects[1].(*widget.Label), row.Objects[2].(*widget.Label)
	when.SetText(u.lang.DateTime(e.At))
	what.SetText(u.describeEntry(e))
	moved := signed(u.lang.Number(e.Delta.Points), e.Delta.Points) + " " + u.lang.T("counter.pts")
	if c := e.Delta.Cashback; c != 0 && e.Currency != "" {
		money := signed(u.lang.Money(c, e.Currency), int64(c))
		if e.Delta.Points == 0 {
			moved = money
		} else {
			moved += " · " + money
		}
	}
	delta.SetText(moved)
}

// after reloads the list and shows the selected customer again, after a change.
func (p *customersPage) after(code cards.Code) {
	p.load()
	a, err := p.d.u.store.AccountByCode(p.d.u.context(), code)
	if err != nil {
		p.d.fail(err)
		return
	}
	p.showCustomer(a)
}

func (p *customersPage) onEdit() {
	l := p.d.u.lang
	a := *p.selected
	f := p.d.u.newCustomerForm(a.Customer)
	dlg := dialog.NewForm(l.T("customers.edit"), l.T("settings.save"), l.T("settings.cancel"), f.items(p.d.u), func(ok bool) {
		if !ok {
			return
		}
		if err := p.d.u.store.SaveCustomer(p.d.u.context(), f.customer(a.Customer)); err != nil {
			p.d.fail(err)
			return
		}
		p.after(a.Code())
	}, p.d.win)
	dlg.Resize(fyne.NewSize(520, 0))
	dlg.Show()
}

// record makes an owner's operation on the selected customer's card. The owner acts
// remotely, so a card blocked at the counter does not stop a correction.
func (p *customersPage) record(build func(o loyalty.Origin, a localdb.Account) (loyalty.Operation, error)) {
	a := *p.selected
	o := p.d.origin()
	_, _, err := p.d.u.store.Record(p.d.u.context(), a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		a.Card.Status = loyalty.CardActive
		return build(o, a)
	})
	if err != nil {
		p.d.fail(err)
		return
	}
	p.after(a.Code())
}

func (p *customersPage) onRefund(purchase loyalty.Operation) {
	l := p.d.u.lang
	ctx := p.d.u.context()
	refunded, err := p.d.u.store.Refunded(ctx, purchase.ID)
	if err != nil {
		p.d.fail(err)
		return
	}
	amount := widget.NewEntry()
	amount.SetText(p.d.u.lang.PlainAmount(purchase.Amount-refunded, purchase.Currency))
	msg := l.T("customers.refund_of", p.d.u.lang.Money(purchase.Amount, purchase.Currency), p.d.u.lang.DateTime(purchase.At))
	items := []*widget.FormItem{
		widget.NewFormItem("", widget.NewLabel(msg)),
		widget.NewFormItem(l.T("customers.refund_amount"), amount),
	}
	dialog.ShowForm(l.T("customers.refund"), l.T("customers.apply"), l.T("settings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		m, err := loyalty.ParseAmount(amount.Text, purchase.Currency)
		if err != nil {
			p.d.fail(err)
			return
		}
		p.record(func(o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
			// Read again inside the write transaction: a refund made meanwhile counts.
			refunded, err := p.d.u.store.Refunded(ctx, purchase.ID)
			if err != nil {
				return loyalty.Operation{}, err
			}
			return loyalty.Refund(o, a.Card, a.Balance, purchase, m, refunded)
		})
	}, p.d.win)
}

func (p *customersPage) onBlock() {
	a := *p.selected
	if err := p.d.u.store.BlockCard(p.d.u.context(), a.Code(), a.Card.Status != loyalty.CardBlocked); err != nil {
		p.d.fail(err)
		return
	}
	p.after(a.Code())
}

func (p *customersPage) onReplace() {
	l := p.d.u.lang
	a := *p.selected
	dialog.ShowConfirm(l.T("customers.replace"), l.T("customers.replace_confirm", a.Code().String()), func(ok bool) {
		if !ok {
			return
		}
		card, err := p.d.u.store.ReplaceCard(p.d.u.context(), a.Code())
		if err != nil {
			p.d.fail(err)
			return
		}
		p.after(cards.Code(card.Code))
		p.d.done(l.T("customers.replaced", cards.Code(card.Code).String()))
	}, p.d.win)
}

func (p *customersPage) onExportOne() {
	a := *p.selected
	data, err := p.d.u.store.Customer(p.d.u.context(), a.Customer.ID)
	if err != nil {
		p.d.fail(err)
		return
	}
	body, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		p.d.fail(fmt.Errorf("encode customer data: %w", err))
		return
	}
	p.d.saveFile("customer-"+a.Code().String()+".json", func(w io.Writer) error {
		_, err := w.Write(body)
		return err
	})
}

func (p *customersPage) onErase() {
	l := p.d.u.lang
	a := *p.selected
	dialog.ShowConfirm(l.T("customers.erase"), l.T("customers.erase_confirm", cmp.Or(a.Customer.Name, a.Code().String())), func(ok bool) {
		if !ok {
			return
		}
		if err := p.d.u.store.EraseCustomer(p.d.u.context(), a.Customer.ID); err != nil {
			p.d.fail(err)
			return
		}
		p.after(a.Code())
	}, p.d.win)
}

// saveFile asks where to save name, then writes it with write on a goroutine, with a
// progress dialog: a big export takes seconds.
func (d *desk) saveFile(name string, write func(io.Writer) error) {
	dlg := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			d.fail(err)
			return
		}
		if w == nil {
			return // cancelled
		}
		d.writeFile(name, w, write)
	}, d.win)
	dlg.SetFileName(name)
	dlg.Resize(fyne.NewSize(900, 600))
	dlg.Show()
}

// writeFile writes a file the owner chose, on a goroutine, and says where it went. A
// file not written whole (the desk closed, the disk filled) is removed.
func (d *desk) writeFile(name string, w fyne.URIWriteCloser, write func(io.Writer) error) {
	l := d.u.lang
	progress := dialog.NewCustomWithoutButtons(l.T("owner.saving", name), widget.NewProgressBarInfinite(), d.win)
	progress.Show()
	d.background(func() {
		werr := write(w)
		if cerr := w.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			// Half a file (the desk closed, the disk filled) must not pass for an export.
			if derr := storage.Delete(w.URI()); derr != nil {
				d.u.log.Warn("remove a partial export", "file", w.URI().Path(), "err", derr)
			}
		}
		if d.ctx.Err() != nil {
			return // the desk was closed, which cancelled the export: nobody to tell
		}
		d.u.do(func() {
			progress.Hide()
			if werr != nil {
				d.fail(fmt.Errorf("save %s: %w", name, werr))
				return
			}
			d.done(l.T("owner.saved_file", w.URI().Path()))
		})
	})
}
