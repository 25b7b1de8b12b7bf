package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/transfer"
)

// routineInbox opens the inbox page of a desk whose rules do nothing, over three answers:
// Alice's detractor (today), Bruno's promoter (today) and Chloé's passive given 40 days
// ago, outside the period the desk opens on (the last 30 days).
func routineInbox(t *testing.T) (*UI, *desk, *inboxPage, map[string]nps.Response) {
	t.Helper()
	u := newTestUI(t)
	ctx := context.Background()
	if err := u.store.SaveNPSRules(ctx, nps.Rules{}); err != nil {
		t.Fatal(err)
	}
	customers, err := u.store.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	bruno := customers[1].Customer
	bruno.Company, bruno.TaxID = "Costa & Filhos Ltda", "12.345.678/0001-90"
	if err := u.store.SaveCustomer(ctx, bruno); err != nil {
		t.Fatal(err)
	}
	rs := map[string]nps.Response{
		"alice": answer(t, u.store, customers[0], now.Add(-time.Minute), 3, "Waited"),
		"bruno": answer(t, u.store, customers[1], now.Add(-2*time.Minute), 10, "Lovely"),
		"chloe": answer(t, u.store, customers[2], now.AddDate(0, 0, -40), 8, "Fine"),
	}
	d := openOwnerDesk(t, u)
	d.win.Resize(fyne.NewSize(1366, 768))
	p := &inboxPage{d: d, tab: nps.Untreated, names: map[string]string{}}
	d.content.Objects = []fyne.CanvasObject{p.build()}
	d.content.Refresh()
	return u, d, p, rs
}

// listed returns the ids the inbox lists, in order.
func (p *inboxPage) listed() []string {
	var out []string
	for _, r := range p.items {
		out = append(out, r.ID)
	}
	return out
}

func (p *inboxPage) selectAnswer(t *testing.T, id string) {
	t.Helper()
	i := slices.Index(p.listed(), id)
	if i < 0 {
		t.Fatalf("answer %s is not listed", id)
	}
	p.list.Select(i)
}

func labels(o fyne.CanvasObject) string {
	var out []string
	for _, l := range findAll[*widget.Label](o) {
		out = append(out, l.Text)
	}
	return strings.Join(out, "\n")
}

func TestInboxSendAndClose(t *testing.T) {
	u, d, p, rs := routineInbox(t)
	p.selectAnswer(t, rs["alice"].ID)
	test.Tap(button(t, d.win.Content(), "Write an email"))
	dialogButton(t, d.win, "Send and close")
	if got := status(t, u.store, rs["alice"].ID); got != nps.Closed {
		t.Errorf("after Send and close, status %s, want closed", got)
	}
	if got, want := kinds(t, u.store, rs["alice"].ID), []nps.ActionKind{nps.ActionEmail, nps.ActionClose}; !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	if emails, err := u.store.Emails(context.Background(), rs["alice"].ID); err != nil || len(emails) != 1 {
		t.Errorf("emails %+v, %v; want one", emails, err)
	}
	button(t, d.win.Content(), "Reopen")
}

func TestInboxPeriodAppliesToEveryTab(t *testing.T) {
	_, d, p, rs := routineInbox(t)
	for _, tab := range []string{"Untreated · 2", "In progress · 0", "All · 2"} {
		test.Tap(button(t, d.win.Content(), tab))
		if slices.Contains(p.listed(), rs["chloe"].ID) {
			t.Errorf("tab %s lists an answer of 40 days ago in the last 30 days", tab)
		}
	}
	// A period that holds it: every tab counts it, All lists it.
	from, to := time.Now().AddDate(0, 0, -45), time.Now()
	p.period.sel.SetSelected("Custom range")
	p.period.from.SetDate(&from)
	p.period.to.SetDate(&to)
	test.Tap(button(t, d.win.Content(), "All · 3"))
	if !slices.Contains(p.listed(), rs["chloe"].ID) {
		t.Errorf("All over 45 days lists %v, want Chloé's answer too", p.listed())
	}
	button(t, d.win.Content(), "Untreated · 3")
}

func TestInboxAssignAndMine(t *testing.T) {
	u, d, p, rs := routineInbox(t)
	p.selectAnswer(t, rs["bruno"].ID)
	var assign *widget.Select
	for _, s := range findAll[*widget.Select](p.detail) {
		assign = s
	}
	if assign == nil {
		t.Fatal("the detail has no assignee picker")
	}
	assign.SetSelected("Owner")
	r, err := u.store.Response(context.Background(), rs["bruno"].ID)
	if err != nil || r.Assignee != d.owner.ID {
		t.Fatalf("assignee %q, %v; want the owner %s", r.Assignee, err, d.owner.ID)
	}
	if !strings.Contains(labels(p.list), "→ Owner") {
		t.Errorf("the list does not show whom the answer is handed to: %q", labels(p.list))
	}
	test.Tap(button(t, d.win.Content(), "All · 2")) // opened, Bruno's answer is in progress
	p.who.SetSelected("Mine")
	if got := p.listed(); !slices.Equal(got, []string{rs["bruno"].ID}) {
		t.Errorf("Mine lists %v, want Bruno's answer only", got)
	}
	p.who.SetSelected("Nobody's")
	if got := p.listed(); !slices.Equal(got, []string{rs["alice"].ID}) {
		t.Errorf("Nobody's lists %v, want Alice's answer only", got)
	}
	button(t, d.win.Content(), "Untreated · 1") // the counts follow the filter
}

func TestInboxSearchAndDetails(t *testing.T) {
	_, _, p, rs := routineInbox(t)
	for _, q := range []string{"costa & filhos", "0001-90"} {
		p.search.SetText(q)
		if got := p.listed(); !slices.Equal(got, []string{rs["bruno"].ID}) {
			t.Errorf("search %q lists %v, want Bruno's answer", q, got)
		}
	}
	p.selectAnswer(t, rs["bruno"].ID)
	text := labels(p.detail)
	for _, want := range []string{"Costa & Filhos Ltda", "tax ID 12.345.678/0001-90", "purchase of €12.00", "card " + rs["bruno"].CardCode} {
		if !strings.Contains(text, want) {
			t.Errorf("detail %q lacks %q", text, want)
		}
	}
}

func TestDashboardCountsTheInbox(t *testing.T) {
	_, d, _, _ := routineInbox(t)
	d.show(0)
	d.work.Wait()
	if text := labels(d.win.Content()); !strings.Contains(text, "Inbox: 2 untreated · 0 in progress · 0 closed") {
		t.Errorf("the dashboard says %q, want the inbox's counts of the period", text)
	}
}

func TestInboxExport(t *testing.T) {
	u, d, p, rs := routineInbox(t)
	ctx := context.Background()
	if _, _, err := u.store.AddAction(ctx, rs["alice"].ID, nps.Action{Kind: nps.ActionComment, Note: "=Called back", Staff: d.owner.ID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	export := func(format transfer.Format) []byte {
		path := filepath.Join(t.TempDir(), "answers."+string(format))
		w, err := storage.Writer(storage.NewFileURI(path))
		if err != nil {
			t.Fatal(err)
		}
		d.writeFile(filepath.Base(path), w, p.answersTo(format))
		d.work.Wait()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rows, err := csv.NewReader(bytes.NewReader(export(transfer.CSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	xf, err := excelize.OpenReader(bytes.NewReader(export(transfer.XLSX)))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := xf.GetRows("Answers")
	if err != nil {
		t.Fatal(err)
	}
	for name, rows := range map[string][][]string{"csv": rows, "xlsx": xrows} {
		// The header, Alice's answer with her follow-up, Bruno's with none; not Chloé's,
		// outside the period.
		if len(rows) != 3 {
			t.Fatalf("%s: %d rows, want 3: %v", name, len(rows), rows)
		}
		col := func(row []string, h string) string { return row[slices.Index(rows[0], h)] }
		alice := rows[1]
		if col(alice, "Answer id") != rs["alice"].ID || col(alice, "Score") != "3" || col(alice, "Follow-up") != "comment" ||
			col(alice, "By") != "Owner" || col(alice, "Customer") != "Alice Martin" {
			t.Errorf("%s: Alice's row %v", name, alice)
		}
		wantNote := "=Called back"
		if name == "csv" {
			wantNote = "'=Called back" // never run as a formula
		}
		if got := col(alice, "Note"); got != wantNote {
			t.Errorf("%s: note %q, want %q", name, got, wantNote)
		}
		if bruno := rows[2]; col(bruno, "Company") != "Costa & Filhos Ltda" || col(bruno, "Purchase") != "12.00" && col(bruno, "Purchase") != "12" {
			t.Errorf("%s: Bruno's row %v", name, bruno)
		}
	}
}
