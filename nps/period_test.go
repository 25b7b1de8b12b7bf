package nps_test

import (
	"errors"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, also on machines without a zoneinfo database

	"github.com/google/go-cmp/cmp"
	"github.com/merci-loyalty/merci/nps"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// row is a bucket as a person reads it: local bounds with their offsets, N, and the score
// or "none".
type row struct {
	Start, End string
	N          int
	Score      string
}

const rowTime = "2006-01-02 15:04 -0700"

func rows(bs []nps.Bucket) []row {
	var out []row
	for _, b := range bs {
		score := "none"
		if s, ok := b.Summary.Score(); ok {
			score = strconv.Itoa(s)
		}
		out = append(out, row{b.Start.Format(rowTime), b.End.Format(rowTime), b.Summary.N, score})
	}
	return out
}

// checkCover checks that buckets follow each other without gap or overlap and that each
// counts exactly the answers whose instant falls in [Start, End).
func checkCover(t *testing.T, rs []nps.Response, bs []nps.Bucket) {
	t.Helper()
	for i, b := range bs {
		if i > 0 && !bs[i-1].End.Equal(b.Start) {
			t.Errorf("bucket %d ends at %v, bucket %d starts at %v", i-1, bs[i-1].End, i, b.Start)
		}
		n := 0
		for _, r := range rs {
			if !r.At.Before(b.Start) && r.At.Before(b.End) {
				n++
			}
		}
		if n != b.Summary.N {
			t.Errorf("bucket [%v, %v) counts %d answers, %d fall in it", b.Start, b.End, b.Summary.N, n)
		}
	}
}

type answer struct {
	at    time.Time
	score int
}

func responses(as []answer) []nps.Response {
	var rs []nps.Response
	for _, a := range as {
		rs = append(rs, nps.Response{At: a.at, Score: a.score})
	}
	return rs
}

func TestAggregate(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	saoPaulo := mustLoad(t, "America/Sao_Paulo")
	in := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	tests := []struct {
		name    string
		period  nps.Period
		loc     *time.Location
		answers []answer
		want    []row
	}{{
		name:   "weeks across the end of summer time in Paris",
		period: nps.Week,
		loc:    paris,
		answers: []answer{
			{in(paris, 2026, 10, 20, 12, 0), 10},
			{in(paris, 2026, 10, 25, 23, 30), 0},                 // Sunday night, after clocks went back
			{time.Date(2026, 10, 25, 23, 30, 0, 0, time.UTC), 9}, // Monday 00:30 in Paris
		},
		want: []row{
			{"2026-10-19 00:00 +0200", "2026-10-26 00:00 +0100", 2, "0"},
			{"2026-10-26 00:00 +0100", "2026-11-02 00:00 +0100", 1, "100"},
		},
	}, {
		name:   "weeks across the new year, with an empty week",
		period: nps.Week,
		loc:    paris,
		answers: []answer{
			{in(paris, 2027, 1, 4, 9, 0), 3},     // Monday of 2027-W01
			{in(paris, 2026, 12, 20, 18, 0), 8},  // Sunday of 2026-W51
			{in(paris, 2026, 12, 31, 10, 0), 10}, // Thursday of 2026-W53
			{in(paris, 2027, 1, 3, 22, 0), 2},    // Sunday of 2026-W53
		},
		want: []row{
			{"2026-12-14 00:00 +0100", "2026-12-21 00:00 +0100", 1, "0"},
			{"2026-12-21 00:00 +0100", "2026-12-28 00:00 +0100", 0, "none"},
			{"2026-12-28 00:00 +0100", "2027-01-04 00:00 +0100", 2, "0"},
			{"2027-01-04 00:00 +0100", "2027-01-11 00:00 +0100", 1, "-100"},
		},
	}, {
		name:   "days across the start of summer time in Paris",
		period: nps.Day,
		loc:    paris,
		answers: []answer{
			{in(paris, 2026, 3, 28, 23, 59), 9},
			{in(paris, 2026, 3, 29, 1, 59), 9},
			{in(paris, 2026, 3, 29, 3, 0), 0},
			{in(paris, 2026, 3, 30, 0, 0), 7},
		},
		want: []row{
			{"2026-03-28 00:00 +0100", "2026-03-29 00:00 +0100", 1, "100"},
			{"2026-03-29 00:00 +0100", "2026-03-30 00:00 +0200", 2, "0"},
			{"2026-03-30 00:00 +0200", "2026-03-31 00:00 +0200", 1, "0"},
		},
	}, {
		name:   "days where midnight does not exist (São Paulo, 2018)",
		period: nps.Day,
		loc:    saoPaulo,
		answers: []answer{
			{in(saoPaulo, 2018, 11, 3, 23, 30), 10},
			{in(saoPaulo, 2018, 11, 4, 1, 30), 0},
		},
		want: []row{
			{"2018-11-03 00:00 -0300", "2018-11-04 01:00 -0200", 1, "100"},
			{"2018-11-04 01:00 -0200", "2018-11-05 00:00 -0200", 1, "-100"},
		},
	}, {
		name:   "months with an empty February",
		period: nps.Month,
		loc:    paris,
		answers: []answer{
			{in(paris, 2027, 1, 31, 23, 0), 9},
			{in(paris, 2027, 3, 1, 0, 0), 6},
			{in(paris, 2027, 3, 31, 23, 59), 8},
		},
		want: []row{
			{"2027-01-01 00:00 +0100", "2027-02-01 00:00 +0100", 1, "100"},
			{"2027-02-01 00:00 +0100", "2027-03-01 00:00 +0100", 0, "none"},
			{"2027-03-01 00:00 +0100", "2027-04-01 00:00 +0200", 2, "-50"},
		},
	}}
	for _, tt := range tests {
		rs := responses(tt.answers)
		got, err := nps.Aggregate(rs, tt.period, tt.loc)
		if err != nil {
			t.Errorf("%s: Aggregate: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, rows(got)); diff != "" {
			t.Errorf("%s: Aggregate() mismatch (-want +got):\n%s", tt.name, diff)
		}
		checkCover(t, rs, got)
	}
}

func TestAggregateEdges(t *testing.T) {
	if got, err := nps.Aggregate(nil, nps.Week, time.UTC); got != nil || err != nil {
		t.Errorf("Aggregate(nil) = %v, %v, want nil, nil", got, err)
	}
	rs := []nps.Response{{At: t0, Score: 5}}
	if _, err := nps.Aggregate(rs, "year", time.UTC); !errors.Is(err, nps.ErrUnknownPeriod) {
		t.Errorf("Aggregate(period year) error = %v, want %v", err, nps.ErrUnknownPeriod)
	}
	rs = append(rs, nps.Response{ID: "bad", At: t0, Score: 12})
	if _, err := nps.Aggregate(rs, nps.Day, time.UTC); !errors.Is(err, nps.ErrInvalidScore) {
		t.Errorf("Aggregate(score 12) error = %v, want %v", err, nps.ErrInvalidScore)
	}
}

func TestBounds(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	tests := []struct {
		period     nps.Period
		t          time.Time
		start, end string
	}{
		{nps.Week, time.Date(2026, 3, 29, 12, 0, 0, 0, paris), "2026-03-23 00:00 +0100", "2026-03-30 00:00 +0200"},
		{nps.Week, time.Date(2026, 3, 30, 0, 0, 0, 0, paris), "2026-03-30 00:00 +0200", "2026-04-06 00:00 +0200"},
		{nps.Day, time.Date(2026, 10, 25, 2, 30, 0, 0, paris), "2026-10-25 00:00 +0200", "2026-10-26 00:00 +0100"},
		{nps.Month, time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2027-01-01 00:00 +0100", "2027-02-01 00:00 +0100"},
	}
	for _, tt := range tests {
		start, end, err := tt.period.Bounds(tt.t, paris)
		if err != nil {
			t.Errorf("%s.Bounds(%v): %v", tt.period, tt.t, err)
			continue
		}
		if got, want := [2]string{start.Format(rowTime), end.Format(rowTime)}, [2]string{tt.start, tt.end}; got != want {
			t.Errorf("%s.Bounds(%v) = %v, want %v", tt.period, tt.t, got, want)
		}
	}
	if _, _, err := nps.Period("").Bounds(t0, paris); !errors.Is(err, nps.ErrUnknownPeriod) {
		t.Errorf(`Period("").Bounds() error = %v, want %v`, err, nps.ErrUnknownPeriod)
	}
}
