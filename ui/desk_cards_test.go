package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/escpos/escpostest"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// openCards opens the owner's desk on its Cards page.
func openCards(t *testing.T) (*UI, *desk) {
	t.Helper()
	u := newTestUI(t)
	d := openOwnerDesk(t, u)
	d.win.Resize(fyne.NewSize(1366, 768))
	findAll[*widget.List](d.win.Content())[0].Select(3)
	if got := d.title.Text; got != "Cards" {
		t.Fatalf("desk page 3 is %q, want Cards", got)
	}
	return u, d
}

// order types a batch into the Cards page: how many cards and their opening points.
func order(t *testing.T, d *desk, count, opening string) {
	t.Helper()
	entries := findAll[*widget.Entry](d.content)
	entries[0].SetText(count)
	entries[1].SetText(opening)
}

// overlayText returns the text of the labels of the dialog open over w.
func overlayText(t *testing.T, w fyne.Window) string {
	t.Helper()
	var texts []string
	for _, l := range findAll[*widget.Label](topOverlay(t, w)) {
		texts = append(texts, l.Text)
	}
	return strings.Join(texts, "\n")
}

// issuedBatch checks the store holds one batch of n cards, each with the opening points
// (if any) as its only operation, and returns its cards.
func issuedBatch(t *testing.T, store *localdb.Store, n int, points int64) []loyalty.Card {
	t.Helper()
	ctx := context.Background()
	batches, err := store.CardBatches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || batches[0].Count != n || batches[0].Opening.Points != points {
		t.Fatalf("batches = %+v, want one of %d cards with %d points each", batches, n, points)
	}
	list, err := store.BatchCards(ctx, batches[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		a, err := store.AccountByCode(ctx, cards.Code(c.Code))
		if err != nil {
			t.Fatal(err)
		}
		if a.Balance.Points != points {
			t.Errorf("card %s has %d points, want %d", c.Code, a.Balance.Points, points)
		}
		ops, err := store.Entries(ctx, a.Customer.CreatedAt, a.Customer.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case points == 0 && len(ops) != 0:
			t.Errorf("card %s operations = %+v, want none", c.Code, ops)
		case points > 0 && (len(ops) != 1 || ops[0].Reason != loyalty.ReasonOpening || ops[0].Delta.Points != points):
			t.Errorf("card %s operations = %+v, want its opening balance", c.Code, ops)
		}
	}
	return list
}

func TestCardsPrintWithoutPrinterKeepsTheCards(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no lp: CUPS is not installed
	u, d := openCards(t)
	order(t, d, "3", "20")
	test.Tap(button(t, d.content, "Print"))
	d.work.Wait()

	msg := overlayText(t, d.win)
	for _, want := range []string{"The 3 cards are issued and stay so", "no print service (CUPS)", "lp command"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message after printing with no print system = %q, want it to say %q", msg, want)
		}
	}
	button(t, topOverlay(t, d.win), "Save PDF…")
	issuedBatch(t, u.store, 3, 20)
	rows := findAll[*widget.List](d.content)[0]
	if rows.Length() != 1 {
		t.Errorf("batches listed: %d, want the new one", rows.Length())
	}
}

// fakeCUPS puts lp and lpstat first on PATH, answering as CUPS does with a default
// printer that is ready; lp copies the file it is given to the returned path.
func fakeCUPS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	printed := filepath.Join(dir, "printed.pdf")
	scripts := map[string]string{
		"lpstat": `case "$1" in
-d) echo "system default destination: Office";;
-p) echo "printer $2 is idle.  enabled since Mon 23 Nov 2026 09:00:00";;
esac`,
		"lp": `for a; do last=$a; done; cp "$last" ` + printed + `; echo "request id is Office-7 (1 file(s))"`,
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+":/bin:/usr/bin")
	return printed
}

func TestCardsPrintThroughThePrintSystem(t *testing.T) {
	printed := fakeCUPS(t)
	u, d := openCards(t)
	order(t, d, "12", "")
	test.Tap(button(t, d.content, "Print"))
	d.work.Wait()

	if msg := overlayText(t, d.win); !strings.Contains(msg, "Cards sent to the printer: 12.") || !strings.Contains(msg, "Office-7") {
		t.Errorf("message after printing = %q, want the count and the print job", msg)
	}
	pdf, err := os.ReadFile(printed)
	if err != nil {
		t.Fatalf("nothing reached the printer: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || !bytes.Contains(pdf, []byte("/Count 2")) {
		t.Errorf("the printer received no two-page PDF for 12 cards")
	}
	issuedBatch(t, u.store, 12, 0)
}

func TestCardsRefusesABadOrder(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	u, d := openCards(t)
	for _, tc := range []struct{ count, opening, want string }{
		{"0", "", "from 1 to 1,000"},
		{"2", "5.5", "Opening points per card: type a whole number"},
		{"1001", "", "from 1 to 1,000"},
		{"2", "-3", "Opening points per card: type a whole number"},
		{"ten", "", "from 1 to 1,000"},
	} { // alternating, so that a message left from the case before cannot pass
		order(t, d, tc.count, tc.opening)
		test.Tap(button(t, d.content, "Print"))
		d.work.Wait()
		msgs := findAll[*widget.Label](d.content)
		found := false
		for _, m := range msgs {
			found = found || strings.Contains(m.Text, tc.want)
		}
		if !found {
			t.Errorf("Print with %q cards, %q points: no message saying %q", tc.count, tc.opening, tc.want)
		}
	}
	if batches, err := u.store.CardBatches(context.Background()); err != nil || len(batches) != 0 {
		t.Errorf("bad orders issued batches %+v (%v)", batches, err)
	}
}

func TestCardsReprintOnReceiptPrinter(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	u, d := openCards(t)
	order(t, d, "2", "5")
	test.Tap(button(t, d.content, "Print"))
	d.work.Wait()
	cardsOf := issuedBatch(t, u.store, 2, 5)
	test.Tap(button(t, topOverlay(t, d.win), "Close"))

	// No receipt printer yet: the owner is told where to set it.
	test.Tap(button(t, d.content, "Receipt"))
	if msg := overlayText(t, d.win); !strings.Contains(msg, "No receipt printer is set") {
		t.Errorf("receipt printing with none set: message %q", msg)
	}
	test.Tap(button(t, topOverlay(t, d.win), "OK"))

	printer := escpostest.Start(t)
	entries := findAll[*widget.Entry](d.content)
	entries[len(entries)-1].SetText(printer.Addr)
	test.Tap(button(t, d.content, "Save"))
	test.Tap(button(t, topOverlay(t, d.win), "OK"))
	test.Tap(button(t, d.content, "Receipt"))
	d.work.Wait()
	if msg := overlayText(t, d.win); !strings.Contains(msg, "Cards sent to the receipt printer") {
		t.Errorf("message after receipt printing = %q", msg)
	}
	data := <-printer.Job
	for _, c := range cardsOf {
		if !bytes.Contains(data, []byte(c.Code)) {
			t.Errorf("the receipt printer did not receive card %s", c.Code)
		}
	}
	if !bytes.Contains(data, []byte("Opening balance: 5 points")) {
		t.Errorf("the tickets do not state the opening balance")
	}
}

func TestCustomersReprintCard(t *testing.T) {
	printed := fakeCUPS(t)
	u := newTestUI(t)
	d := openOwnerDesk(t, u)
	d.win.Resize(fyne.NewSize(1366, 768))
	findAll[*widget.List](d.win.Content())[0].Select(2) // Customers
	test.Type(findAll[*widget.Entry](d.content)[0], "bruno")
	findAll[*widget.Table](d.content)[0].Select(widget.TableCellID{Row: 0, Col: 0})

	test.Tap(button(t, d.content, "Reprint card"))
	dlg := topOverlay(t, d.win)
	pictures := 0 // the card, not the buttons' icons
	for _, img := range findAll[*canvas.Image](dlg) {
		if img.Image != nil && img.MinSize().Width > 300 {
			pictures++
		}
	}
	if pictures != 1 {
		t.Fatalf("the reprint dialog shows %d pictures, want the card", pictures)
	}
	for _, b := range []string{"Print on receipt printer", "Save PDF…", "Save image…"} {
		button(t, dlg, b)
	}
	test.Tap(button(t, dlg, "Print on a sheet"))
	d.work.Wait()
	if msg := overlayText(t, d.win); !strings.Contains(msg, "Cards sent to the printer: 1.") {
		t.Errorf("message after reprinting = %q", msg)
	}
	if pdf, err := os.ReadFile(printed); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("the printer received no PDF (%v)", err)
	}
}

func TestOpeningBalanceSpeaksTheReadersLanguage(t *testing.T) {
	u := newTestUI(t)
	op, err := loyalty.Program{Currency: "EUR", PointsPerVisit: 1}.Opening(loyalty.Origin{Device: "d", At: u.store.Now()},
		loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "c", Status: loyalty.CardActive}, 50)
	if err != nil {
		t.Fatal(err)
	}
	u.lang = i18n.French
	if got, want := u.describeOp(op), "Ajustement : solde d'ouverture"; got != want {
		t.Errorf("describeOp(opening) in French = %q, want %q", got, want)
	}
}

func TestBatchCSV(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	list := []loyalty.Card{
		{Code: "K7QM2XRT9PC", Status: loyalty.CardActive, IssuedAt: at},
		{Code: "K7QM2XRT9PC", Status: loyalty.CardReplaced, IssuedAt: at},
	}
	var b bytes.Buffer
	if err := writeBatchCSV(&b, list, "https://loyalty.example.com"); err != nil {
		t.Fatal(err)
	}
	want := "code,qr,status,issued_at\n" +
		"K7QM-2XRT-9PC," + cards.URL("https://loyalty.example.com", "K7QM2XRT9PC") + ",active,2026-11-23T09:30:00Z\n" +
		"K7QM-2XRT-9PC," + cards.URL("https://loyalty.example.com", "K7QM2XRT9PC") + ",replaced,2026-11-23T09:30:00Z\n"
	if got := b.String(); got != want {
		t.Errorf("writeBatchCSV =\n%s\nwant\n%s", got, want)
	}
}
