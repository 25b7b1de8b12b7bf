package store

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestStatementsSplitAtTheEndOfALine(t *testing.T) {
	text := "-- a comment; with a semicolon;\nCREATE TABLE t (v TEXT DEFAULT 'a;b');\n" +
		"INSERT INTO t (v)\n\tVALUES ('x');\n-- trailing comment\n"
	got := statements(text)
	want := []string{
		"-- a comment; with a semicolon;\nCREATE TABLE t (v TEXT DEFAULT 'a;b');",
		"INSERT INTO t (v)\n\tVALUES ('x');",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
}

func TestLoadMigrationsWantsNumberedSteps(t *testing.T) {
	step := &fstest.MapFile{Data: []byte("SELECT 1;\n")}
	for name, fsys := range map[string]fstest.MapFS{
		"a gap":       {"migrations/0001_a.sql": step, "migrations/0003_c.sql": step},
		"no number":   {"migrations/init.sql": step},
		"a duplicate": {"migrations/0001_a.sql": step, "migrations/0001_b.sql": step},
	} {
		if _, err := loadMigrations(fsys); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	steps, err := loadMigrations(fstest.MapFS{"migrations/0002_b.sql": step, "migrations/0001_a.sql": step})
	if err != nil || len(steps) != 2 || steps[0].name != "0001_a.sql" || steps[1].version != 2 {
		t.Errorf("loadMigrations = %+v, %v; want 0001 then 0002", steps, err)
	}
	embedded, err := loadMigrations(migrations)
	if err != nil || len(embedded) != LatestSchema {
		t.Errorf("embedded migrations = %d, %v; want %d", len(embedded), err, LatestSchema)
	}
}
