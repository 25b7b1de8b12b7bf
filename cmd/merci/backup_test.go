package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/localdb"
)

// TestBackupCommands makes a copy, lists it, verifies it and restores it from the
// command line.
func TestBackupCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := localdb.Folder{Dir: dir}.OpenShop(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SeedSample(ctx, localdb.Shop{Name: "Café Lune"}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"--data", dir, "backup", "create"}, &out, &errOut); err != nil {
		t.Fatalf("backup create: %v (%s)", err, errOut.String())
	}
	file, _, ok := strings.Cut(out.String(), " (")
	if !ok || !strings.Contains(out.String(), "verified") {
		t.Fatalf("backup create printed %q, want the file and that it was verified", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"--data", dir, "backup", "list"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), file) || !strings.Contains(out.String(), "manual") {
		t.Errorf("backup list printed %q, want %s (manual)", out.String(), file)
	}
	out.Reset()
	if err := run(ctx, []string{"backup", "verify", file}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ok (integrity_check)") || !strings.Contains(out.String(), "operations") {
		t.Errorf("backup verify printed %q, want ok and the tables' rows", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"--data", dir, "backup", "restore", file}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"backup", "verify", dir + "/merci.db-missing"}, &out, &errOut); err == nil {
		t.Error("backup verify of a missing file succeeded")
	}
	if err := run(ctx, []string{"--data", dir, "backup", "frob"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("backup frob = %v, want the usage", err)
	}
}

func TestVersionFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Merci "+version+" (commit ") {
		t.Errorf("--version printed %q, want the version and commit", out.String())
	}
}
