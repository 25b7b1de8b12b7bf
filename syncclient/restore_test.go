package syncclient_test

import (
	"context"
	"testing"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb/backup"
)

// TestRestoreOnAConnectedDevice restores a till from a copy made while ten of its
// operations still waited for the cloud. After the restore, what the cloud got since
// the copy (from this till and from another) comes back, the ten the copy's outbox
// pushes again are answered as duplicates and stored once, and the operations that
// waited on the till when it was restored reach the cloud: nothing is lost anywhere.
func TestRestoreOnAConnectedDevice(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	made = append(made, a.credits(10)...)
	copied, err := a.store.Backup(ctx, backup.KindManual)
	if err != nil {
		t.Fatal(err)
	}
	a.start()
	b.start()
	settle(t, c, a, b)
	a.stop()
	b.stop()
	made = append(made, a.credits(10)...)
	made = append(made, b.credits(10)...)
	a.start()
	b.start()
	settle(t, c, a, b)
	a.stop()
	made = append(made, a.credits(5)...) // still waiting when the till is restored
	if err := a.store.Restore(ctx, copied.Path); err != nil {
		t.Fatal(err)
	}
	if got := a.pending(); got != 15 {
		t.Errorf("outbox after the restore = %d changes, want the copy's 10 and the 5 that waited", got)
	}
	dupsBefore := c.duplicates()
	a.start()
	settle(t, c, a, b)
	if got := c.duplicates() - dupsBefore; got < 10 {
		t.Errorf("the server answered %v duplicates, want the copy's 10 already pushed", got)
	}
	checkConverged(t, c, made, a, b)
}
