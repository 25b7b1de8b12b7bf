package transfer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/transfer"
)

func open(tb testing.TB) *localdb.Store {
	tb.Helper()
	s, err := localdb.Open(context.Background(), filepath.Join(tb.TempDir(), "merci.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if _, err := s.SeedDemo(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

func origin(s *localdb.Store) loyalty.Origin {
	return loyalty.Origin{Device: s.Device(), Staff: "owner", At: time.Now()}
}

func read(t *testing.T, name, body string) transfer.Table {
	t.Helper()
	tab, err := transfer.Read(strings.NewReader(body), name)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return tab
}

// snapshot is what an import may change: customers and their balances, and the outbox.
func snapshot(t *testing.T, s *localdb.Store) (map[string]loyalty.Balance, int) {
	t.Helper()
	all, err := s.Customers(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]loyalty.Balance{}
	for _, a := range all {
		out[a.Customer.Email+"|"+a.Customer.Name] = a.Balance
	}
	n, err := s.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out, n
}

func TestGuessReadsHeadersInThreeLanguages(t *testing.T) {
	tests := []struct {
		header []string
		want   transfer.Mapping
	}{
		{[]string{"Name", "E-mail", "Phone number", "Card code", "Points", "Visits"},
			transfer.Mapping{"name": 0, "email": 1, "phone": 2, "card": 3, "points": 4, "visits": 5}},
		{[]string{"Nom", "Courriel", "Téléphone", "N° de carte", "Solde points", "Passages", "Société", "Code postal"},
			transfer.Mapping{"name": 0, "email": 1, "phone": 2, "points": 4, "visits": 5, "company": 6}},
		{[]string{"Nome completo", "E-mail", "Celular", "Cartão", "Saldo de pontos", "Frequência", "CPF/CNPJ"},
			transfer.Mapping{"name": 0, "email": 1, "phone": 2, "card": 3, "points": 4, "visits": 5, "tax_id": 6}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, transfer.Guess(tt.header)); diff != "" {
			t.Errorf("Guess(%q) (-want +got):\n%s", tt.header, diff)
		}
	}
}

func TestReimportCreatesNoDuplicates(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	// A French export: semicolons, decimal commas.
	body := "Nom;Courriel;Téléphone;Carte;Points;Cagnotte;Passages\n" +
		"Zoé Lambert;zoe@example.com;06 11 22 33 44;" + code.String() + ";120;3,50;7\n" +
		"Yann Le Goff;yann@example.com;;;15;;\n" +
		"Alice M.;ALICE@example.com;;;;;2\n" // the demo's Alice, matched on her email
	tab := read(t, "clients.csv", body)
	m := transfer.Guess(tab.Header)
	dry, err := transfer.Import(ctx, s, tab, m, transfer.Options{DryRun: true, Origin: origin(s)})
	if err != nil {
		t.Fatal(err)
	}
	first, err := transfer.Import(ctx, s, tab, m, transfer.Options{Origin: origin(s)})
	if err != nil {
		t.Fatal(err)
	}
	want := transfer.Report{Rows: 3, New: 2, Updated: 1, Operations: 1 + 7 + 1 + 2}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first import (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, dry); diff != "" {
		t.Errorf("dry run differs from the import (-want +got):\n%s", diff)
	}
	zoe, err := s.AccountByCode(ctx, code)
	if err != nil {
		t.Fatalf("the imported card is unknown: %v", err)
	}
	if zoe.Customer.Name != "Zoé Lambert" || zoe.Balance != (loyalty.Balance{Points: 120, Cashback: 350}) {
		t.Errorf("imported account = %+v, want Zoé with 120 points and 3.50 cashback", zoe)
	}
	d, err := s.Customer(ctx, zoe.Customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	visits := 0
	for _, op := range d.Operations {
		if op.Kind == loyalty.KindVisit {
			visits++
		}
	}
	if visits != 7 {
		t.Errorf("Zoé has %d visits, want 7", visits)
	}

	afterFirst, pendingFirst := snapshot(t, s)
	second, err := transfer.Import(ctx, s, tab, m, transfer.Options{Origin: origin(s)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(transfer.Report{Rows: 3, Unchanged: 3}, second); diff != "" {
		t.Errorf("second import (-want +got):\n%s", diff)
	}
	if afterSecond, n := snapshot(t, s); !cmp.Equal(afterFirst, afterSecond) || n != pendingFirst {
		t.Errorf("the second import changed something: %s, outbox %d -> %d", cmp.Diff(afterFirst, afterSecond), pendingFirst, n)
	}

	// The shop kept counting visits on paper: only the new ones are added.
	more := strings.Replace(body, ";120;3,50;7", ";120;3,50;9", 1)
	third, err := transfer.Import(ctx, s, read(t, "clients.csv", more), m, transfer.Options{Origin: origin(s)})
	if err != nil || third.Operations != 2 {
		t.Errorf("import with 2 more visits = %+v, %v; want 2 operations", third, err)
	}
	// A different opening balance is not silently added twice.
	changed := strings.Replace(body, ";120;", ";150;", 1)
	rep, err := transfer.Import(ctx, s, read(t, "clients.csv", changed), m, transfer.Options{Origin: origin(s)})
	if !errors.Is(err, transfer.ErrInvalidRows) || len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], transfer.ErrBalanceChanged) || rep.Errors[0].Row != 2 {
		t.Errorf("import with a changed balance = %+v, %v; want ErrBalanceChanged on row 2", rep.Errors, err)
	}
}

func TestExportImportsBackWithoutDuplicates(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	for _, f := range []transfer.Format{transfer.XLSX, transfer.CSV} {
		var buf bytes.Buffer
		if err := transfer.ExportCustomers(ctx, s, &buf, f); err != nil {
			t.Fatal(err)
		}
		tab, err := transfer.Read(&buf, "customers."+string(f))
		if err != nil {
			t.Fatal(err)
		}
		m := transfer.Guess(tab.Header)
		delete(m, transfer.FieldPoints) // balances come from the ledger, not from a re-import
		delete(m, transfer.FieldCashback)
		rep, err := transfer.Import(ctx, s, tab, m, transfer.Options{Origin: origin(s)})
		if err != nil || rep.New != 0 || rep.Unchanged != 4 {
			t.Errorf("%s: re-import of an export = %+v, %v; want the 4 customers unchanged", f, rep, err)
		}
	}
	var buf bytes.Buffer
	if err := transfer.ExportOperations(ctx, s, &buf, transfer.CSV, time.Now().Add(-time.Hour), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 1+5 {
		t.Errorf("operations export has %d lines, want a header and the demo's 5 purchases:\n%s", lines, buf.String())
	}
}

func TestRowErrorsNameTheRowAndImportNothing(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	body := "Name,Email,Points,Card,Consent\n" +
		"Good One,good@example.com,10,,yes\n" + // row 2
		"Bad Mail,not-an-address,10,,\n" + // row 3
		"Bad Points,bp@example.com,ten,,\n" + // row 4
		"Bad Card,bc@example.com,,K7QM2XRT9PD,\n" + // row 5: check symbol wrong
		"=HYPERLINK(\"http://evil\"),f@example.com,,,\n" + // row 6
		",,,,\n" + // row 7: blank, skipped
		"Again,GOOD@example.com,,,\n" + // row 8: same customer as row 2
		"Nobody,,,,maybe\n" + // row 9
		"Bob,Bob <bob@x.com>,,,\n" // row 10: refused as at the counter and by the mailer
	tab := read(t, "c.csv", body)
	before, pending := snapshot(t, s)
	rep, err := transfer.Import(ctx, s, tab, transfer.Guess(tab.Header), transfer.Options{Origin: origin(s)})
	if !errors.Is(err, transfer.ErrInvalidRows) {
		t.Fatalf("Import err = %v, want ErrInvalidRows", err)
	}
	type got struct {
		Row   int
		Field transfer.Field
	}
	var gotErrs []got
	for _, e := range rep.Errors {
		gotErrs = append(gotErrs, got{e.Row, e.Field})
	}
	want := []got{{3, "email"}, {4, "points"}, {5, "card"}, {6, "name"}, {8, ""}, {9, "consent"}, {10, "email"}}
	if diff := cmp.Diff(want, gotErrs); diff != "" {
		t.Errorf("row errors (-want +got):\n%s\n%v", diff, rep.Errors)
	}
	if after, n := snapshot(t, s); !cmp.Equal(before, after) || n != pending {
		t.Errorf("a rejected import wrote something")
	}
	rep, err = transfer.Import(ctx, s, tab, transfer.Guess(tab.Header), transfer.Options{Origin: origin(s), SkipInvalid: true})
	if err != nil || rep.New != 1 || len(rep.Errors) != 7 {
		t.Errorf("Import(SkipInvalid) = %+v, %v; want the one good row imported", rep, err)
	}
}

// xlsx builds a workbook with rows on its first sheet; edit may change it before saving.
func xlsx(t *testing.T, rows [][]any, edit func(*excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(f)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEntry returns the zip archive data with one more file of size bytes of zeros,
// which compress a thousandfold: a zip bomb.
func withEntry(t *testing.T, data []byte, name string, size int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for range size >> 20 {
		if _, err := w.Write(zeros); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostileFilesAreRejected(t *testing.T) {
	header := []any{"Name", "Email", "Points"}
	good := xlsx(t, [][]any{header, {"Ana", "ana@example.com", 12}}, nil)
	if tab, err := transfer.Read(bytes.NewReader(good), "ok.xlsx"); err != nil || len(tab.Rows) != 1 || tab.Rows[0][2] != "12" {
		t.Fatalf("Read(good xlsx) = %+v, %v", tab, err)
	}
	wide := make([]any, transfer.MaxColumns+1)
	for i := range wide {
		wide[i] = "x"
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"bomb.xlsx", withEntry(t, good, "xl/media/image1.png", transfer.MaxUnzipped+(8<<20)), transfer.ErrTooLarge},
		{"formula.xlsx", xlsx(t, [][]any{header, {"Ana", "ana@example.com"}}, func(f *excelize.File) {
			if err := f.SetCellFormula("Sheet1", "C2", `WEBSERVICE("http://127.0.0.1:1/")`); err != nil {
				t.Fatal(err)
			}
		}), transfer.ErrFormula},
		{"garbage.xlsx", []byte("PK\x03\x04 this is not a workbook"), transfer.ErrUnreadable},
		{"truncated.xlsx", good[:len(good)/2], transfer.ErrUnreadable},
		{"huge.csv", bytes.Repeat([]byte("a,b\n"), transfer.MaxFileSize/4+1), transfer.ErrTooLarge},
		{"wide.xlsx", xlsx(t, [][]any{wide, wide}, nil), transfer.ErrTooManyColumns},
		{"header-only.csv", []byte("Name,Email\n\n"), transfer.ErrEmpty},
		{"customers.pdf", []byte("%PDF-1.4"), transfer.ErrFormat},
		{"quotes.csv", []byte("Name,Email\n\"Ana,\"x\"y,z\n"), nil}, // lazy quotes: read, not rejected
	}
	for _, tt := range tests {
		_, err := transfer.Read(bytes.NewReader(tt.data), tt.name)
		if !errors.Is(err, tt.want) {
			t.Errorf("Read(%s) err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestReadStopsAtTheSizeLimit(t *testing.T) {
	// A reader that never ends: Read must not try to hold it all.
	_, err := transfer.Read(io.MultiReader(strings.NewReader("Name\n"), zeros{}), "endless.csv")
	if !errors.Is(err, transfer.ErrTooLarge) {
		t.Errorf("Read(endless) err = %v, want ErrTooLarge", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// BenchmarkImport50k imports a 50,000-row spreadsheet of new customers, each with a
// card, an opening balance and 3 past visits, into a fresh store. Baseline, in the same
// run: inserting the same number of customer rows bare, in one transaction.
func BenchmarkImport50k(b *testing.B) {
	n := benchRows()
	rows := [][]any{{"Name", "Email", "Phone", "Points", "Visits"}}
	for i := range n {
		rows = append(rows, []any{fmt.Sprintf("Customer %d", i), fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("+33 6 %08d", i), i % 500, 3})
	}
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var file bytes.Buffer
	if _, err := f.WriteTo(&file); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var bare, imp time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := open(b)
		if _, err := s.DB().ExecContext(ctx, `CREATE TABLE bare (id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, points INTEGER)`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bare VALUES (?, ?, ?, ?, ?)`, fmt.Sprint(i), rows[i+1][0], rows[i+1][1], rows[i+1][2], rows[i+1][3]); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		bare += time.Since(start)
		start = time.Now()
		tab, err := transfer.Read(bytes.NewReader(file.Bytes()), "big.xlsx")
		if err != nil {
			b.Fatal(err)
		}
		rep, err := transfer.Import(ctx, s, tab, transfer.Guess(tab.Header), transfer.Options{Origin: origin(s)})
		if err != nil || rep.New != n {
			b.Fatalf("import = %+v, %v", rep, err)
		}
		imp += time.Since(start)
	}
	b.ReportMetric(float64(imp.Milliseconds())/float64(b.N), "import-ms")
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-insert-ms")
	b.ReportMetric(float64(imp)/float64(bare), "ratio")
}

func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("MERCI_BENCH_ROWS")); err == nil {
		return n
	}
	return 50_000
}
