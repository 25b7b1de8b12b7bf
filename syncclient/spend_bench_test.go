package syncclient_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// BenchmarkSpendChecked times what a cashier waits for when redeeming at a till online:
// the spend pushed guarded to the real server on loopback and recorded here, against
// the baseline of the same spend recorded locally only (a shop without a cloud
// account), interleaved in the same run. Each iteration times 200 of each, so that
// `make bench`'s single iteration gives percentiles.
func BenchmarkSpendChecked(b *testing.B) {
	ctx := context.Background()
	c := startCloud(b, server.Config{})
	d := newDevice(b, "till", true)
	d.enroll(c.url(), c.code)
	code := d.codes()[0]
	// Enough points for every spend, credited and pushed before the clock starts.
	if _, _, err := d.store.Record(ctx, code, func(a localdb.Account) (loyalty.Operation, error) {
		return loyalty.Adjust(origin(d), a.Card, a.Balance, int64(b.N)*400+1, "benchmark")
	}); err != nil {
		b.Fatal(err)
	}
	if _, _, err := d.client.Spend(ctx, code, debit(d, 1)); err != nil {
		b.Fatal(err)
	}
	var local, checked []time.Duration
	b.ResetTimer()
	for range b.N * 200 {
		start := time.Now()
		if _, _, err := d.store.Record(ctx, code, debit(d, 1)); err != nil {
			b.Fatal(err)
		}
		local = append(local, time.Since(start))
		start = time.Now()
		if _, _, err := d.client.Spend(ctx, code, debit(d, 1)); err != nil {
			b.Fatal(err)
		}
		checked = append(checked, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(local)
	slices.Sort(checked)
	p50 := func(d []time.Duration) time.Duration { return d[len(d)/2] }
	p99 := func(d []time.Duration) time.Duration { return d[len(d)*99/100] }
	b.ReportMetric(float64(p50(local).Microseconds()), "local-p50-µs")
	b.ReportMetric(float64(p50(checked).Microseconds()), "checked-p50-µs")
	b.ReportMetric(float64(p99(checked).Microseconds()), "checked-p99-µs")
	b.ReportMetric(float64(p50(checked))/float64(p50(local)), "p50-ratio")
}
