package nps

import (
	"errors"
	"fmt"
	"time"
)

// Period is the length of the buckets answers are grouped in.
type Period string

// Periods. Weeks are ISO weeks, starting on Monday.
const (
	Day   Period = "day"
	Week  Period = "week"
	Month Period = "month"
)

// ErrUnknownPeriod means a Period is not Day, Week or Month.
var ErrUnknownPeriod = errors.New("unknown period")

// Bucket is one period and what its answers say. An empty bucket has N == 0 and no score.
type Bucket struct {
	Start   time.Time `json:"start"` // midnight local time, inclusive
	End     time.Time `json:"end"`   // the next bucket's Start, exclusive
	Summary Summary   `json:"summary"`
}

// Bounds returns the period of kind p that holds t in loc: [start, end). A day lasts 23
// or 25 hours across a change of clocks.
func (p Period) Bounds(t time.Time, loc *time.Location) (start, end time.Time, err error) {
	d, err := p.first(t, loc)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return midnight(d, loc), midnight(p.next(d), loc), nil
}

// Aggregate groups rs by period p in loc, oldest first, with a bucket for every period from
// the first answer's to the last's, empty ones included so that gaps show on a chart.
func Aggregate(rs []Response, p Period, loc *time.Location) ([]Bucket, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	byDate := make(map[int64]*Summary) // by the Unix time of the period's first date
	var first, last time.Time
	for i, r := range rs {
		d, err := p.first(r.At, loc)
		if err != nil {
			return nil, err
		}
		s := byDate[d.Unix()]
		if s == nil {
			s = new(Summary)
			byDate[d.Unix()] = s
		}
		if err := s.Add(r.Score); err != nil {
			return nil, fmt.Errorf("response %s: %w", r.ID, err)
		}
		if i == 0 || d.Before(first) {
			first = d
		}
		if i == 0 || d.After(last) {
			last = d
		}
	}
	var out []Bucket
	for d := first; !d.After(last); d = p.next(d) {
		b := Bucket{Start: midnight(d, loc), End: midnight(p.next(d), loc)}
		if s := byDate[d.Unix()]; s != nil {
			b.Summary = *s
		}
		out = append(out, b)
	}
	return out, nil
}

// first returns the first calendar date of the period holding t in loc, as midnight UTC.
// Calendar arithmetic is done on such dates, never on instants, so that clock changes
// cannot shift a boundary.
func (p Period) first(t time.Time, loc *time.Location) (time.Time, error) {
	y, m, d := t.In(loc).Date()
	switch p {
	case Day:
	case Week:
		d -= (int(t.In(loc).Weekday()) + 6) % 7 // days since Monday
	case Month:
		d = 1
	default:
		return time.Time{}, fmt.Errorf("%w %q", ErrUnknownPeriod, p)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// next returns the first date of the period after the one starting on date d.
func (p Period) next(d time.Time) time.Time {
	switch p {
	case Week:
		return d.AddDate(0, 0, 7)
	case Month:
		return d.AddDate(0, 1, 0)
	}
	return d.AddDate(0, 0, 1)
}

// midnight returns the start of date d in loc. Where clocks jump forward at midnight
// (Brazil until 2019, Cuba) 00:00 does not exist and time.Date answers 23:00 the day
// before; the day then starts at the jump, 01:00.
func midnight(d time.Time, loc *time.Location) time.Time {
	t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	if t.Day() != d.Day() {
		_, t = t.ZoneBounds()
	}
	return t
}
