// Package backup copies a live SQLite database to a folder, verifies each copy, keeps
// the copies a shop expects (the last 14 days, then one a month for a year) and
// restores one into the live database.
//
// A copy is made with SQLite's online backup API from a read transaction held on one
// connection: in WAL mode the counter's writers go on meanwhile, and the copy and the
// row counts it is checked against are the same snapshot. A copy is written under a
// temporary name and takes its final name only once verified, so every copy listed is
// one that opened, passed integrity_check and held as many rows as its source.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// Kind says why a copy was made; it is part of the file's name.
type Kind string

// The kinds of copies.
const (
	KindAuto      Kind = "auto"      // the twice-daily schedule
	KindManual    Kind = "manual"    // "Back up now", merci backup create
	KindMigration Kind = "migration" // before the schema was upgraded
	KindRestore   Kind = "restore"   // the database as it was before a restore
)

// Info describes a copy in the folder.
type Info struct {
	Path string
	Time time.Time
	Kind Kind
	Size int64
}

// Counts is the number of rows of each table.
type Counts map[string]int64

// timeLayout names copies so that they sort by time; UTC, so a clock change or a
// journey does not reorder them.
const timeLayout = "20060102T150405.000Z"

// pagesPerStep is how much one backup step copies (4 KiB pages) before writers of the
// source get a turn at the driver's mutexes.
const pagesPerStep = 1024

// Create copies src to a new file in dir named after prefix (the database's file name
// without .db), kind and now, verifies it and returns it. dir is made if missing.
func Create(ctx context.Context, src *sql.DB, dir, prefix string, kind Kind, now time.Time) (Info, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Info{}, fmt.Errorf("backup folder: %w", err)
	}
	final := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.db", prefix, now.UTC().Format(timeLayout), kind))
	tmp := final + ".tmp"
	counts, err := copyDB(ctx, src, tmp)
	if err == nil {
		err = check(ctx, tmp, counts)
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		removeDB(tmp)
		return Info{}, err
	}
	st, err := os.Stat(final)
	if err != nil {
		return Info{}, fmt.Errorf("backup: %w", err)
	}
	return Info{Path: final, Time: now, Kind: kind, Size: st.Size()}, nil
}

// backuper is the modernc driver connection's online backup.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
	NewRestore(srcURI string) (*sqlite.Backup, error)
}

// copyDB copies src to the file dst and returns the row counts of the copied snapshot.
func copyDB(ctx context.Context, src *sql.DB, dst string) (Counts, error) {
	conn, err := src.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	// A deferred BEGIN: a read transaction, which the first SELECT pins to a snapshot
	// that the backup steps then read from.
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, fmt.Errorf("backup: begin: %w", err)
	}
	// A read transaction: nothing to lose, and the connection is closed after.
	defer func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }()
	counts, err := countRows(ctx, conn)
	if err != nil {
		return nil, err
	}
	err = conn.Raw(func(dc any) error {
		b, err := dc.(backuper).NewBackup(fileURI(dst, ""))
		if err != nil {
			return err
		}
		for more := true; more && err == nil; {
			if err = ctx.Err(); err == nil {
				more, err = b.Step(pagesPerStep)
			}
		}
		if ferr := b.Finish(); err == nil {
			err = ferr
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("copy the database to %s: %w", dst, err)
	}
	return counts, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// countRows counts the rows of every table of q.
func countRows(ctx context.Context, q querier) (Counts, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tables: %w", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	counts := Counts{}
	for _, t := range tables {
		var n int64
		// The name comes from sqlite_schema; quoted as an identifier.
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		counts[t] = n
	}
	return counts, nil
}

// check verifies the copy at path against want, the source's counts, and leaves it a
// single file (rollback journal), readable without its WAL.
func check(ctx context.Context, path string, want Counts) error {
	got, err := Verify(ctx, path)
	if err != nil {
		return err
	}
	for t, n := range want {
		if got[t] != n {
			return fmt.Errorf("verify %s: table %s has %d rows, the database %d", path, t, got[t], n)
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("verify %s: %d tables, the database %d", path, len(got), len(want))
	}
	return nil
}

// ErrCorrupt means a copy failed SQLite's integrity check.
var ErrCorrupt = errors.New("the backup is damaged")

// Verify opens the copy at path, runs integrity_check and returns its row counts. It
// also sets the copy's journal to a rollback journal, so that it stays one file.
func Verify(ctx context.Context, path string) (Counts, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	db, err := sql.Open("sqlite", fileURI(path, ""))
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = DELETE"); err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	if result != "ok" {
		return nil, fmt.Errorf("verify %s: %w: %s", path, ErrCorrupt, result)
	}
	counts, err := countRows(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	return counts, nil
}

// Restore replaces the content of dst, a live database, with the copy at path, in one
// write transaction: the database's other connections see the old content or the
// restored one, never a mix.
func Restore(ctx context.Context, dst *sql.DB, path string) error {
	if _, err := Verify(ctx, path); err != nil {
		return err
	}
	conn, err := dst.Conn(ctx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		b, err := dc.(backuper).NewRestore(fileURI(path, "ro"))
		if err != nil {
			return err
		}
		_, err = b.Step(-1)
		if ferr := b.Finish(); err == nil {
			err = ferr
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("restore %s: %w", path, err)
	}
	return nil
}

func fileURI(path, mode string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if mode != "" {
		q.Set("mode", mode)
	}
	return "file:" + path + "?" + q.Encode()
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		_ = os.Remove(path + suffix) // a leftover temporary file is harmless
	}
}

// List returns the copies of prefix in dir, newest first. A missing folder has none.
func List(dir, prefix string) ([]Info, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var list []Info
	for _, e := range entries {
		info, ok := parseName(e.Name(), prefix)
		if !ok || e.IsDir() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		info.Path = filepath.Join(dir, e.Name())
		info.Size = fi.Size()
		list = append(list, info)
	}
	slices.SortFunc(list, func(a, b Info) int { return b.Time.Compare(a.Time) })
	return list, nil
}

// parseName reads the time and kind of a copy from its file name.
func parseName(name, prefix string) (Info, bool) {
	rest, ok := strings.CutPrefix(name, prefix+"-")
	if !ok {
		return Info{}, false
	}
	rest, ok = strings.CutSuffix(rest, ".db")
	if !ok || len(rest) < len(timeLayout)+2 {
		return Info{}, false
	}
	t, err := time.Parse(timeLayout, rest[:len(timeLayout)])
	if err != nil || rest[len(timeLayout)] != '-' {
		return Info{}, false
	}
	return Info{Time: t, Kind: Kind(rest[len(timeLayout)+1:])}, true
}

// Keep says which copies to keep at now: every copy of the last 14 days, and the
// newest of each month of the last year.
func Keep(list []Info, now time.Time) []Info {
	var keep []Info
	months := map[string]bool{}
	for _, b := range list { // newest first
		age := now.Sub(b.Time)
		month := b.Time.UTC().Format("2006-01")
		switch {
		case age <= 14*24*time.Hour:
			keep = append(keep, b)
			months[month] = true
		case age <= 366*24*time.Hour && !months[month]:
			keep = append(keep, b)
			months[month] = true
		}
	}
	return keep
}

// Prune deletes the copies of prefix in dir that Keep does not keep, and returns them.
func Prune(dir, prefix string, now time.Time) ([]Info, error) {
	list, err := List(dir, prefix)
	if err != nil {
		return nil, err
	}
	keep := Keep(list, now)
	var removed []Info
	for _, b := range list {
		if slices.ContainsFunc(keep, func(k Info) bool { return k.Path == b.Path }) {
			continue
		}
		if err := os.Remove(b.Path); err != nil {
			return removed, fmt.Errorf("remove old backup: %w", err)
		}
		removed = append(removed, b)
	}
	return removed, nil
}
