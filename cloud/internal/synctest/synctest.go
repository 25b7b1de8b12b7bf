// Package synctest builds sync changes for tests and runs a test against each database
// the cloud store supports.
package synctest

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cloud/internal/pgtest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// At is the device time of the changes built here.
var At = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)

// SQLite returns the path of a new SQLite database file.
func SQLite(tb testing.TB) string { return filepath.Join(tb.TempDir(), "cloud.db") }

// Backends are the databases a contract test runs on; each returns a new empty one.
var Backends = []struct {
	Name string
	DSN  func(testing.TB) string
}{{"sqlite", SQLite}, {"postgres", pgtest.URL}}

// ForEach runs f as a subtest on a new database of each backend.
func ForEach(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, b := range Backends {
		t.Run(b.Name, func(t *testing.T) { f(t, b.DSN(t)) })
	}
}

// NewID returns a new change id.
func NewID(tb testing.TB) string {
	tb.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		tb.Fatal(err)
	}
	return id.String()
}

// Change returns a change with the given id whose body is body in JSON.
func Change(tb testing.TB, id, typ, key string, body any) syncwire.Change {
	tb.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	return syncwire.Change{ID: id, Type: typ, Key: key, Body: b, Device: "till-1", At: At}
}

// Record returns a new record change.
func Record(tb testing.TB, typ, key string, body any) syncwire.Change {
	tb.Helper()
	return Change(tb, NewID(tb), typ, key, body)
}

// Op returns a new operation change that moves customer's points: a purchase credit,
// or a debit when points is negative.
func Op(tb testing.TB, customer string, points int64) syncwire.Change {
	tb.Helper()
	id := NewID(tb)
	op := loyalty.Operation{ID: id, CustomerID: customer, Kind: loyalty.KindCredit, Delta: loyalty.Delta{Points: points},
		Amount: 1000, Currency: "EUR", Device: "till-1", At: At}
	if points < 0 {
		op.Kind, op.Amount, op.Currency = loyalty.KindDebit, 0, ""
	}
	return Change(tb, id, syncwire.TypeOp, id, op)
}
