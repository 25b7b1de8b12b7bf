package backup_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/localdb/backup"
	_ "modernc.org/sqlite"
)

// openWAL opens a database like the store's: WAL, a pool of connections.
func openWAL(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE ops (id INTEGER PRIMARY KEY, body TEXT NOT NULL); CREATE TABLE meta (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		if _, err := db.Exec(`INSERT INTO ops (body) VALUES (?)`, "operation body of some length"); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestCreateVerifiesAndLists(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openWAL(t, filepath.Join(dir, "merci.db"))
	at := time.Date(2026, 12, 6, 16, 30, 0, 0, time.UTC)
	info, err := backup.Create(ctx, db, filepath.Join(dir, "backups"), "merci", backup.KindManual, at)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := backup.Verify(ctx, info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(backup.Counts{"ops": 500, "meta": 0}, counts); diff != "" {
		t.Errorf("counts of the copy (-want +got):\n%s", diff)
	}
	list, err := backup.List(filepath.Join(dir, "backups"), "merci")
	if err != nil {
		t.Fatal(err)
	}
	want := []backup.Info{{Path: info.Path, Time: at, Kind: backup.KindManual, Size: info.Size}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if info.Size == 0 {
		t.Errorf("Size = 0, want the copy's size")
	}
	fi, err := os.Stat(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("copy mode = %v, want 0600", got)
	}
	for _, leftover := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(info.Path + leftover); err == nil {
			t.Errorf("%s left beside the copy: a copy is one file", leftover)
		}
	}
}

// TestCreateWhileWriting copies while another connection writes: the copy is one
// snapshot, so it verifies against the counts of that snapshot.
func TestCreateWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openWAL(t, filepath.Join(dir, "merci.db"))
	stop := make(chan struct{})
	written := make(chan error)
	go func() {
		for {
			select {
			case <-stop:
				written <- nil
				return
			default:
			}
			if _, err := db.Exec(`INSERT INTO ops (body) VALUES ('written during the copy')`); err != nil {
				written <- err
				return
			}
		}
	}()
	for i := 0; i < 5; i++ {
		if _, err := backup.Create(ctx, db, dir, "merci", backup.KindAuto, time.Now().Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-written; err != nil {
		t.Fatalf("a write during the copy failed: %v", err)
	}
}

func TestCreateFailsWithoutFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openWAL(t, filepath.Join(dir, "merci.db"))
	// A folder under a regular file cannot exist, even for root.
	file := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Create(ctx, db, filepath.Join(file, "backups"), "merci", backup.KindAuto, time.Now()); err == nil {
		t.Fatal("Create into a folder under a file succeeded")
	}
}

func TestVerifyCatchesDamage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openWAL(t, filepath.Join(dir, "merci.db"))
	info, err := backup.Create(ctx, db, dir, "merci", backup.KindManual, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(info.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite the pages after the schema with garbage.
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = 0xA5
	}
	if _, err := f.WriteAt(junk, 8192); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := backup.Verify(ctx, info.Path); err == nil {
		t.Error("Verify of a damaged copy succeeded")
	}
}

func TestRestoreReplacesContent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openWAL(t, filepath.Join(dir, "merci.db"))
	info, err := backup.Create(ctx, db, dir, "merci", backup.KindManual, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM ops WHERE id > 100`); err != nil {
		t.Fatal(err)
	}
	if err := backup.Restore(ctx, db, info.Path); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ops`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 500 {
		t.Errorf("rows after restore = %d, want 500", n)
	}
}

func TestKeep(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var list []backup.Info
	// Two copies a day for 400 days, newest first.
	for h := 0; h < 400*24; h += 12 {
		list = append(list, backup.Info{Path: time.Duration(h).String(), Time: now.Add(-time.Duration(h) * time.Hour)})
	}
	keep := backup.Keep(list, now)
	recent, months := 0, map[string]int{}
	for _, k := range keep {
		if now.Sub(k.Time) <= 14*24*time.Hour {
			recent++
			continue
		}
		if now.Sub(k.Time) > 366*24*time.Hour {
			t.Errorf("kept a copy of %v, older than a year", k.Time)
		}
		months[k.Time.Format("2006-01")]++
	}
	if recent != 29 {
		t.Errorf("kept %d copies of the last 14 days, want all 29", recent)
	}
	for m, n := range months {
		if n != 1 {
			t.Errorf("kept %d copies of %s, want 1", n, m)
		}
	}
	// November and December 2026 are covered by the recent copies; December 2025 to
	// October 2026, one each.
	if len(months) != 11 {
		t.Errorf("kept copies of %d older months, want 11: %v", len(months), months)
	}
}

// manualClock is moved by the test: After hands the wait to the test, which fires it.
type manualClock struct {
	now   time.Time
	waits chan wait
}

type wait struct {
	d    time.Duration
	fire chan time.Time
}

func (c *manualClock) Now() time.Time { return c.now }

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	w := wait{d, make(chan time.Time, 1)}
	c.waits <- w
	return w.fire
}

func TestScheduleTwiceADayAndRetry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := &manualClock{now: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC), waits: make(chan wait)}
	type call struct{ at time.Time }
	calls := make(chan call)
	results := make(chan error)
	s := backup.Schedule{Clock: clock, Backup: func(context.Context) (backup.Info, error) {
		calls <- call{clock.now}
		err := <-results
		return backup.Info{Time: clock.now}, err
	}}
	done := make(chan struct{})
	go func() {
		s.Run(ctx, time.Time{})
		close(done)
	}()
	// Never backed up: a copy at once.
	if c := <-calls; !c.at.Equal(clock.now) {
		t.Errorf("first copy at %v, want at start", c.at)
	}
	results <- nil
	w := <-clock.waits
	if w.d != 12*time.Hour {
		t.Errorf("wait after a good copy = %v, want 12h", w.d)
	}
	clock.now = clock.now.Add(w.d)
	w.fire <- clock.now
	<-calls
	results <- errors.New("disk full")
	if w = <-clock.waits; w.d != 15*time.Minute {
		t.Errorf("wait after a failed copy = %v, want 15m", w.d)
	}
	clock.now = clock.now.Add(w.d)
	w.fire <- clock.now
	<-calls
	results <- nil
	if w = <-clock.waits; w.d != 12*time.Hour {
		t.Errorf("wait after the retry succeeded = %v, want 12h", w.d)
	}
	cancel()
	<-done
}

func TestScheduleCountsFromTheLastCopy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	clock := &manualClock{now: start, waits: make(chan wait)}
	s := backup.Schedule{Clock: clock, Backup: func(context.Context) (backup.Info, error) {
		t.Error("a copy made before it was due")
		return backup.Info{}, nil
	}}
	done := make(chan struct{})
	go func() {
		s.Run(ctx, start.Add(-5*time.Hour))
		close(done)
	}()
	if w := <-clock.waits; w.d != 7*time.Hour {
		t.Errorf("first wait = %v, want the 7h left of 12h", w.d)
	}
	cancel()
	<-done
}
