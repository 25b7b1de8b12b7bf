package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/merci-loyalty/merci/syncwire"
)

// A device joins its shop's cloud account in two steps: BeginJoin records the
// enrollment but hides it from SyncState, so that the sync loop pushes nothing while the
// shop is pulled; FinishJoin then settles what the device brought and lets the loop
// run. Two rules keep a shop's account clean: the demo shop never joins one (ErrDemo),
// and data a store made on its own joins only by an explicit choice (ErrOwnData).

// Local, never-synced markers in meta.
const (
	metaDemo    = "demo"    // "1": this store is the demo shop
	metaJoining = "joining" // the shop id while the device pulls it before it may push
)

// Errors of joining a shop.
var (
	// ErrDemo: the demo shop is never connected to a cloud account, so that nothing of
	// it reaches a real shop.
	ErrDemo = errors.New("the demo shop cannot be connected to a shop's account")
	// ErrOwnData: the store holds customers, operations or settings of its own, which
	// join a shop's account only by an explicit choice (LocalData).
	ErrOwnData = errors.New("this device holds data of its own")
)

// LocalData is what becomes of a store's own data when it joins a shop's account.
type LocalData int

// The choices.
const (
	// LocalDataNone: the store must hold none (ErrOwnData otherwise).
	LocalDataNone LocalData = iota
	// LocalDataBring: its customers, cards, operations and staff join the shop as new
	// ones; the shop's settings (program, name, logo) win over the store's, which go
	// up only where the shop has none, as for the first device of a new shop.
	LocalDataBring
	// LocalDataDiscard: the store is emptied before the shop is pulled; a copy of it is
	// kept beside it (JoinStart.Backup).
	LocalDataDiscard
)

// OwnData counts what a store holds that no shop's account has: what connecting it
// would send.
type OwnData struct {
	Customers  int
	Operations int
	Changes    int // changes waiting to be sent, settings and staff included
}

// Empty reports whether there is nothing.
func (o OwnData) Empty() bool { return o == OwnData{} }

// IsDemo reports whether the store is the demo shop.
func (s *Store) IsDemo(ctx context.Context) (bool, error) { return isDemo(ctx, s.db) }

func isDemo(ctx context.Context, q queryRower) (bool, error) {
	var demo bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM meta WHERE key = ? AND value = '1')`, metaDemo).Scan(&demo)
	if err != nil {
		return false, fmt.Errorf("read demo flag: %w", err)
	}
	return demo, nil
}

// OwnData counts the store's own data. A store enrolled in a shop has none: what it
// holds came from that shop or goes to it anyway.
func (s *Store) OwnData(ctx context.Context) (OwnData, error) {
	if _, err := syncState(ctx, s.db); err == nil {
		return OwnData{}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return OwnData{}, err
	}
	return ownData(ctx, s.db)
}

func ownData(ctx context.Context, q queryRower) (OwnData, error) {
	var o OwnData
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM operations),
		(SELECT count(*) FROM outbox)`).Scan(&o.Customers, &o.Operations, &o.Changes)
	if err != nil {
		return o, fmt.Errorf("count own data: %w", err)
	}
	return o, nil
}

// JoinStart is what BeginJoin did.
type JoinStart struct {
	Backup string // the copy of the discarded store, with LocalDataDiscard
}

// BeginJoin records that the device was enrolled in the shop st names and starts
// pulling it: until FinishJoin, SyncState reports no enrollment, so the sync loop
// pushes nothing. local says what becomes of the store's own data; with LocalDataNone,
// a store that holds some is refused with ErrOwnData, as the demo is with ErrDemo. A
// store enrolled in the same shop before (a device connected again) keeps its data
// and its cursor.
func (s *Store) BeginJoin(ctx context.Context, st SyncState, local LocalData) (JoinStart, error) {
	if demo, err := s.IsDemo(ctx); err != nil {
		return JoinStart{}, err
	} else if demo {
		return JoinStart{}, ErrDemo
	}
	var start JoinStart
	old, err := syncState(ctx, s.db)
	same := err == nil && old.ShopID == st.ShopID
	if err != nil && !errors.Is(err, ErrNotFound) {
		return start, err
	}
	if !same {
		own, err := ownData(ctx, s.db)
		if err != nil {
			return start, err
		}
		switch {
		case own.Empty():
		case local == LocalDataNone:
			return start, fmt.Errorf("%w: %d customers, %d operations, %d changes", ErrOwnData, own.Customers, own.Operations, own.Changes)
		case local == LocalDataDiscard:
			if start.Backup, err = s.backup(ctx, "before-join"); err != nil {
				return start, err
			}
		}
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if !same && local == LocalDataDiscard {
			if err := wipe(ctx, tx); err != nil {
				return err
			}
		}
		if err := s.saveEnrollment(ctx, tx, st); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaJoining, st.ShopID)
		if err != nil {
			return fmt.Errorf("mark joining: %w", err)
		}
		return nil
	})
	return start, err
}

// Joining returns the sync state of a join begun and not finished, as after a crash
// in the middle of the first pull; ErrNotFound if there is none.
func (s *Store) Joining(ctx context.Context) (SyncState, error) {
	return readSyncState(ctx, s.db, `AND EXISTS (SELECT 1 FROM meta WHERE key = '`+metaJoining+`')`)
}

// FinishJoin ends a join once the shop is pulled: the shop's settings win over those
// the device brought, which leave the outbox, and the sync loop may push the rest.
func (s *Store) FinishJoin(ctx context.Context) error {
	now := millis(s.Now())
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT key, body, version FROM held WHERE type = ?`, syncwire.TypeSetting)
		if err != nil {
			return fmt.Errorf("read the shop's settings: %w", err)
		}
		var shop []syncwire.Pulled
		for rows.Next() {
			var p syncwire.Pulled
			var body string
			if err := rows.Scan(&p.Key, &body, &p.Version); err != nil {
				rows.Close()
				return fmt.Errorf("read the shop's settings: %w", err)
			}
			p.Type, p.Body = syncwire.TypeSetting, []byte(body)
			shop = append(shop, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read the shop's settings: %w", err)
		}
		for _, p := range shop {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE type = ? AND key = ?`, p.Type, p.Key); err != nil {
				return fmt.Errorf("drop setting %s: %w", p.Key, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM held WHERE type = ? AND key = ?`, p.Type, p.Key); err != nil {
				return fmt.Errorf("drop setting %s: %w", p.Key, err)
			}
			if err := s.applyRecord(ctx, tx, p, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, metaJoining); err != nil {
			return fmt.Errorf("finish joining: %w", err)
		}
		return nil
	})
}

// Counts counts the customers and operations the store holds, to show a join's
// progress.
func (s *Store) Counts(ctx context.Context) (customers, operations int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM operations)`).Scan(&customers, &operations)
	if err != nil {
		return 0, 0, fmt.Errorf("count customers and operations: %w", err)
	}
	return customers, operations, nil
}

// backup writes a copy of the database beside it, named for why and the time, and
// returns its path.
func (s *Store) backup(ctx context.Context, why string) (string, error) {
	base := strings.TrimSuffix(filepath.Base(s.path), filepath.Ext(s.path))
	path := filepath.Join(filepath.Dir(s.path), fmt.Sprintf("%s-%s-%s.db", base, why, s.Now().UTC().Format("20060102-150405")))
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return "", fmt.Errorf("keep a copy in %s: %w", path, err)
	}
	return path, nil
}

// wipe empties every table but meta, where the device's id lives, as a new store is. Deleting rows fires
// the triggers of the summary tables: a second pass empties what they wrote.
func wipe(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return fmt.Errorf("empty the store: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_schema
		WHERE type = 'table' AND name NOT IN ('meta') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return fmt.Errorf("empty the store: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("empty the store: %w", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("empty the store: %w", err)
	}
	for range 2 {
		for _, t := range tables {
			// The names come from the schema, not from input.
			if _, err := tx.ExecContext(ctx, `DELETE FROM "`+t+`"`); err != nil {
				return fmt.Errorf("empty %s: %w", t, err)
			}
		}
	}
	// The fold's watermark row, as migration 0006 made it: nothing folded yet.
	if _, err := tx.ExecContext(ctx, `INSERT INTO op_fold (id, watermark) VALUES (1, '')`); err != nil {
		return fmt.Errorf("empty the store: %w", err)
	}
	return nil
}

// markDemo marks the store as the demo shop, for good.
func (s *Store) markDemo(ctx context.Context) error { return s.SetMeta(ctx, metaDemo, "1") }
