package localdb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/localdb/backup"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies, in order and each in its own transaction, the embedded migrations
// newer than the database's user_version.
func migrate(ctx context.Context, db *sql.DB) error {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if n <= current {
			continue
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", base, err)
		}
		if err := inTx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			// PRAGMA takes no parameters; n is a number we parsed.
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n))
			return err
		}); err != nil {
			return fmt.Errorf("apply migration %s: %w", base, err)
		}
	}
	return nil
}

// backupBeforeMigration copies a database that has data to its backup folder before
// its schema is upgraded: an upgrade that goes wrong must not cost the shop its data.
// Should the owner's folder fail (a USB stick left at home), the copy goes to the
// default folder beside the database rather than hold the shop's start up.
func backupBeforeMigration(ctx context.Context, db *sql.DB, path string, now time.Time) error {
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	latest, err := latestMigration()
	if err != nil {
		return err
	}
	if current == 0 || current >= latest {
		return nil
	}
	dir, err := backupDir(ctx, db, path)
	if err != nil {
		return err
	}
	_, err = backup.Create(ctx, db, dir, backupPrefix(path), backup.KindMigration, now)
	if err != nil && dir != defaultBackupDir(path) {
		_, err = backup.Create(ctx, db, defaultBackupDir(path), backupPrefix(path), backup.KindMigration, now)
	}
	if err != nil {
		return fmt.Errorf("back up before upgrading the database: %w", err)
	}
	return nil
}

// latestMigration returns the number of the newest embedded migration.
func latestMigration() (int, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return 0, fmt.Errorf("list migrations: %w", err)
	}
	latest := 0
	for _, name := range names {
		n, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil {
			return 0, fmt.Errorf("migration %s: name must start with its number", name)
		}
		latest = max(latest, n)
	}
	return latest, nil
}

// inTx runs fn in a transaction, committing if it returns nil.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error that made us roll back is the one to report
		return err
	}
	return tx.Commit()
}
