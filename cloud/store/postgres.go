package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// notifyChannel is the PostgreSQL LISTEN channel on which a push names its shop, so
// that every server process sharing the database wakes its waiting pulls.
const notifyChannel = "merci_push"

func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	db := newDB(pool, pool, postgres)
	if err := db.migrate(ctx); err != nil {
		close(db.done)
		pool.Close()
		return nil, fmt.Errorf("open %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	lctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	db.stop = stop
	ready := make(chan error, 1)
	go db.listen(lctx, cfg, ready)
	if err := <-ready; err != nil {
		db.Close()
		return nil, fmt.Errorf("listen for pushes: %w", err)
	}
	return db, nil
}

// listen relays NOTIFY messages of pushes, from this process or another, to the
// pulls waiting here. It reconnects until ctx ends; while it is down, waiting pulls
// only time out and are asked again.
func (db *DB) listen(ctx context.Context, cfg *pgx.ConnConfig, ready chan<- error) {
	defer close(db.done)
	first := true
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 10*time.Second) {
		err := db.listenOnce(ctx, cfg, func() {
			if first {
				first = false
				ready <- nil
			}
			delay = 100 * time.Millisecond
		})
		if first {
			ready <- err
			return
		}
		if ctx.Err() != nil {
			return
		}
		slog.Warn("push notifications interrupted", "err", err, "retry_in", delay)
		// Pulls may have missed a notification while the connection was down.
		db.hub.notifyAll()
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

func (db *DB) listenOnce(ctx context.Context, cfg *pgx.ConnConfig, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		db.hub.notify(n.Payload)
	}
}
