package tablet

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
)

// A long-poll that ends without news (the tablet went away, or pollFor passed) leaves
// the screen unlocked: it once kept the lock and froze the tablet and the counter's
// invitation watcher.
func TestWaitEndedUnlocks(t *testing.T) {
	store, err := localdb.Open(context.Background(), filepath.Join(t.TempDir(), "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sc := newScreen(New(store, i18n.English, slog.New(slog.DiscardHandler)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st := sc.wait(ctx, sc.version); st.Version != sc.version {
		t.Errorf("wait = version %d, want the current %d", st.Version, sc.version)
	}
	if !sc.mu.TryLock() {
		t.Fatal("the screen stays locked after a long-poll ended without news")
	}
	sc.mu.Unlock()
}
