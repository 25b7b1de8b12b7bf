package store_test

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// schemaV0 is the schema of the releases before versioned migrations, as they
// created it: one file split on ";".
//
//go:embed testdata/schema-v0.sql
var schemaV0 string

// oldDatabase creates a database the way a server before versioned migrations did,
// with a shop, its owner device and a till, a card, operations and a queued email.
func oldDatabase(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	driver, name := "sqlite", dsn
	if strings.HasPrefix(dsn, "postgres") {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range strings.Split(schemaV0, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("old schema: %v", err)
		}
	}
	credit := loyalty.Operation{ID: "019ab000-0000-7000-8000-000000000001", CustomerID: "cust-1", CardCode: "K7QM2XRT9PC",
		Kind: loyalty.KindCredit, Delta: loyalty.Delta{Points: 12, XP: 12}, Amount: 1250, Currency: "EUR", Device: "dev-till", At: synctest.At}
	opBody, _ := json.Marshal(credit)
	cardBody, _ := json.Marshal(loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "cust-1", Status: loyalty.CardActive})
	for _, stmt := range []string{
		`INSERT INTO meta (k, v) VALUES ('epoch', 'old-epoch-0000000000000000000000')`,
		`INSERT INTO shops (id, name, version, created_at) VALUES ('shop-a', 'Café Lune', 2, 1000)`,
		`INSERT INTO devices (id, shop_id, name, token_hash, owner, created_at) VALUES ('dev-owner', 'shop-a', 'Back office', 'h1', 1, 1000)`,
		`INSERT INTO devices (id, shop_id, name, token_hash, owner, created_at) VALUES ('dev-till', 'shop-a', 'Till', 'h2', 0, 1001)`,
		`INSERT INTO codes (hash, shop_id, owner, expires_at) VALUES ('c1', 'shop-a', 0, 99999999999999)`,
		`INSERT INTO changes (shop_id, id, hash, ctype, ckey, body, device, at, version, live) VALUES
			('shop-a', '` + credit.ID + `', 'x', 'op', '` + credit.ID + `', '` + string(opBody) + `', 'dev-till', '2026-11-20T10:30:00Z', 1, 1)`,
		`INSERT INTO changes (shop_id, id, hash, ctype, ckey, body, device, at, version, live) VALUES
			('shop-a', '019ab000-0000-7000-8000-000000000002', 'y', 'card', 'K7QM2XRT9PC', '` + string(cardBody) + `', 'dev-till', '2026-11-20T10:30:00Z', 2, 1)`,
		`INSERT INTO balances (shop_id, customer_id, points, cashback, xp) VALUES ('shop-a', 'cust-1', 12, 0, 12)`,
		`INSERT INTO cards (code, shop_id, customer_id, status, replaced_by) VALUES ('K7QM2XRT9PC', 'shop-a', 'cust-1', 'active', '')`,
		`INSERT INTO outbox (shop_id, id, recipient, subject, body, status, attempts, next_at, lease_until, last_error)
			VALUES ('shop-a', 'mail-1', 'ana@example.com', 'Merci', 'Thank you', 'queued', 0, 0, 0, '')`,
	} {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("old data: %v", err)
		}
	}
}

func TestUpgradeFromTheUnversionedSchema(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		oldDatabase(t, dsn)
		db := mustOpen(t, dsn)
		if v, err := db.SchemaVersion(ctx); err != nil || v != store.LatestSchema {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, store.LatestSchema)
		}
		if db.Epoch() != "old-epoch-0000000000000000000000" {
			t.Errorf("epoch = %q, want the old one kept", db.Epoch())
		}
		devs, err := db.Devices(ctx, "shop-a")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range devs {
			got = append(got, d.ID+":"+string(d.Role))
		}
		// The owner device stays owner; the other becomes a till, what it did before.
		if want := []string{"dev-owner:owner", "dev-till:till"}; !cmp.Equal(got, want) {
			t.Errorf("devices after upgrade = %v, want %v", got, want)
		}
		pulled, err := db.Pull(ctx, "shop-a", 0, 10)
		if err != nil || len(pulled.Changes) != 2 || pulled.Cursor != 2 {
			t.Fatalf("Pull after upgrade = %+v, %v; want the 2 old changes", pulled, err)
		}
		b, err := db.Balance(ctx, "shop-a", "cust-1")
		if err != nil || b.Points != 12 {
			t.Errorf("Balance after upgrade = %+v, %v; want 12 points", b, err)
		}
		view, err := db.LegacyCard(ctx, "K7QM2XRT9PC")
		if err != nil || view.ShopName != "Café Lune" || view.Balance.Points != 12 {
			t.Errorf("card page of an old card = %+v, %v; want Café Lune's, 12 points", view, err)
		}
		due, err := db.DueEmails(ctx, 10)
		if err != nil || len(due) != 1 || due[0].To != "ana@example.com" {
			t.Errorf("DueEmails after upgrade = %+v, %v; want the queued email", due, err)
		}
		// The old database works on: a new push lands after the old changes.
		dev := store.Device{ID: "dev-owner", ShopID: "shop-a", Role: syncwire.RoleOwner, Owner: true}
		resp := mustPush(t, db, dev, synctest.Op(t, "cust-1", 3))
		if len(resp.Accepted) != 1 || resp.Version != 3 {
			t.Errorf("push after upgrade = %+v, want accepted at version 3", resp)
		}
		// Opening again applies nothing twice.
		db.Close()
		db = mustOpen(t, dsn)
		if v, err := db.SchemaVersion(ctx); err != nil || v != store.LatestSchema {
			t.Errorf("SchemaVersion after reopening = %d, %v; want %d", v, err, store.LatestSchema)
		}
	})
}

func TestANewerSchemaIsNotOpened(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Shop")
		mustPush(t, db, dev, synctest.Op(t, "c", 1))
		db.Close()
		driver := "sqlite"
		if strings.HasPrefix(dsn, "postgres") {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec("INSERT INTO schema_version (version, name, applied_at) VALUES (99, '0099_future.sql', 0)"); err != nil {
			t.Fatal(err)
		}
		if db, err := store.Open(context.Background(), dsn); err == nil || !strings.Contains(err.Error(), "schema 99") {
			if err == nil {
				db.Close()
			}
			t.Errorf("Open of a newer schema: %v, want an error that says so", err)
		}
	})
}

func TestMigrationsRunOnceWhenServersStartTogether(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		oldDatabase(t, dsn)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Errorf("Open: %v", err)
					return
				}
				db.Close()
			}()
		}
		wg.Wait()
		db := mustOpen(t, dsn)
		devs, err := db.Devices(context.Background(), "shop-a")
		if err != nil || len(devs) != 2 {
			t.Errorf("Devices = %v, %v; want the 2 old devices once", devs, err)
		}
	})
}

func TestSQLiteFilesArePrivate(t *testing.T) {
	path := synctest.SQLite(t)
	db := mustOpen(t, path)
	dev := mustDevice(t, db, "Shop")
	mustPush(t, db, dev, synctest.Op(t, "c", 1))
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatalf("stat %s: %v", f, err)
		}
		if mode := st.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %v, want readable by its owner only", f, mode)
		}
	}
}
