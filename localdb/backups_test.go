package localdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/backup"
)

func TestBackupFailureStaysUntilOneSucceeds(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	// A folder under a regular file: gone for root too, whom chmod does not stop.
	file := filepath.Join(t.TempDir(), "usb-stick")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBackupDir(ctx, filepath.Join(file, "merci")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(ctx, backup.KindAuto); err == nil {
		t.Fatal("Backup into a missing folder succeeded")
	}
	st, err := s.BackupStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.Err, "usb-stick") {
		t.Errorf("BackupStatus.Err = %q, want the reason, naming the folder", st.Err)
	}
	if err := s.SetBackupDir(ctx, ""); err != nil {
		t.Fatal(err)
	}
	info, err := s.Backup(ctx, backup.KindManual)
	if err != nil {
		t.Fatal(err)
	}
	if st, err = s.BackupStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Err != "" || !st.Last.Equal(info.Time) {
		t.Errorf("BackupStatus after a good copy = %+v, want no error and Last %v", st, info.Time)
	}
	list, err := s.Backups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Path != info.Path {
		t.Errorf("Backups = %+v, want the one copy %s", list, info.Path)
	}
}

// TestRestoreKeepsWhatWaited restores an older copy: the store goes back to it, the
// operations that waited for the cloud are kept, and the store as it was is copied first.
func TestRestoreKeepsWhatWaited(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	a := newAccount(t, s, "ana")
	credit(t, s, a.Code(), 1000)
	old, err := s.Backup(ctx, backup.KindManual)
	if err != nil {
		t.Fatal(err)
	}
	later, _ := credit(t, s, a.Code(), 2000)
	before := ledgerBalance(t, s, a.Customer.ID)
	waitingBefore, err := s.Outgoing(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// The copy before the restore is named by the clock: a minute on, it is the newest.
	s.Now = func() time.Time { return time.Now().Add(time.Minute) }
	if err := s.Restore(ctx, old.Path); err != nil {
		t.Fatal(err)
	}
	if got := ledgerBalance(t, s, a.Customer.ID); got != before {
		t.Errorf("balance after restore = %+v, want %+v: the waiting credit kept", got, before)
	}
	out, err := s.Outgoing(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range out {
		if q.ID == later.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the waiting credit is %d times in the outbox, want once", n)
	}
	// A push answered after the restore names the seqs it read before it: they must
	// match none of the restored outbox.
	for _, q := range out {
		for _, w := range waitingBefore {
			if q.Seq == w.Seq {
				t.Errorf("restored change %s has seq %d, the seq of %s before the restore", q.ID, q.Seq, w.ID)
			}
		}
	}
	list, err := s.Backups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Kind != backup.KindRestore {
		t.Errorf("Backups = %+v, want the copy made before the restore first", list)
	}
}

// A store opened elsewhere than in the data folder (a benchmark's in the temp folder, a
// copy on a USB stick) protects its files and leaves the folder to its owner.
func TestOpenLeavesAnotherFolderAlone(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := localdb.Open(context.Background(), filepath.Join(dir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for path, want := range map[string]os.FileMode{dir: 0o755, filepath.Join(dir, "copy.db"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %v, want %v", path, got, want)
		}
	}
}

func TestDataFolderIsTheOwnersOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "merci")
	s, err := localdb.Folder{Dir: dir}.OpenShop(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, localdb.ShopFile): 0o600,
		filepath.Join(dir, localdb.ShopFile+"-wal"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %v, want %v", path, got, want)
		}
	}
}
