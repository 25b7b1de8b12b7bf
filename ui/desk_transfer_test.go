package ui

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/transfer"
)

// Closing the owner's desk stops an import it started, and the import then writes
// nothing: the owner who closes the window is not left with half a file imported.
func TestClosingTheDeskCancelsAnImport(t *testing.T) {
	u := newTestUI(t)
	d := openOwnerDesk(t, u)
	p := &transferPage{d: d, selects: map[transfer.Field]*widget.Select{}}
	p.build()
	p.setTable("customers.csv", transfer.Table{Header: []string{"Name", "Email"},
		Rows: [][]string{{"Zed One", "zed1@example.com"}, {"Zed Two", "zed2@example.com"}}})

	// The first word from the import (its progress after the first row) waits until
	// the test has closed the desk.
	progressed, closed := make(chan struct{}), make(chan struct{})
	do := u.do
	first := true
	u.do = func(f func()) {
		if first {
			first = false
			progressed <- struct{}{}
			<-closed
		}
		do(f)
	}
	p.onImport(false)
	<-progressed
	d.win.Close()
	close(closed)
	d.work.Wait()

	if found, err := u.store.SearchAccounts(context.Background(), "zed", 10); err != nil || len(found) != 0 {
		t.Errorf("customers after the desk closed mid-import = %+v, %v; want none imported", found, err)
	}
}

// An export the desk's closing cancels leaves no half-written file behind.
func TestClosingTheDeskCancelsAnExport(t *testing.T) {
	u := newTestUI(t)
	d := openOwnerDesk(t, u)
	path := filepath.Join(t.TempDir(), "customers.csv")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	d.win.Close()
	d.writeFile("customers.csv", w, d.customersTo(transfer.CSV))
	d.work.Wait()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after an export cancelled by the desk's closing, %s: %v; want no file", path, err)
	}

	// The same export from an open desk writes the file.
	d = openOwnerDesk(t, u)
	if w, err = storage.Writer(storage.NewFileURI(path)); err != nil {
		t.Fatal(err)
	}
	d.writeFile("customers.csv", w, d.customersTo(transfer.CSV))
	d.work.Wait()
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "Alice Martin") {
		t.Errorf("export from an open desk: %q, %v; want the customers", b, err)
	}
}
