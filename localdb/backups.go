package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/localdb/backup"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// The local, never-synced values of the backups: each device backs up its own store.
const (
	metaBackupDir   = "backup_dir"   // the folder the owner chose; empty: DefaultBackupDir
	metaBackupLast  = "backup_last"  // Unix ms of the last good copy
	metaBackupError = "backup_error" // why the last copy failed; empty once one succeeds
)

// BackupStatus is how the store's backups stand.
type BackupStatus struct {
	Dir  string
	Last time.Time // the last good copy, zero if none
	Err  string    // why the last attempt failed; empty if it succeeded
}

// BackupDir returns the folder copies of the store go to: the owner's choice, else a
// "backups" folder beside the store.
func (s *Store) BackupDir(ctx context.Context) (string, error) {
	return backupDir(ctx, s.db, s.path)
}

func backupDir(ctx context.Context, q queryRower, path string) (string, error) {
	var dir string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaBackupDir).Scan(&dir)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read the backup folder: %w", err)
	}
	if dir == "" {
		dir = defaultBackupDir(path)
	}
	return dir, nil
}

func defaultBackupDir(path string) string { return filepath.Join(filepath.Dir(path), "backups") }

// backupPrefix names the copies of the database at path: merci-…, demo-….
func backupPrefix(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// SetBackupDir chooses the folder copies go to; empty goes back to the default.
func (s *Store) SetBackupDir(ctx context.Context, dir string) error {
	if dir != "" && !filepath.IsAbs(dir) {
		return fmt.Errorf("backup folder %q: %w", dir, errRelative)
	}
	return s.SetMeta(ctx, metaBackupDir, dir)
}

var errRelative = errors.New("must be an absolute path")

// BackupStatus returns the folder, the last good copy and the last failure.
func (s *Store) BackupStatus(ctx context.Context) (BackupStatus, error) {
	var st BackupStatus
	var err error
	if st.Dir, err = s.BackupDir(ctx); err != nil {
		return st, err
	}
	last, err := s.Meta(ctx, metaBackupLast)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return st, err
	}
	if ms, perr := strconv.ParseInt(last, 10, 64); perr == nil {
		st.Last = fromMillis(ms)
	}
	st.Err, err = s.Meta(ctx, metaBackupError)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return st, err
	}
	return st, nil
}

// Backups lists the store's copies in its backup folder, newest first.
func (s *Store) Backups(ctx context.Context) ([]backup.Info, error) {
	dir, err := s.BackupDir(ctx)
	if err != nil {
		return nil, err
	}
	return backup.List(dir, backupPrefix(s.path))
}

// Backup copies the store to its backup folder, verifies the copy, deletes the copies
// past their time, and records the result: a failure stays in BackupStatus until a copy
// succeeds.
func (s *Store) Backup(ctx context.Context, kind backup.Kind) (backup.Info, error) {
	dir, err := s.BackupDir(ctx)
	if err != nil {
		return backup.Info{}, err
	}
	now := s.Now().Truncate(time.Millisecond) // as precise as the file's name
	info, err := backup.Create(ctx, s.db, dir, backupPrefix(s.path), kind, now)
	if err == nil {
		_, err = backup.Prune(dir, backupPrefix(s.path), now)
	}
	if err != nil {
		err = fmt.Errorf("back up to %s: %w", dir, err)
		return backup.Info{}, errors.Join(err, s.SetMeta(ctx, metaBackupError, err.Error()))
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?), (?, '')
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			metaBackupLast, strconv.FormatInt(millis(info.Time), 10), metaBackupError)
		return err
	})
	if err != nil {
		return info, fmt.Errorf("record the backup: %w", err)
	}
	return info, nil
}

// Restore replaces the store's content with the copy at path, after copying the store
// as it is (kind restore). The copy's schema is upgraded if it is older. The changes
// that waited for the cloud are kept: the operations apply again (once, by id) and
// every waiting change is queued again, so nothing made on this device is lost.
// On a device connected to the cloud, the restored sync cursor is older: the next pull
// brings back what the cloud got since, and the copy's outbox pushes again what the
// cloud may already have, which it answers as duplicates.
func (s *Store) Restore(ctx context.Context, path string) error {
	if _, err := backup.Verify(ctx, path); err != nil {
		return err
	}
	if _, err := s.Backup(ctx, backup.KindRestore); err != nil {
		return fmt.Errorf("keep the current database before the restore: %w", err)
	}
	waiting, err := s.queued(ctx, `SELECT seq, change_id, type, key, body, at FROM outbox ORDER BY seq`)
	if err != nil {
		return err
	}
	dir, err := s.BackupDir(ctx)
	if err != nil {
		return err
	}
	if err := backup.Restore(ctx, s.db, path); err != nil {
		return err
	}
	// The folder is this device's choice, not the copy's.
	if err := s.SetMeta(ctx, metaBackupDir, dir); err != nil {
		return err
	}
	if err := migrate(ctx, s.db); err != nil {
		return fmt.Errorf("upgrade the restored database: %w", err)
	}
	s.stmts.Clear() // prepared against the schema before the restore
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := renumberOutbox(ctx, tx, waiting); err != nil {
			return err
		}
		return s.requeue(ctx, tx, waiting)
	})
}

// renumberOutbox moves the restored outbox's changes past every seq the outbox had
// before the restore, in their order: a push in flight during the restore is answered
// by seq (Acknowledge), and must not take out of the outbox another change that had
// the same seq in the copy. What it pushed is pushed again, and answered as duplicate.
func renumberOutbox(ctx context.Context, tx *sql.Tx, before []Queued) error {
	var oldMax int64
	for _, q := range before {
		oldMax = max(oldMax, q.Seq)
	}
	// Past both the old and the restored numbers, so that no row meets another midway.
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET seq = seq + ? + (SELECT coalesce(max(abs(seq)), 0) FROM outbox) + 1`, oldMax)
	if err != nil {
		return fmt.Errorf("renumber the restored outbox: %w", err)
	}
	return nil
}

// requeue puts changes that waited before a restore back in the outbox, those it
// lacks, and applies their operations.
func (s *Store) requeue(ctx context.Context, tx *sql.Tx, waiting []Queued) error {
	for _, q := range waiting {
		if q.Type == syncwire.TypeOp {
			var op loyalty.Operation
			if err := json.Unmarshal(q.Body, &op); err != nil {
				return fmt.Errorf("operation %s waiting before the restore: %w", q.ID, err)
			}
			if _, err := s.ApplyRemote(ctx, tx, op); err != nil {
				return fmt.Errorf("operation %s waiting before the restore: %w", q.ID, err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (change_id, type, key, body, at)
			SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE change_id = ?)`,
			q.ID, q.Type, q.Key, string(q.Body), millis(q.At), q.ID)
		if err != nil {
			return fmt.Errorf("queue change %s again: %w", q.ID, err)
		}
	}
	return nil
}
