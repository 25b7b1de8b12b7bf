package localdb_test

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

const crashChildEnv = "MERCI_CRASH_CHILD_DB"

// TestCrashChild is the child of TestKillNineLosesNothing: it commits credits, debits and
// voids as fast as it can and prints the id of each one whose commit returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("run by TestKillNineLosesNothing")
	}
	ctx := context.Background()
	s, err := localdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	codes := strings.Fields(os.Getenv(crashChildEnv + "_CARDS"))
	o := loyalty.Origin{Device: s.Device()}
	for i := 0; ; i++ {
		code := cards.Code(codes[rand.IntN(len(codes))])
		o.At = time.Now()
		op, _, err := s.Record(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
			if i%3 == 2 && a.Balance.Points > 0 {
				return loyalty.Debit(o, a.Card, a.Balance, 1)
			}
			return p.Credit(o, a.Card, loyalty.Money(100+rand.IntN(5000)))
		})
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString(op.ID + "\n")
		if i%5 == 4 {
			void, _, err := s.Void(ctx, o, op.ID)
			if err != nil {
				t.Fatal(err)
			}
			os.Stdout.WriteString(void.ID + "\n")
		}
	}
}

// TestKillNineLosesNothing kills a writing process with SIGKILL at random moments, many
// times, and checks after each restart that every operation it reported committed is
// there exactly once, in the outbox too, and that every cached balance is its ledger's sum.
func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process many times")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "merci.db")
	s, err := localdb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, name := range []string{"a", "b", "c"} {
		codes = append(codes, string(newAccount(t, s, name).Code()))
	}
	s.Close()

	reported := map[string]bool{}
	const rounds = 25
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashChildEnv+"_CARDS="+strings.Join(codes, " "))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for the first commit so that every round kills a process mid-work.
		first := <-lines
		kill := time.After(time.Duration(rand.IntN(150)) * time.Millisecond)
		reported[first] = true
	read:
		for {
			select {
			case id, ok := <-lines:
				if !ok {
					break read
				}
				reported[id] = true
			case <-kill:
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				kill = nil
			}
		}
		if err := cmd.Wait(); err == nil {
			t.Fatalf("round %d: child exited by itself", round)
		}
		checkConsistent(t, path, reported)
	}
	t.Logf("%d rounds, %d operations reported committed", rounds, len(reported))
}

func checkConsistent(t *testing.T, path string, reported map[string]bool) {
	t.Helper()
	ctx := context.Background()
	s, err := localdb.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	db := s.DB()
	var integrity string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}
	for id := range reported {
		var inLedger, inOutbox int
		if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM operations WHERE id = ?1),
			(SELECT count(*) FROM outbox WHERE change_id = ?1)`, id).Scan(&inLedger, &inOutbox); err != nil {
			t.Fatal(err)
		}
		if inLedger != 1 || inOutbox != 1 {
			t.Fatalf("operation %s reported committed: %d in ledger, %d in outbox; want 1, 1", id, inLedger, inOutbox)
		}
	}
	var orphans int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM operations o
		WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE change_id = o.id)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d operations not queued for the cloud (err %v)", orphans, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT c.id, c.points, c.cashback, c.xp,
		coalesce(sum(o.points), 0), coalesce(sum(o.cashback), 0), coalesce(sum(o.xp), 0)
		FROM customers c LEFT JOIN operations o ON o.customer_id = c.id GROUP BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var cached, summed loyalty.Balance
		if err := rows.Scan(&id, &cached.Points, &cached.Cashback, &cached.XP, &summed.Points, &summed.Cashback, &summed.XP); err != nil {
			t.Fatal(err)
		}
		if cached != summed {
			t.Fatalf("customer %s: cached balance %+v, ledger sum %+v", id, cached, summed)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
