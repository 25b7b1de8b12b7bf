package loyalty

import (
	"slices"
	"time"
)

// MaxTierWindowMonths bounds a tier period: ten years.
const MaxTierWindowMonths = 120

// MaxPointsPercent bounds a tier's points multiplier: ten times.
const MaxPointsPercent = 1000

// TiersForAPeriod reports whether p's tiers are a status for a period, reviewed, rather
// than reached for good by lifetime experience.
func (p Program) TiersForAPeriod() bool { return p.TierWindowMonths > 0 && len(p.Tiers) > 0 }

// TierStatus is a customer's tier at a moment.
type TierStatus struct {
	Tier *Tier // nil with no tiers
	// Until is when the status is reviewed; zero for tiers kept for good.
	Until time.Time
	// XP is the experience that counts for the tiers: earned in the window ending
	// now for tiers for a period, all of it otherwise.
	XP   int64
	Next *Tier // the tier above, if any
}

// StatusAt returns a customer's tier at now from their ledger ops and their lifetime
// experience xp. With tiers for a period, a tier is reached when the experience
// earned in the TierWindowMonths months before a purchase reaches it, and kept until
// the end of the period after the one it was reached in (periods of TierWindowMonths
// months from January of year 0: with 12, calendar years), then reviewed.
func (p Program) StatusAt(ops []Operation, xp int64, now time.Time) TierStatus {
	if !p.TiersForAPeriod() {
		cur, next := p.TierFor(xp)
		return TierStatus{Tier: cur, XP: xp, Next: next}
	}
	ops = slices.Clone(ops)
	slices.SortStableFunc(ops, func(a, b Operation) int { return a.At.Compare(b.At) })
	window := func(at time.Time) int64 { // experience earned in (at - window, at]
		from := at.AddDate(0, -int(p.TierWindowMonths), 0)
		var sum int64
		for _, op := range ops {
			if op.At.After(from) && !op.At.After(at) {
				sum += op.Delta.XP
			}
		}
		return sum
	}
	st := TierStatus{Tier: &p.Tiers[0], XP: window(now)}
	for _, op := range ops {
		if op.Delta.XP <= 0 || op.At.After(now) {
			continue
		}
		reached, _ := p.TierFor(window(op.At))
		until := p.periodStart(op.At).AddDate(0, 2*int(p.TierWindowMonths), 0)
		if reached == nil || reached.MinXP == 0 || !until.After(now) { // the first tier needs no holding
			continue
		}
		if reached.MinXP > st.Tier.MinXP || reached.MinXP == st.Tier.MinXP && until.After(st.Until) {
			st.Tier, st.Until = reached, until
		}
	}
	if st.Until.IsZero() { // the first tier: reviewed at the end of this period
		st.Until = p.periodStart(now).AddDate(0, int(p.TierWindowMonths), 0)
	}
	if i := slices.IndexFunc(p.Tiers, func(t Tier) bool { return t.MinXP > st.Tier.MinXP }); i >= 0 {
		st.Next = &p.Tiers[i]
	}
	return st
}

// periodStart is the start of the tier period holding t, in UTC.
func (p Program) periodStart(t time.Time) time.Time {
	t = t.UTC()
	months := int64(t.Year())*12 + int64(t.Month()) - 1
	months -= months % p.TierWindowMonths
	return time.Date(int(months/12), time.Month(months%12+1), 1, 0, 0, 0, 0, time.UTC)
}

// Multiply returns points earned with the tier t's multiplier, rounded down.
func (t *Tier) Multiply(points int64) int64 {
	if t == nil || t.PointsPercent == 0 {
		return points
	}
	return points * t.PointsPercent / 100
}
