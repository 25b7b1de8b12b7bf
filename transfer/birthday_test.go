package transfer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/transfer"
)

// Birthdays import as the shop types them or as another system exports dates of
// birth (only the day and month are kept), export as day/month, and read back.
func TestBirthdaysImportAndExport(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	tab := read(t, "clients.csv", "Nom;Courriel;Date de naissance\n"+
		"Inès Faure;ines@example.com;14/03\n"+
		"Léo Martin;leo@example.com;1990-07-02\n"+
		"Zoé Blanc;zoe@example.com;29/02/1992\n")
	m := transfer.Guess(tab.Header)
	if _, ok := m[transfer.FieldBirthday]; !ok {
		t.Fatalf("Guess(%q) = %v, want the birthday column found", tab.Header, m)
	}
	if rep, err := transfer.Import(ctx, s, tab, m, transfer.Options{Origin: origin(s)}); err != nil || rep.New != 3 {
		t.Fatalf("Import = %+v, %v; want 3 new customers", rep, err)
	}
	want := map[string][2]int{"ines@example.com": {14, 3}, "leo@example.com": {2, 7}, "zoe@example.com": {29, 2}}
	all, err := s.Customers(ctx, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if w, ok := want[a.Customer.Email]; ok && (a.Customer.BirthDay != w[0] || a.Customer.BirthMonth != w[1]) {
			t.Errorf("%s's birthday = %d/%d, want %d/%d", a.Customer.Email, a.Customer.BirthDay, a.Customer.BirthMonth, w[0], w[1])
		}
	}
	bad := read(t, "clients.csv", "Name;Email;Birthday\nAna;ana@example.com;31/04\n")
	if rep, err := transfer.Import(ctx, s, bad, transfer.Guess(bad.Header), transfer.Options{Origin: origin(s)}); err == nil {
		t.Errorf("Import of April 31 = %+v, want a row error", rep)
	}

	var buf bytes.Buffer
	if err := transfer.ExportCustomers(ctx, s, &buf, transfer.CSV); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "14/03") || !strings.Contains(buf.String(), "02/07") {
		t.Errorf("export lacks the birthdays 14/03 and 02/07:\n%s", buf.String())
	}
}
