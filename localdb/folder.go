package localdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Folder is a device's data folder. The shop's store (ShopFile) and the demo's
// (DemoFile) are two databases, so that nothing of the demo can reach the shop's
// account: the demo is never enrolled (ErrDemo), and leaving it deletes it.
type Folder struct {
	Dir string
	Log *slog.Logger
}

// The files of a data folder.
const (
	ShopFile = "merci.db"
	DemoFile = "demo.db"
)

// Start is what a device opens on start.
type Start int

// The starts.
const (
	StartChoice Start = iota // nothing yet: ask what the device is for
	StartDemo                // the demo shop, which the newcomer chose to try
	StartShop                // the shop's store: set up here, or joined (perhaps still pulling)
)

// Start says what the device opens. A shop store that holds the demo shop seeded by
// an older version, never connected to a cloud account, is moved aside to the demo's
// file first: it was only ever the demo, and left where it is it would be taken for
// the shop and could be connected. One that was connected is the shop's, demo name
// and all, and stays.
func (f Folder) Start(ctx context.Context) (Start, error) {
	if err := f.moveOldDemo(ctx); err != nil {
		return 0, err
	}
	if exists(f.path(ShopFile)) {
		s, err := f.open(ctx, ShopFile)
		if err != nil {
			return 0, err
		}
		defer s.Close()
		if used, err := s.inUse(ctx); err != nil || used {
			return StartShop, err
		}
	}
	if exists(f.path(DemoFile)) {
		return StartDemo, nil
	}
	return StartChoice, nil
}

// inUse reports whether the store holds a shop, or is enrolled or joining one.
func (s *Store) inUse(ctx context.Context) (bool, error) {
	var used bool
	err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM settings WHERE key = ?) OR EXISTS (SELECT 1 FROM sync_state)`,
		SettingShop).Scan(&used)
	if err != nil {
		return false, fmt.Errorf("look for a shop: %w", err)
	}
	return used, nil
}

// OpenDemo opens the demo shop, made on first use.
func (f Folder) OpenDemo(ctx context.Context) (*Store, error) {
	s, err := f.open(ctx, DemoFile)
	if err != nil {
		return nil, err
	}
	if _, err := s.SeedDemo(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// RemoveDemo deletes the demo shop, once its store is closed.
func (f Folder) RemoveDemo() error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(f.path(DemoFile) + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the demo: %w", err)
		}
	}
	return nil
}

// open opens the store in the file name of the data folder, which it makes readable by
// the owner only, as an older version may have left it.
func (f Folder) open(ctx context.Context, name string) (*Store, error) {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	if err := os.Chmod(f.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("protect the data folder: %w", err)
	}
	return Open(ctx, f.path(name))
}

// OpenShop opens the shop's store, empty on first use.
func (f Folder) OpenShop(ctx context.Context) (*Store, error) {
	return f.open(ctx, ShopFile)
}

// moveOldDemo moves an older version's demo out of the shop's file: see Start.
func (f Folder) moveOldDemo(ctx context.Context) error {
	if !exists(f.path(ShopFile)) {
		return nil
	}
	s, err := f.open(ctx, ShopFile)
	if err != nil {
		return err
	}
	shop, err := s.Shop(ctx)
	old := err == nil && shop.Demo
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.Close()
		return err
	}
	if old {
		if _, err := s.SyncState(ctx); err == nil {
			old = false // connected: the shop's, demo name and all
		} else if !errors.Is(err, ErrNotFound) {
			s.Close()
			return err
		}
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.path(ShopFile), err)
	}
	if !old {
		return nil
	}
	to := f.path(DemoFile)
	if exists(to) {
		// Both cannot come from this version; keep the older one rather than lose it.
		to = f.path(fmt.Sprintf("demo-%s.db", time.Now().UTC().Format("20060102-150405")))
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(f.path(ShopFile)+suffix, to+suffix); err != nil && (suffix == "" || !errors.Is(err, os.ErrNotExist)) {
			return fmt.Errorf("move the demo aside: %w", err)
		}
	}
	demo, err := Open(ctx, to)
	if err != nil {
		return err
	}
	defer demo.Close()
	if err := demo.markDemo(ctx); err != nil {
		return err
	}
	if f.Log != nil {
		f.Log.Info("moved the demo shop of an older version aside", "from", f.path(ShopFile), "to", to)
	}
	return nil
}

func (f Folder) path(name string) string { return filepath.Join(f.Dir, name) }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
