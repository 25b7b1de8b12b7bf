package syncclient_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncclient"
)

const syncChildEnv = "MERCI_SYNC_CHILD_DIR"

// TestSyncChild is the child of TestKilledMidSync: it syncs the device in the folder
// it is given, in small batches, and prints each status, until it is killed.
func TestSyncChild(t *testing.T) {
	dir := os.Getenv(syncChildEnv)
	if dir == "" {
		t.Skip("run by TestKilledMidSync")
	}
	s, err := localdb.Open(context.Background(), filepath.Join(dir, "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientConfig(dir)
	cfg.BatchSize, cfg.PullLimit = 40, 40
	cfg.OnStatus = func(st syncclient.Status) { fmt.Printf("%s %d\n", st.State, st.Pending) }
	syncclient.New(s, cfg).Run(context.Background())
}

// TestKilledMidSync kills a syncing app with SIGKILL while it pushes and pulls, many
// times, and checks afterwards that every operation is on the server once and that
// the devices converge: a batch pushed but not acknowledged is pushed again as a
// duplicate, a pulled page is applied with its cursor or not at all.
func TestKilledMidSync(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process many times")
	}
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	b.start()
	// Until three kills cut a drain of the outbox: the timing varies with the machine.
	midDrain := 0
	for round := 0; midDrain < 3; round++ {
		if round == 20 {
			t.Fatalf("in 20 rounds only %d kills came mid-drain", midDrain)
		}
		made = append(made, a.credits(120)...)
		made = append(made, b.credits(40)...) // for the child to pull
		before := a.pending()
		cmd := exec.Command(os.Args[0], "-test.run=^TestSyncChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), syncChildEnv+"="+a.dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		for lines.Scan() && !strings.HasPrefix(lines.Text(), string(syncclient.StateSyncing)) {
		}
		time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		left := a.pending()
		if left > 0 && left < before {
			midDrain++
		}
		t.Logf("round %d: killed with %d of %d changes left to push", round, left, before)
	}
	var ok string
	if err := a.store.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check after the kills: %q, %v", ok, err)
	}
	a.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
}
