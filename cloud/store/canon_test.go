package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/syncwire"
)

// A change pushed before retries were compared on parsed fields is kept under the hash
// of its compact bytes: its retry, same bytes, is still a duplicate.
func TestRetryOfAChangeKeptUnderItsCompactHash(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "cloud.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, code, err := db.CreateShop(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	dev, _, _, err := db.Enroll(ctx, code.Code, "Till")
	if err != nil {
		t.Fatal(err)
	}
	c := synctest.Record(t, syncwire.TypeCustomer, "c1", json.RawMessage(`{"name":"Ana","id":"c1"}`))
	if resp, err := db.Push(ctx, dev, []syncwire.Change{c}); err != nil || len(resp.Accepted) != 1 {
		t.Fatalf("push: %+v, %v", resp, err)
	}
	if _, err := db.w.ExecContext(ctx, "UPDATE changes SET hash = ? WHERE id = ?", contentHash(c, `{"name":"Ana","id":"c1"}`), c.ID); err != nil {
		t.Fatal(err)
	}
	resp, err := db.Push(ctx, dev, []syncwire.Change{c})
	if err != nil || len(resp.Duplicate) != 1 {
		t.Errorf("retry of a change kept under its compact hash: %+v, %v; want a duplicate", resp, err)
	}
}
