package localdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/localdb/backup"
)

// TestBackupBeforeMigration copies a store whose schema is older than this version's
// before it is upgraded, into the default folder when the owner's is gone.
func TestBackupBeforeMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), ShopFile)
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 6, 17, 0, 0, 0, time.UTC)
	if err := backupBeforeMigration(ctx, s.db, path, now); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Backups(ctx); len(list) != 0 {
		t.Fatalf("a store up to date was copied: %+v", list)
	}
	// The owner's folder is gone: a path under a regular file, which fails for root too.
	if err := s.SetBackupDir(ctx, filepath.Join(path, "backups")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	if err := backupBeforeMigration(ctx, s.db, path, now); err != nil {
		t.Fatal(err)
	}
	list, err := backup.List(defaultBackupDir(path), "merci")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Kind != backup.KindMigration || !list[0].Time.Equal(now) {
		t.Errorf("copies before the upgrade = %+v, want one of kind migration at %v", list, now)
	}
}
