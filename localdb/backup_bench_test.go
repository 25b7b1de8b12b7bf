package localdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/backup"
	"github.com/merci-loyalty/merci/loyalty"
)

// BenchmarkCommitDuringBackup measures a credit's commit while the store of 1,000,000
// operations (BenchmarkDashboard's, built once) is being copied, against the same
// commits with no copy running, measured first in the same run. b.N commits each; the
// copy is made again as often as needed to cover them. Target: p99 ratio at most 2.
func BenchmarkCommitDuringBackup(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), "merci-bench-1m-ops-v4.db")
	millionOperations(b, path)
	s, err := localdb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.SetBackupDir(ctx, b.TempDir()); err != nil {
		b.Fatal(err)
	}
	p, err := s.Program(ctx)
	if err != nil {
		b.Fatal(err)
	}
	commit := func(i int) time.Duration {
		code := cards.Code(fmt.Sprintf("BENCH%06d", i*7919%50_000))
		start := time.Now()
		if _, _, err := s.Record(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
			return p.Credit(loyalty.Origin{Device: s.Device(), At: time.Now()}, a.Card, 1250)
		}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	b.ResetTimer()
	alone := make([]time.Duration, 0, b.N)
	for i := range b.N {
		alone = append(alone, commit(i))
	}
	during := make([]time.Duration, 0, b.N)
	copies := 0
	var copyTime time.Duration
	for len(during) < b.N {
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := s.Backup(ctx, backup.KindManual)
			done <- err
		}()
		for running := true; running; {
			select {
			case err := <-done:
				if err != nil {
					b.Fatal(err)
				}
				running = false
			default:
				during = append(during, commit(len(during)))
			}
		}
		copies++
		copyTime += time.Since(start)
	}
	b.StopTimer()
	reportAgainst(b, "alone", alone, "during", during)
	b.ReportMetric(copyTime.Seconds()/float64(copies), "s/copy")
}
