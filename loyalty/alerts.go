package loyalty

import (
	"cmp"
	"errors"
	"slices"
	"time"
)

// AlertRules are the owner's thresholds for a day of the ledger that looks like abuse: a
// card used again and again, credited far more than a customer spends, a staff member
// adjusting balances by hand. Each is "more than"; zero turns its alert off.
type AlertRules struct {
	// OpsPerDay bounds the operations on one card in a day (Square's velocity alert).
	OpsPerDay int64 `json:"ops_per_day"`
	// PointsPerDay and CashbackPerDay bound what one card is credited in a day.
	PointsPerDay   int64 `json:"points_per_day"`
	CashbackPerDay Money `json:"cashback_per_day"`
	// AdjustedPoints and AdjustedCashback bound what one staff member adjusts in a
	// day, either way.
	AdjustedPoints   int64 `json:"adjusted_points"`
	AdjustedCashback Money `json:"adjusted_cashback"`
	// Email is where the cloud emails each alert as the operations reach it, whichever
	// device they come from; "" sends none. Lang is those emails' language and Zone
	// the IANA time zone whose days the cloud counts in (the owner's device's; the
	// cloud counts in UTC without one).
	Email string `json:"email,omitempty"`
	Lang  string `json:"lang,omitempty"`
	Zone  string `json:"zone,omitempty"`
}

// DefaultAlertRules apply until the owner chooses: five operations a day on one card,
// as comparable systems warn by default. Amounts depend on the shop's program, so
// their alerts wait for the owner's figures.
var DefaultAlertRules = AlertRules{OpsPerDay: 5}

// ErrInvalidAlertRules refuses a negative threshold.
var ErrInvalidAlertRules = errors.New("alert thresholds cannot be negative")

// Validate reports whether r can be applied.
func (r AlertRules) Validate() error {
	if r.OpsPerDay < 0 || r.PointsPerDay < 0 || r.CashbackPerDay < 0 || r.AdjustedPoints < 0 || r.AdjustedCashback < 0 {
		return ErrInvalidAlertRules
	}
	if r.Email != "" {
		return CheckEmail(r.Email)
	}
	return nil
}

// AlertKind says what an alert is about.
type AlertKind string

// The kinds of alert.
const (
	AlertOperations AlertKind = "operations" // more operations on a card than OpsPerDay
	AlertCredited   AlertKind = "credited"   // more credited to a card than PointsPerDay or CashbackPerDay
	AlertAdjusted   AlertKind = "adjusted"   // more adjusted by a staff member than AdjustedPoints or AdjustedCashback
)

// Alert is a day of one card, or of one staff member, over a threshold.
type Alert struct {
	Kind AlertKind
	Day  time.Time // the day's midnight, in the shop's time zone
	// CustomerID and CardCode are the card's, for AlertOperations and AlertCredited:
	// the card last used that day.
	CustomerID string
	CardCode   string
	Staff      string // AlertAdjusted: who adjusted
	Operations int64  // the operations of the card, or the adjustments of the staff member, that day
	Points     int64  // credited, or adjusted either way
	Cashback   Money
}

// Key names a: its kind, day and card or staff member. Every device and the cloud name
// an alert alike, so that the cloud emails each once.
func (a Alert) Key() string {
	subject := a.CustomerID
	if a.Kind == AlertAdjusted {
		subject = a.Staff
	}
	return string(a.Kind) + ":" + a.Day.Format(time.DateOnly) + ":" + subject
}

// dayKey groups the operations of a subject (a customer or a staff member) on a day.
type dayKey struct {
	day     time.Time
	subject string
}

// Alerts returns what in ops is over r, newest day first: ops is the ledger of the days
// to check, the voids included. A cancelled operation and its cancellation do not count:
// an undone typing mistake is no abuse. Days are those of loc, the shop's time zone.
// The opening balance of new cards is the owner issuing cards, not an adjustment
// to watch.
func (r AlertRules) Alerts(ops []Operation, loc *time.Location) []Alert {
	voided := map[string]bool{}
	for _, op := range ops {
		if op.Kind == KindVoid {
			voided[op.Target] = true
		}
	}
	cardDays, staffDays := map[dayKey]*Alert{}, map[dayKey]*Alert{}
	lastUse := map[dayKey]time.Time{} // of the card named in the card's alert
	for _, op := range ops {
		if op.Kind == KindVoid || voided[op.ID] {
			continue
		}
		t := op.At.In(loc)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		k := dayKey{day, op.CustomerID}
		a := cardDays[k]
		if a == nil {
			a = &Alert{Day: day, CustomerID: op.CustomerID}
			cardDays[k] = a
		}
		a.Operations++
		a.Points += max(op.Delta.Points, 0)
		a.Cashback += max(op.Delta.Cashback, 0)
		if op.CardCode != "" && !op.At.Before(lastUse[k]) {
			a.CardCode, lastUse[k] = op.CardCode, op.At
		}
		if op.Kind != KindAdjust || op.Reason == ReasonOpening {
			continue
		}
		k = dayKey{day, op.Staff}
		s := staffDays[k]
		if s == nil {
			s = &Alert{Kind: AlertAdjusted, Day: day, Staff: op.Staff}
			staffDays[k] = s
		}
		s.Operations++
		s.Points += abs(op.Delta.Points)
		s.Cashback += Money(abs(int64(op.Delta.Cashback)))
	}
	var alerts []Alert
	for _, a := range cardDays {
		if over(a.Operations, r.OpsPerDay) {
			x := *a
			x.Kind = AlertOperations
			alerts = append(alerts, x)
		}
		if over(a.Points, r.PointsPerDay) || over(int64(a.Cashback), int64(r.CashbackPerDay)) {
			x := *a
			x.Kind = AlertCredited
			alerts = append(alerts, x)
		}
	}
	for _, s := range staffDays {
		if over(s.Points, r.AdjustedPoints) || over(int64(s.Cashback), int64(r.AdjustedCashback)) {
			alerts = append(alerts, *s)
		}
	}
	slices.SortFunc(alerts, func(a, b Alert) int {
		return cmp.Or(b.Day.Compare(a.Day), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.CustomerID, b.CustomerID), cmp.Compare(a.Staff, b.Staff))
	})
	return alerts
}

// over reports whether v is over the threshold limit; a limit of 0 is no threshold.
func over(v, limit int64) bool { return limit > 0 && v > limit }

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
