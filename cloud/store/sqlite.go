package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
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
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// createPrivate creates the database file readable by its owner alone, if it does not
// exist: it holds every shop's customers and the devices' token hashes. SQLite gives
// the -wal and -shm files it makes beside it the same mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}
