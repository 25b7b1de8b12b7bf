package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

func TestMain(m *testing.M) {
	// Run as the command itself, for the tests of its exit status.
	if args, ok := os.LookupEnv("MERCI_CLOUD_TEST_ARGS"); ok {
		os.Args = append([]string{"merci-cloud"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command runs merci-cloud with args in a process of its own and returns its exit
// status and outputs.
func command(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MERCI_CLOUD_TEST_ARGS="+strings.Join(args, " "), "MERCI_CLOUD_DB="+filepath.Join(t.TempDir(), "cloud.db"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		if code, stdout, _ := command(t, args...); code != 0 || !strings.Contains(stdout, "usage:") || !strings.Contains(stdout, "shop delete") {
			t.Errorf("merci-cloud %s: exit %d, stdout %q; want 0 and the usage", args[0], code, stdout)
		}
	}
	for _, args := range [][]string{{"serve", "--help"}, {"shop", "delete", "-h"}} {
		if code, _, stderr := command(t, args...); code != 0 || !strings.Contains(stderr, "-db") {
			t.Errorf("merci-cloud %s: exit %d, stderr %q; want 0 and the flags", strings.Join(args, " "), code, stderr)
		}
	}
	if code, _, stderr := command(t, "nonsense"); code != 1 || !strings.Contains(stderr, "usage:") {
		t.Errorf("merci-cloud nonsense: exit %d, stderr %q; want 1 and the usage", code, stderr)
	}
	if code, _, stderr := command(t, "serve", "--trusted-proxy", "proxy.example"); code == 0 || !strings.Contains(stderr, "neither an address nor a CIDR") {
		t.Errorf("serve with a bad --trusted-proxy: exit %d, stderr %q; want an error", code, stderr)
	}
}

func TestShopSuspendResumeDelete(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cloud.db")
	created := runOK(t, "shop", "create", "--name", "Leaving", "--db", db)
	shopID := regexp.MustCompile(`created: (\S+)`).FindStringSubmatch(created)[1]
	code := regexp.MustCompile(`: (\w{4}-\w{4}-\w{4}-\w{4})\n`).FindStringSubmatch(created)[1]
	runOK(t, "shop", "create", "--name", "Staying", "--db", db)

	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	dev, _, _, err := s.Enroll(ctx, code, "Till")
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	customer := syncwire.Change{ID: id, Type: syncwire.TypeCustomer, Key: "c1", Body: json.RawMessage(`{"id":"c1","name":"Ana"}`), At: time.Now()}
	if resp, err := s.Push(ctx, dev, []syncwire.Change{customer}); err != nil || len(resp.Accepted) != 1 {
		t.Fatalf("push: %+v, %v", resp, err)
	}
	s.Close()
	// A name stored before names were cleaned, with a terminal escape in it.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE devices SET name = ?", "\x1b[2J\x1b[31mRed\u202eTill"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if list := runOK(t, "device", "list", "--shop", shopID, "--db", db); strings.ContainsAny(list, "\x1b\u202e") || !strings.Contains(list, "[2J[31mRedTill") {
		t.Errorf("device list = %q, want the name without its control characters", list)
	}

	export := filepath.Join(dir, "leaving.json")
	var out bytes.Buffer
	if err := run(ctx, []string{"shop", "delete", "--shop", shopID, "--export", export, "--db", db}, &out); err == nil || !strings.Contains(err.Error(), "suspend the shop") {
		t.Errorf("deleting a shop that is not suspended: %v, want an error saying to suspend it", err)
	}
	os.Remove(export)
	runOK(t, "shop", "suspend", "--shop", shopID, "--db", db)
	if list := runOK(t, "shop", "list", "--db", db); !regexp.MustCompile(`Leaving\s+/c/\S+\s+\S+ \S+\s+\d{4}-\d\d-\d\d \S+\n`).MatchString(list) {
		t.Errorf("shop list = %q, want Leaving suspended", list)
	}
	runOK(t, "shop", "resume", "--shop", shopID, "--db", db)
	if list := runOK(t, "shop", "list", "--db", db); !regexp.MustCompile(`Leaving\s+/c/\S+\s+\S+ \S+\s*\n`).MatchString(list) {
		t.Errorf("shop list after resume = %q, want Leaving not suspended", list)
	}
	runOK(t, "shop", "suspend", "--shop", shopID, "--db", db)
	deleted := runOK(t, "shop", "delete", "--shop", shopID, "--export", export, "--db", db)
	if !strings.Contains(deleted, "exported to "+export) || !regexp.MustCompile(`changes\s+1\n`).MatchString(deleted) {
		t.Errorf("shop delete = %q", deleted)
	}
	fi, err := os.Stat(export)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("export file mode %o, want 600", mode)
	}
	var dump struct {
		Shop   struct{ Name string }
		Tables map[string][]json.RawMessage
	}
	b, _ := os.ReadFile(export)
	if err := json.Unmarshal(b, &dump); err != nil || dump.Shop.Name != "Leaving" || len(dump.Tables["changes"]) != 1 {
		t.Errorf("export = %s (%v), want Leaving's shop and its change", b, err)
	}
	if list := runOK(t, "shop", "list", "--db", db); strings.Contains(list, "Leaving") || !strings.Contains(list, "Staying") {
		t.Errorf("shop list after delete = %q, want only Staying", list)
	}
	// An export is never overwritten.
	if err := run(ctx, []string{"shop", "delete", "--shop", shopID, "--export", export, "--db", db}, &out); err == nil {
		t.Errorf("delete onto an existing export file: no error")
	}
}
