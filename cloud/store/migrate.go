package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrations are the schema's numbered steps, NNNN_name.sql, applied in order. A step
// is never edited once released: a change to the schema is a new file. Each statement
// of a file ends with ";" at the end of a line.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	stmts   []string
}

// loadMigrations reads the embedded steps in version order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: the name must start with its number and _", base)
		}
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		out = append(out, migration{version: v, name: base, stmts: statements(string(text))})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want number %d, the steps must follow each other", m.name, i+1)
		}
	}
	return out, nil
}

// statements splits a migration at the semicolons that end a line, so that a ";"
// inside a string or a comment does not cut a statement.
func statements(text string) []string {
	var out []string
	var b strings.Builder
	for line := range strings.Lines(text) {
		b.WriteString(line)
		if t := strings.TrimSpace(line); strings.HasSuffix(t, ";") && !strings.HasPrefix(t, "--") {
			if stmt := strings.TrimSpace(b.String()); stmt != "" {
				out = append(out, stmt)
			}
			b.Reset()
		}
	}
	if strings.TrimSpace(stripComments(b.String())) != "" {
		out = append(out, strings.TrimSpace(b.String()))
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// schemaLock is the PostgreSQL advisory lock key that serialises migrations of
// server processes starting together on one database.
const schemaLock = 7007

// migrate brings the schema to the newest version, one transaction per step, and
// reads the epoch, creating it with the database. Each step runs under a lock held
// until its commit: on PostgreSQL the advisory lock, on SQLite the database's write
// lock (transactions begin IMMEDIATE). The version is read again under the lock, so
// two servers starting at once apply each step once.
func (db *DB) migrate(ctx context.Context) error {
	steps, err := loadMigrations(migrations)
	if err != nil {
		return err
	}
	for _, m := range steps {
		if err := db.tx(ctx, func(tx *sql.Tx) error { return db.applyStep(ctx, tx, m) }); err != nil {
			return fmt.Errorf("migrate to %s: %w", m.name, err)
		}
	}
	// An older server on a newer schema would write what the newer one cannot read.
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v > len(steps) {
		return fmt.Errorf("the database is at schema %d, this merci-cloud knows %d: run the newer merci-cloud that upgraded it", v, len(steps))
	}
	epoch, err := randomHex(16)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q("INSERT INTO meta (k, v) VALUES ('epoch', ?) ON CONFLICT (k) DO NOTHING"), epoch); err != nil {
			return fmt.Errorf("create epoch: %w", err)
		}
		if err := tx.QueryRowContext(ctx, "SELECT v FROM meta WHERE k = 'epoch'").Scan(&db.epoch); err != nil {
			return fmt.Errorf("read epoch: %w", err)
		}
		return nil
	})
}

func (db *DB) applyStep(ctx context.Context, tx *sql.Tx, m migration) error {
	if db.dialect == postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", schemaLock); err != nil {
			return fmt.Errorf("lock schema: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var done int
	err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM schema_version WHERE version = ?"), m.version).Scan(&done)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if done > 0 {
		return nil
	}
	for _, stmt := range m.stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%.60q: %w", stmt, err)
		}
	}
	if _, err := tx.ExecContext(ctx, db.q("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, db.millis()); err != nil {
		return fmt.Errorf("record schema version: %w", err)
	}
	return nil
}

// SchemaVersion returns the number of the newest schema step applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := db.r.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !v.Valid {
		return 0, errors.New("read schema version: no step applied")
	}
	return int(v.Int64), nil
}

// LatestSchema is the number of the newest schema step.
const LatestSchema = 6
