package syncclient_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncclient"
)

const syncChildEnv = "MERCI_SYNC_CHILD_DIR"

// TestSyncChild is the child of TestKilledMidSync: it syncs the device in the folder it
// is given, in batches and pages of 40, and at every step of a cycle prints the step
// and waits for a line on its standard input before it goes on.
func TestSyncChild(t *testing.T) {
	dir := os.Getenv(syncChildEnv)
	if dir == "" {
		t.Skip("run by TestKilledMidSync")
	}
	s, err := localdb.Open(context.Background(), filepath.Join(dir, "merci.db"))
	if err != nil {
		t.Fatal(err)
	}
	in := bufio.NewReader(os.Stdin)
	cfg := clientConfig(dir)
	cfg.BatchSize, cfg.PullLimit = childBatch, childBatch
	cfg.OnStep = func(step syncclient.Step, n int) {
		fmt.Printf("step %s %d\n", step, n)
		in.ReadString('\n')
	}
	syncclient.New(s, cfg).Run(context.Background())
}

const childBatch = 40

// killPoint is where a round kills the child: at the n-th step of its first cycle.
type killPoint struct {
	step syncclient.Step
	n    int
}

func (k killPoint) String() string { return fmt.Sprintf("%s %d", k.step, k.n) }

// TestKilledMidSync kills a syncing app with SIGKILL at each point of a cycle where a
// crash leaves a distinct state: a batch pushed but not acknowledged (it is pushed again
// and answered as a duplicate), a batch acknowledged, a page pulled but not applied, a
// page applied with its cursor. The child announces each point and waits there, so every
// kill lands where it is meant to under any load. Afterwards every operation is on the
// server once and the devices converge.
func TestKilledMidSync(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process many times")
	}
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	b.start()
	points := []killPoint{
		{syncclient.StepPushed, 1},
		{syncclient.StepAcknowledged, 2},
		{syncclient.StepPushed, 3},
		{syncclient.StepPulled, 1},
		{syncclient.StepApplied, 1},
		{syncclient.StepPulled, 2},
		{syncclient.StepApplied, 2},
	}
	unacknowledged := 0
	for _, at := range points {
		made = append(made, a.credits(3*childBatch)...)
		made = append(made, b.credits(3*childBatch)...) // for the child to pull
		waitFor(t, "the kiosk pushed its credits", func() bool { return b.pending() == 0 })
		before, from := a.pending(), a.cursor()
		killChildAt(t, a.dir, at)
		left, cursor := a.pending(), a.cursor()
		t.Logf("killed at %v: %d of %d changes left to push, cursor %d from %d", at, left, before, cursor, from)

		switch at.step {
		case syncclient.StepPushed:
			if want := before - (at.n-1)*childBatch; left != want {
				t.Errorf("killed after pushing batch %d: %d changes left, want %d", at.n, left, want)
			}
			unacknowledged += childBatch
		case syncclient.StepAcknowledged:
			if want := before - at.n*childBatch; left != want {
				t.Errorf("killed after acknowledging batch %d: %d changes left, want %d", at.n, left, want)
			}
		case syncclient.StepPulled, syncclient.StepApplied:
			if left != 0 {
				t.Errorf("killed while pulling: %d changes left to push, want 0", left)
			}
			pagesIn := at.n - 1
			if at.step == syncclient.StepApplied {
				pagesIn = at.n
			}
			if pagesIn == 0 && cursor != from {
				t.Errorf("killed before applying the first page: cursor moved from %d to %d", from, cursor)
			}
			if pagesIn > 0 && cursor <= from {
				t.Errorf("killed after applying %d pages: cursor still %d", pagesIn, cursor)
			}
		}
	}
	var ok string
	if err := a.store.DB().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check after the kills: %q, %v", ok, err)
	}
	a.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
	if got, want := int(c.duplicates()), unacknowledged; got != want {
		t.Errorf("the server answered %d changes as duplicates, want the %d pushed but never acknowledged", got, want)
	}
}

// killChildAt runs a sync child on the device in dir, lets it through every step up to
// at, and kills it with SIGKILL while it waits there.
func killChildAt(t *testing.T, dir string, at killPoint) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), syncChildEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Only a failure bound: a child that never reaches the point is killed and reported.
	stuck := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer stuck.Stop()
	want := "step " + at.String()
	reached := false
	var seen []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		if !strings.HasPrefix(line, "step ") {
			continue
		}
		seen = append(seen, strings.TrimPrefix(line, "step "))
		if line == want {
			reached = true
			break
		}
		if _, err := io.WriteString(stdin, "\n"); err != nil {
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if !reached {
		t.Fatalf("the sync child never reached %q; its steps: %v", at, seen)
	}
}
