package transfer_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/merci-loyalty/merci/transfer"
)

// FuzzRead feeds Read whatever a shop's owner could pick as a spreadsheet, as CSV and as
// XLSX. It must never panic; a file is read within the limits or refused with one of
// the errors the import screen explains.
func FuzzRead(f *testing.F) {
	f.Add([]byte("name,email,phone\nAna,ana@example.com,+33 6 12 34 56 78\n"), true)
	f.Add([]byte("\xef\xbb\xbfNom;Courriel\n\"Zoé \"\"Z\"\"\";z@example.fr\n"), true)
	f.Add([]byte("a,b\n\"unterminated\n"), true)
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"name", "points"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"Bruno", 12})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes(), false)
	f.Add(buf.Bytes()[:buf.Len()/2], false)
	known := []error{transfer.ErrTooLarge, transfer.ErrTooManyRows, transfer.ErrTooManyColumns,
		transfer.ErrUnreadable, transfer.ErrEmpty, transfer.ErrFormula}
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		name := "customers.xlsx"
		if csv {
			name = "customers.csv"
		}
		table, err := transfer.Read(bytes.NewReader(data), name)
		if err != nil {
			for _, k := range known {
				if errors.Is(err, k) {
					return
				}
			}
			t.Fatalf("Read(%s): an error the import screen cannot explain: %v", name, err)
		}
		if len(table.Header) > transfer.MaxColumns || len(table.Rows) > transfer.MaxRows {
			t.Fatalf("Read(%s) = %d columns, %d rows: beyond the limits", name, len(table.Header), len(table.Rows))
		}
		if len(table.Rows) == 0 {
			t.Fatalf("Read(%s) returned no rows and no error", name)
		}
	})
}
