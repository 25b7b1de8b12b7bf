// Package store keeps the cloud server's state: shops, devices and their tokens, the
// per-shop change log that devices push to and pull from, and the projections the server
// reads itself (balances, cards, overdrawn customers, the email outbox).
//
// One implementation runs on two databases through database/sql: an embedded SQLite
// file (modernc.org/sqlite) for one box, or PostgreSQL (pgx) shared by several server
// processes. The SQL is written once, with ? placeholders rewritten for PostgreSQL.
//
// Ordering never comes from a clock or a database sequence: each shop has a version
// counter, bumped inside the push transaction while the shop's row is locked, so a pull
// that has seen version N has seen every change at or below N.
package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Errors the store returns; the HTTP layer maps them to status codes.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unknown, revoked or expired credential")
	ErrInvalid      = errors.New("invalid input")
)

// DB is the server's database. It is safe for concurrent use.
type DB struct {
	w, r    *sql.DB // w serialises writers on SQLite; on PostgreSQL w == r
	dialect dialect
	epoch   string
	hub     *hub

	// Now returns the time; tests replace it. It stamps records and schedules
	// retries, never orders changes.
	Now func() time.Time
	// Quotas bound each shop; set them before serving. [DefaultQuotas]
	Quotas Quotas

	rebound sync.Map // query text -> query for the dialect
	stop    context.CancelFunc
	done    chan struct{}
}

type dialect int

const (
	sqlite dialect = iota
	postgres
)

// Open opens the database named by dsn: a postgres:// or postgresql:// URL, or else the
// path of a SQLite file, created if missing. It creates the schema and the epoch the
// first time.
func Open(ctx context.Context, dsn string) (*DB, error) {
	open := openSQLite
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		open = openPostgres
	}
	return open(ctx, dsn)
}

func newDB(w, r *sql.DB, d dialect) *DB {
	return &DB{w: w, r: r, dialect: d, hub: newHub(), Now: time.Now, Quotas: DefaultQuotas, done: make(chan struct{})}
}

// Epoch returns the random id of this copy of the database. It changes when the
// database is restored from a backup (RotateEpoch), so that devices notice that
// changes the server had acknowledged may be gone, and push them again.
func (db *DB) Epoch() string { return db.epoch }

// RotateEpoch gives the database a new epoch and returns it. Run it, through
// `merci-cloud restore`, on a database restored from a backup before serving it.
func (db *DB) RotateEpoch(ctx context.Context) (string, error) {
	epoch, err := randomHex(16)
	if err != nil {
		return "", err
	}
	if _, err := db.w.ExecContext(ctx, db.q("UPDATE meta SET v = ? WHERE k = 'epoch'"), epoch); err != nil {
		return "", fmt.Errorf("rotate epoch: %w", err)
	}
	db.epoch = epoch
	return epoch, nil
}

// Close stops the background listener and closes the database.
func (db *DB) Close() error {
	if db.stop != nil {
		db.stop()
		<-db.done
	}
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.r.PingContext(ctx)
}

// q rewrites a query's ? placeholders as $1, $2... for PostgreSQL.
func (db *DB) q(query string) string {
	if db.dialect != postgres {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	db.rebound.Store(query, b.String())
	return b.String()
}

// tx runs f in a write transaction and commits it when f returns nil.
func (db *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := f(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// lockShop takes the shop's row lock for the rest of tx and returns its version.
// Every transaction that appends changes takes it first, so appends to one shop are
// serialised and commit in version order.
func (db *DB) lockShop(ctx context.Context, tx *sql.Tx, shopID string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, db.q("UPDATE shops SET version = version WHERE id = ? RETURNING version"), shopID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("shop %s: %w", shopID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("lock shop: %w", err)
	}
	return v, nil
}

// setVersion stores the shop's version at the end of an appending transaction, and
// the storage it uses unless stored is nil, and tells the other server processes
// sharing a PostgreSQL database, on commit: all in one round trip.
func (db *DB) setVersion(ctx context.Context, tx *sql.Tx, shopID string, v int64, stored *int64) error {
	set, args := "version = ?", []any{v}
	if stored != nil {
		set, args = set+", stored_bytes = ?", append(args, *stored)
	}
	query := "UPDATE shops SET " + set + " WHERE id = ?"
	if db.dialect == postgres {
		query = "WITH bumped AS (" + query + " RETURNING id) SELECT pg_notify('" + notifyChannel + "', id) FROM bumped"
	}
	if _, err := tx.ExecContext(ctx, db.q(query), append(args, shopID)...); err != nil {
		return fmt.Errorf("bump version: %w", err)
	}
	return nil
}

func (db *DB) millis() int64 { return db.Now().UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
