// Package localdb is Merci's local SQLite store: the ledger of operations, customers,
// cards, settings, staff, and the outbox of changes waiting to reach the cloud.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so an operation whose
// commit returned survives a power cut, not only a crash of the app. The cost was
// measured (make bench): a credit commits in about the time of a bare one-row insert.
package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// Errors returned by the store.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists with different content")
)

// Store is the local database. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	path   string
	device string
	stmts  sync.Map // query text -> *sql.Stmt, for the statements of the counter's hot path
	nps    signal   // wakes kiosk windows of this process when an invitation is made
	// Now is the clock; tests replace it.
	Now func() time.Time
	// PINCost is bcrypt's work factor for the PINs set on this device. Tests lower it:
	// under the race detector one hash at the default cost takes a second.
	PINCost int
	pins    pinCache
}

// Open opens or creates the database at path, applies pending migrations and makes sure
// the device has an id.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	// Writers take the write lock when they begin, so that a balance read inside a write
	// transaction cannot be overtaken by another writer.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := ownerOnly(path); err != nil {
		db.Close()
		return nil, err
	}
	if err := backupBeforeMigration(ctx, db, path, time.Now()); err != nil {
		db.Close()
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	s := &Store{db: db, path: path, Now: time.Now, PINCost: bcrypt.DefaultCost}
	if s.device, err = s.deviceID(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// ownerOnly makes the database's files readable by the owner only: they hold the
// shop's customers (SQLite creates files with the umask's mode). The folder they are in
// is left as it is: it may be anyone's (a temp folder, a USB stick); Folder protects
// the data folder, which is Merci's own.
func ownerOnly(path string) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Chmod(path+suffix, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("protect %s: %w", path+suffix, err)
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// DB returns the underlying database, for packages of this module that keep their own
// tables in it (sync state, NPS answers).
func (s *Store) DB() *sql.DB { return s.db }

// Device returns this installation's id, made once when the database was created.
func (s *Store) Device() string { return s.device }

func (s *Store) deviceID(ctx context.Context) (string, error) {
	id, err := s.Meta(ctx, "device_id")
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	id = uuid.NewString()
	if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)`, id); err != nil {
		return "", fmt.Errorf("store device id: %w", err)
	}
	return s.Meta(ctx, "device_id")
}

// Meta returns a local, never-synced value such as the device id.
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("meta %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read meta %s: %w", key, err)
	}
	return v, nil
}

// SetMeta stores a local, never-synced value.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store meta %s: %w", key, err)
	}
	return nil
}

// stmt returns query prepared once, bound to tx when tx is not nil: SQLite spends more
// time parsing the counter's few statements than running them.
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	cached, ok := s.stmts.Load(query)
	if !ok {
		st, err := s.db.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		if cached, ok = s.stmts.LoadOrStore(query, st); ok {
			st.Close()
		}
	}
	st := cached.(*sql.Stmt)
	if tx != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return st, nil
}

func millis(t time.Time) int64 { return t.UnixMilli() }

// optMillis is millis for an optional instant: the zero time is stored as 0.
func optMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return millis(t)
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms) }
