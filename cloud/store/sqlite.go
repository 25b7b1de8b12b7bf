package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"time"

	msqlite "modernc.org/sqlite" // also the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// openSQLite opens a SQLite file in WAL mode with full sync: an acknowledged push
// survives a power loss. Writers go through one connection, so they queue in Go instead
// of sleeping in SQLite's busy handler; readers use a pool of their own.
func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(FULL)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + params.Encode()
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	db := newDB(w, r, sqlite)
	close(db.done)
	if err := migrateWhenFree(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// migrateBusyFor bounds how long servers starting together wait for each other.
const migrateBusyFor = 30 * time.Second

// migrateWhenFree migrates, starting over while SQLite answers busy. Servers starting
// together on a new file race to switch it to WAL and to create its tables, and SQLite
// may answer SQLITE_BUSY at once instead of calling the busy handler (it does so where
// waiting could deadlock). Each step is its own transaction and checks the schema
// version first, so starting over is safe.
func migrateWhenFree(ctx context.Context, db *DB) error {
	deadline := time.Now().Add(migrateBusyFor)
	for pause := time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		err := db.migrate(ctx)
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(pause + rand.N(pause)):
		}
	}
}

func isBusy(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
