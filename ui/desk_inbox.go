package ui

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// inboxTabs are the inbox's views: a status, or "" for every answer.
var inboxTabs = []nps.Status{nps.Untreated, nps.InProgress, ""}

// inboxPage is the answers inbox: the customers' NPS answers of a period by status, and
// the selected answer with its customer, history and follow-ups.
type inboxPage struct {
	d        *desk
	tab      nps.Status
	tabs     []*widget.Button
	period   *periodPicker // the dashboard's: every tab shows its answers
	search   *widget.Entry
	who      *widget.Select // whose answers: everyone's, mine, nobody's or a staff member's
	staff    []localdb.Staff
	list     *widget.List
	items    []nps.Response
	names    map[string]string // customer id -> name, for the list
	selected *nps.Response
	detail   *fyne.Container
	moving   bool // the list's selection follows a reload: nothing to open
}

func (d *desk) answersPage() fyne.CanvasObject {
	p := &inboxPage{d: d, tab: nps.Untreated, names: map[string]string{}}
	return p.build()
}

func (p *inboxPage) build() fyne.CanvasObject {
	l := p.d.u.lang
	var err error
	if p.staff, err = p.d.u.store.ListStaff(p.d.u.context()); err != nil {
		p.d.fail(err)
	}
	bar := container.NewHBox()
	for _, t := range inboxTabs {
		b := widget.NewButton(p.tabTitle(t, nil), func() { p.showTab(t) })
		p.tabs = append(p.tabs, b)
		bar.Add(b)
	}
	p.list = widget.NewList(func() int { return len(p.items) }, p.newRow, p.updateRow)
	p.list.OnSelected = func(i widget.ListItemID) {
		if !p.moving {
			p.open(p.items[i].ID)
		}
	}
	p.detail = container.NewStack()
	p.period = p.d.u.newPeriodPicker(func() { p.showTab(p.tab) })
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(l.T("inbox.search"))
	p.search.OnChanged = func(string) { p.showTab(p.tab) }
	p.who = widget.NewSelect(p.whoNames(), func(string) { p.showTab(p.tab) })
	p.who.Selected = p.whoNames()[0]
	filters := container.NewBorder(nil, nil, p.period.widget(), container.NewHBox(p.who, p.exportButton()), p.search)
	p.showTab(nps.Untreated)
	p.d.every(20*time.Second, p.poll)
	split := container.NewHSplit(container.NewBorder(bar, nil, nil, nil, card(p.list)), card(p.detail))
	split.SetOffset(0.42)
	return container.NewBorder(filters, nil, nil, nil, split)
}

// whoNames are the choices of whose answers to show: everyone's, the signed-in staff
// member's, nobody's, then each staff member's.
func (p *inboxPage) whoNames() []string {
	l := p.d.u.lang
	names := []string{l.T("inbox.who.everyone"), l.T("inbox.who.mine"), l.T("inbox.who.nobody")}
	for _, st := range p.staff {
		names = append(names, st.Name)
	}
	return names
}

// filter is what the page shows: the tab's status in the period, of whom the owner chose,
// matching the search.
func (p *inboxPage) filter() localdb.ResponseFilter {
	f := localdb.ResponseFilter{Status: p.tab, Search: p.search.Text}
	f.From, f.To = p.period.bounds()
	switch i := p.who.SelectedIndex(); {
	case i == 1:
		f.Assignee = p.d.owner.ID
	case i == 2:
		f.Assignee = localdb.Unassigned
	case i > 2:
		f.Assignee = p.staff[i-3].ID
	}
	return f
}

// tabTitle is tab t's name with how many answers it holds, once counted.
func (p *inboxPage) tabTitle(t nps.Status, counts map[nps.Status]int) string {
	l := p.d.u.lang
	var name string
	n := 0
	switch t {
	case nps.Untreated:
		name, n = l.T("inbox.tab.untreated"), counts[nps.Untreated]
	case nps.InProgress:
		name, n = l.T("inbox.tab.in_progress"), counts[nps.InProgress]
	default:
		name = l.T("inbox.tab.all")
		for _, c := range counts {
			n += c
		}
	}
	if counts == nil {
		return name
	}
	return l.T("inbox.tab_count", name, n)
}

func (p *inboxPage) showTab(t nps.Status) {
	p.tab = t
	for i, b := range p.tabs {
		b.Importance = widget.MediumImportance
		if inboxTabs[i] == t {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	p.reload()
	p.list.UnselectAll()
	p.showNone()
}

// reload reads the tab's answers and the tabs' counts again, keeping the selection's
// detail as it is.
func (p *inboxPage) reload() {
	ctx := p.d.u.context()
	f := p.filter()
	items, err := p.d.u.answers.Inbox(ctx, f)
	if err != nil {
		p.d.fail(err)
		return
	}
	p.recount()
	p.items = items
	for _, r := range items {
		if _, ok := p.names[r.CustomerID]; !ok && r.CustomerID != "" {
			if c, err := p.d.u.store.Customer(ctx, r.CustomerID); err == nil {
				p.names[r.CustomerID] = c.Customer.Name
			}
		}
	}
	p.list.Refresh()
}

// recount shows on the tabs how many answers each holds.
func (p *inboxPage) recount() {
	counts, err := p.d.u.answers.Counts(p.d.u.context(), p.filter())
	if err != nil {
		p.d.fail(err)
		return
	}
	for i, t := range inboxTabs {
		p.tabs[i].SetText(p.tabTitle(t, counts))
	}
}

// poll reads the tab again for answers given since, keeping the answer on screen
// selected where it now is.
func (p *inboxPage) poll() {
	p.reload()
	if p.selected == nil {
		return
	}
	p.moving = true
	defer func() { p.moving = false }()
	for i, r := range p.items {
		if r.ID == p.selected.ID {
			p.list.Select(i)
			return
		}
	}
	p.list.UnselectAll() // it left this tab; its detail stays on screen
}

func (p *inboxPage) showNone() {
	l := p.d.u.lang
	text := l.T("inbox.pick")
	if len(p.items) == 0 {
		text = l.T("inbox.empty")
	}
	hint := widget.NewLabel(text)
	p.detail.Objects = []fyne.CanvasObject{container.NewCenter(hint)}
	p.detail.Refresh()
	p.selected = nil
}

// scoreBadge is a score in its group's colour, with the number, so colour is never the
// only cue.
func scoreBadge(score int, size float32) (*canvas.Rectangle, *canvas.Text) {
	c, _ := nps.CategoryOf(score)
	bg := canvas.NewRectangle(categoryColor(c))
	bg.CornerRadius = 6
	bg.SetMinSize(fyne.NewSize(size, size))
	t := canvas.NewText(fmt.Sprint(score), color.White)
	t.TextStyle.Bold = true
	t.TextSize = size * 0.5
	t.Alignment = fyne.TextAlignCenter
	return bg, t
}

func (p *inboxPage) newRow() fyne.CanvasObject {
	bg, num := scoreBadge(10, 40)
	who := widget.NewLabel("")
	who.TextStyle.Bold = true
	who.Truncation = fyne.TextTruncateEllipsis
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	when := widget.NewLabel("")
	return container.NewBorder(nil, nil, container.NewCenter(container.NewStack(bg, num)), when,
		container.NewVBox(who, what))
}

func (p *inboxPage) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	l := p.d.u.lang
	r := p.items[i]
	row := o.(*fyne.Container)
	texts := row.Objects[0].(*fyne.Container).Objects
	who, what := texts[0].(*widget.Label), texts[1].(*widget.Label)
	badge := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects
	when := row.Objects[2].(*widget.Label)
	c, _ := nps.CategoryOf(r.Score)
	badge[0].(*canvas.Rectangle).FillColor = categoryColor(c)
	badge[0].Refresh()
	badge[1].(*canvas.Text).Text = fmt.Sprint(r.Score)
	badge[1].Refresh()
	who.SetText(p.customerName(r))
	line := cmp.Or(r.Comment, l.T("inbox.no_comment")) + statusSuffix(l.T, r.Status, p.tab)
	if n := p.staffName(r.Assignee); n != "" {
		line += "  ·  → " + n
	}
	what.SetText(line)
	when.SetText(l.ShortDateTime(r.At))
}

// statusSuffix shows an answer's status in the "all" tab, where statuses mix.
func statusSuffix(t func(string, ...any) string, s nps.Status, tab nps.Status) string {
	if tab != "" {
		return ""
	}
	return "  ·  " + t("inbox.status."+string(s))
}

// staffName is the name of the staff member id, "" for nobody or someone removed.
func (p *inboxPage) staffName(id string) string {
	for _, st := range p.staff {
		if st.ID == id {
			return st.Name
		}
	}
	return ""
}

func (p *inboxPage) customerName(r nps.Response) string {
	l := p.d.u.lang
	if r.CustomerID == "" {
		return l.T("inbox.anonymous")
	}
	return cmp.Or(p.names[r.CustomerID], l.T("customers.no_name"))
}

// open shows the answer id; opening an untreated answer puts it in progress.
func (p *inboxPage) open(id string) {
	ctx := p.d.u.context()
	var r nps.Response
	for _, it := range p.items {
		if it.ID == id {
			r = it
		}
	}
	if next := r.Status.Open(); next != r.Status {
		var err error
		if r, err = p.d.u.answers.SetResponseStatus(ctx, id, next); err != nil {
			p.d.fail(err)
			return
		}
		p.replace(r)
	}
	p.showDetail(r)
}

// replace puts r's new state into the list, leaving it in place until the tab is
// reloaded so that the row the owner works on does not jump away.
func (p *inboxPage) replace(r nps.Response) {
	for i := range p.items {
		if p.items[i].ID == r.ID {
			p.items[i] = r
		}
	}
	p.list.Refresh()
	p.recount()
}

func (p *inboxPage) showDetail(r nps.Response) {
	l := p.d.u.lang
	ctx := p.d.u.context()
	p.selected = &r
	var customer *localdb.CustomerData
	if r.CustomerID != "" {
		if c, err := p.d.u.store.Customer(ctx, r.CustomerID); err == nil {
			customer = &c
		}
	}
	bg, num := scoreBadge(r.Score, 64)
	name := bigText(22, true, theme.ColorNameForeground)
	name.Text = p.customerName(r)
	var contact []string
	if customer != nil {
		for _, s := range []string{customer.Customer.Email, customer.Customer.Phone} {
			if s != "" {
				contact = append(contact, s)
			}
		}
	}
	contact = append(contact, l.T("inbox.answered", l.DateTime(r.At)), l.T("inbox.status."+string(r.Status)))
	contactLbl := widget.NewLabel(strings.Join(contact, "  ·  "))
	contactLbl.Wrapping = fyne.TextWrapWord
	facts := container.NewVBox(name, contactLbl)
	if line := p.purchaseLine(r, customer); line != "" {
		lbl := widget.NewLabel(line)
		lbl.Wrapping = fyne.TextWrapWord
		facts.Add(lbl)
	}
	facts.Add(p.assignee(r))
	head := container.NewBorder(nil, nil, container.NewVBox(container.NewStack(bg, num)), nil, facts)
	comment := widget.NewLabel("“" + cmp.Or(r.Comment, l.T("inbox.no_comment")) + "”")
	comment.Wrapping = fyne.TextWrapWord
	comment.TextStyle.Italic = true

	history, err := p.history(r)
	if err != nil {
		p.d.fail(err)
		return
	}
	actions := p.actions(r, customer)
	body := container.NewVBox(head, comment, widget.NewSeparator(), caption(strings.ToUpper(l.T("inbox.history"))), history)
	p.detail.Objects = []fyne.CanvasObject{container.NewBorder(nil, actions, nil, nil, container.NewVScroll(body))}
	p.detail.Refresh()
}

// purchaseLine says who the customer is for the shop's books (company, tax ID), what
// purchase the answer follows and on which card.
func (p *inboxPage) purchaseLine(r nps.Response, customer *localdb.CustomerData) string {
	l := p.d.u.lang
	var parts []string
	if customer != nil {
		if c := customer.Customer.Company; c != "" {
			parts = append(parts, c)
		}
		if id := customer.Customer.TaxID; id != "" {
			parts = append(parts, l.T("inbox.tax_id", id))
		}
	}
	if op, err := p.d.u.store.Operation(p.d.u.context(), r.PurchaseOpID); err == nil {
		if op.Amount != 0 {
			parts = append(parts, l.T("inbox.purchase", l.Money(op.Amount, op.Currency), l.DateTime(op.At)))
		} else {
			parts = append(parts, l.T("inbox.visit", l.DateTime(op.At)))
		}
	}
	if r.CardCode != "" {
		parts = append(parts, l.T("inbox.card", r.CardCode))
	}
	return strings.Join(parts, "  ·  ")
}

// assignee hands the answer to a staff member, or takes it back.
func (p *inboxPage) assignee(r nps.Response) fyne.CanvasObject {
	l := p.d.u.lang
	names := []string{l.T("inbox.nobody")}
	for _, st := range p.staff {
		names = append(names, st.Name)
	}
	pick := widget.NewSelect(names, nil)
	pick.Selected = names[0]
	for i, st := range p.staff {
		if st.ID == r.Assignee {
			pick.Selected = names[i+1]
		}
	}
	pick.OnChanged = func(string) {
		staff := ""
		if i := pick.SelectedIndex(); i > 0 {
			staff = p.staff[i-1].ID
		}
		next, err := p.d.u.store.AssignResponse(p.d.u.context(), r.ID, staff)
		if err != nil {
			p.d.fail(err)
			return
		}
		p.replace(next)
		*p.selected = next
	}
	return container.NewHBox(widget.NewLabel(l.T("inbox.assigned_to")), pick)
}

// history lists the answer's follow-ups and emails, oldest first.
func (p *inboxPage) history(r nps.Response) (fyne.CanvasObject, error) {
	l := p.d.u.lang
	ctx := p.d.u.context()
	acts, err := p.d.u.answers.Actions(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	emails, err := p.d.u.store.Emails(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	names, err := p.d.u.store.StaffNames(ctx)
	if err != nil {
		return nil, err
	}
	names[localdb.RuleStaff] = l.T("inbox.by_rules")
	by := func(staff string) string {
		if n := names[staff]; n != "" {
			return "  ·  " + n
		}
		return ""
	}
	box := container.NewVBox()
	if len(acts) == 0 {
		box.Add(widget.NewLabel(l.T("inbox.no_history")))
	}
	for _, a := range acts {
		if a.Kind == nps.ActionEmail {
			continue // the email itself is listed below, with its status
		}
		what := l.T("inbox.action." + string(a.Kind))
		if a.Kind == nps.ActionComment && a.Staff == localdb.RuleStaff {
			what = l.T("inbox.coupon") // the rules note the coupon they gave
		}
		if a.Kind == nps.ActionContactAttempt && a.Reached != nil {
			what = l.T(map[bool]string{true: "inbox.reached", false: "inbox.not_reached"}[*a.Reached])
		}
		line := l.ShortDateTime(a.At) + "  ·  " + what
		if a.Note != "" {
			line += ": " + a.Note
		}
		lbl := widget.NewLabel(line + by(a.Staff))
		lbl.Wrapping = fyne.TextWrapWord
		box.Add(lbl)
	}
	for _, e := range emails {
		status := widget.NewLabel(l.T("inbox.email_status."+string(e.Status), e.Error))
		status.TextStyle.Bold = true
		switch e.Status {
		case localdb.EmailSent:
			status.Importance = widget.SuccessImportance
		case localdb.EmailFailed:
			status.Importance = widget.DangerImportance
		default:
			status.Importance = widget.WarningImportance
		}
		lbl := widget.NewLabel(l.ShortDateTime(e.At) + "  ·  " + l.T("inbox.email_to", e.To, e.Subject) + by(e.Staff))
		lbl.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil, nil, status, lbl))
	}
	if c, err := p.d.u.store.CouponFor(ctx, r.ID); err == nil {
		state := l.T("inbox.coupon_unused")
		if !c.RedeemedAt.IsZero() {
			state = l.T("inbox.coupon_used", l.Date(c.RedeemedAt))
		}
		code := widget.NewLabel(l.T("inbox.coupon_line", c.Code, c.Offer, state))
		code.TextStyle.Bold = true
		code.Wrapping = fyne.TextWrapWord
		box.Add(code)
	} else if !errors.Is(err, localdb.ErrNotFound) {
		return nil, err
	}
	return box, nil
}

// actions are the follow-ups allowed in r's status; a closed answer can only reopen.
func (p *inboxPage) actions(r nps.Response, customer *localdb.CustomerData) fyne.CanvasObject {
	l := p.d.u.lang
	if r.Status == nps.Closed {
		reopen := widget.NewButtonWithIcon(l.T("inbox.reopen"), theme.ViewRefreshIcon(), func() { p.act(nps.Action{Kind: nps.ActionReopen}) })
		return container.NewHBox(reopen)
	}
	call := widget.NewButtonWithIcon(l.T("inbox.contact"), theme.AccountIcon(), p.onContact)
	note := widget.NewButtonWithIcon(l.T("inbox.comment_keep"), theme.DocumentCreateIcon(), func() {
		p.askNote(l.T("inbox.comment_keep"), true, func(n string) { p.act(nps.Action{Kind: nps.ActionComment, Note: n}) })
	})
	email := widget.NewButtonWithIcon(l.T("inbox.email"), theme.MailSendIcon(), func() { p.onEmail(r, customer) })
	if customer == nil || customer.Customer.Email == "" {
		email.Disable()
	}
	closeIt := widget.NewButtonWithIcon(l.T("inbox.comment_close"), theme.ConfirmIcon(), func() {
		p.askNote(l.T("inbox.comment_close"), false, func(n string) { p.act(nps.Action{Kind: nps.ActionClose, Note: n}) })
	})
	closeIt.Importance = widget.HighImportance
	row := container.NewGridWithColumns(2, call, note, email, closeIt)
	if c, _ := nps.CategoryOf(r.Score); c == nps.Promoter {
		row.Add(widget.NewButtonWithIcon(l.T("inbox.coupon"), theme.ContentAddIcon(), func() { p.onCoupon(r) }))
	}
	return row
}

// act records a follow-up of the selected answer and shows its new state.
func (p *inboxPage) act(draft nps.Action) {
	draft.Staff = p.d.owner.ID
	if draft.At.IsZero() {
		draft.At = p.d.u.store.Now()
	}
	r, _, err := p.d.u.answers.AddAction(p.d.u.context(), p.selected.ID, draft)
	if err != nil {
		p.d.fail(err)
		return
	}
	p.replace(r)
	p.showDetail(r)
}

// askNote asks for a note; required refuses an empty one.
func (p *inboxPage) askNote(title string, required bool, done func(string)) {
	l := p.d.u.lang
	note := widget.NewMultiLineEntry()
	note.SetPlaceHolder(l.T("inbox.note_hint"))
	note.SetMinRowsVisible(4)
	if required {
		note.Validator = func(s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New(l.T("inbox.note_required"))
			}
			return nil
		}
	}
	dlg := dialog.NewForm(title, l.T("customers.apply"), l.T("settings.cancel"),
		[]*widget.FormItem{widget.NewFormItem(l.T("inbox.note"), note)}, func(ok bool) {
			if ok {
				done(note.Text)
			}
		}, p.d.win)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

func (p *inboxPage) onContact() {
	l := p.d.u.lang
	outcome := widget.NewRadioGroup([]string{l.T("inbox.reached"), l.T("inbox.not_reached")}, nil)
	outcome.SetSelected(l.T("inbox.reached"))
	outcome.Required = true
	note := widget.NewMultiLineEntry()
	note.SetPlaceHolder(l.T("inbox.note_hint"))
	dlg := dialog.NewForm(l.T("inbox.contact"), l.T("customers.apply"), l.T("settings.cancel"), []*widget.FormItem{
		widget.NewFormItem(l.T("inbox.outcome"), outcome),
		widget.NewFormItem(l.T("inbox.note"), note),
	}, func(ok bool) {
		if !ok {
			return
		}
		reached := outcome.Selected == l.T("inbox.reached")
		p.act(nps.Action{Kind: nps.ActionContactAttempt, Reached: &reached, Note: note.Text})
	}, p.d.win)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

// templates are the emails the inbox offers, one per group, by message key.
var templates = map[nps.Category]string{nps.Detractor: "detractor", nps.Passive: "passive", nps.Promoter: "promoter"}

// onEmail writes an email from the template for r's group, which the owner may edit,
// and queues it for the cloud server to send.
func (p *inboxPage) onEmail(r nps.Response, customer *localdb.CustomerData) {
	l := p.d.u.lang
	shop, _ := p.d.u.store.Shop(p.d.u.context())
	names := []string{l.T("inbox.tpl.detractor"), l.T("inbox.tpl.passive"), l.T("inbox.tpl.promoter")}
	keys := []string{"detractor", "passive", "promoter"}
	to := widget.NewEntry()
	to.SetText(customer.Customer.Email)
	subject := widget.NewEntry()
	text := widget.NewMultiLineEntry()
	text.SetMinRowsVisible(9)
	text.Wrapping = fyne.TextWrapWord
	fill := func(key string) {
		first := strings.Fields(customer.Customer.Name + " ")
		greeting := ""
		if len(first) > 0 {
			greeting = " " + first[0]
		}
		// In the language the customer answered in.
		cl := i18n.Parse(string(r.Lang))
		subject.SetText(cl.T("inbox.tpl."+key+".subject", shop.Name))
		text.SetText(cl.T("inbox.tpl."+key+".body", greeting, shop.Name))
	}
	tpl := widget.NewSelect(names, func(name string) {
		for i, n := range names {
			if n == name {
				fill(keys[i])
			}
		}
	})
	c, _ := nps.CategoryOf(r.Score)
	for i, k := range keys {
		if k == templates[c] {
			tpl.SetSelectedIndex(i)
		}
	}
	form := widget.NewForm(
		widget.NewFormItem(l.T("inbox.template"), tpl),
		widget.NewFormItem(l.T("inbox.to"), to),
		widget.NewFormItem(l.T("inbox.subject"), subject),
		widget.NewFormItem(l.T("inbox.text"), text),
	)
	dlg := dialog.NewCustomWithoutButtons(l.T("inbox.email"), form, p.d.win)
	send := func(closeAfter bool) {
		dlg.Hide()
		e, err := p.d.u.store.QueueEmail(p.d.u.context(), localdb.Email{ResponseID: r.ID, To: to.Text,
			Subject: subject.Text, Text: text.Text, Staff: p.d.owner.ID})
		if err != nil {
			p.d.fail(err)
			return
		}
		p.act(nps.Action{Kind: nps.ActionEmail, Note: e.Subject})
		if closeAfter {
			// A millisecond after the email, so that the history lists it second.
			p.act(nps.Action{Kind: nps.ActionClose, Note: l.T("inbox.closed_after_email"), At: p.d.u.store.Now().Add(time.Millisecond)})
		}
	}
	sendClose := widget.NewButtonWithIcon(l.T("inbox.send_close"), theme.ConfirmIcon(), func() { send(true) })
	sendClose.Importance = widget.HighImportance
	dlg.SetButtons([]fyne.CanvasObject{
		widget.NewButtonWithIcon(l.T("settings.cancel"), theme.CancelIcon(), dlg.Hide),
		widget.NewButtonWithIcon(l.T("inbox.send"), theme.MailSendIcon(), func() { send(false) }),
		sendClose,
	})
	dlg.Resize(fyne.NewSize(720, 0))
	dlg.Show()
}

// onCoupon gives a promoter a thank-you coupon, redeemable once at the counter.
func (p *inboxPage) onCoupon(r nps.Response) {
	l := p.d.u.lang
	offer := widget.NewEntry()
	offer.SetText(l.T("inbox.coupon_default"))
	dialog.ShowForm(l.T("inbox.coupon"), l.T("customers.apply"), l.T("settings.cancel"),
		[]*widget.FormItem{widget.NewFormItem(l.T("inbox.offer"), offer)}, func(ok bool) {
			if !ok {
				return
			}
			c, err := p.d.u.store.IssueCoupon(p.d.u.context(), r.ID, r.CustomerID, offer.Text)
			if err != nil {
				p.d.fail(err)
				return
			}
			p.act(nps.Action{Kind: nps.ActionComment, Note: l.T("inbox.coupon_note", c.Code, c.Offer)})
		}, p.d.win)
}
