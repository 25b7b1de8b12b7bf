package loyalty

import (
	"errors"
	"fmt"
)

// Bounds on the numbers of an operation and of a balance. No real shop comes near
// them, and they stay far from int64 overflow: a balance of MaxBalance changed by any
// operation still fits, so sums need no float and no wrap-around. The cloud server
// rejects a change beyond them, and the app refuses to make one.
const (
	// MaxPoints bounds the points and the experience one operation may move, either way.
	MaxPoints = 1_000_000_000
	// MaxMoney bounds an amount of money and the cashback one operation may move, in
	// minor units: a billion euros in cents.
	MaxMoney Money = 100_000_000_000
	// MaxBalance bounds a customer's points, cashback (minor units) and experience,
	// either way.
	MaxBalance = 1_000_000_000_000_000
	// MaxRatePerUnit bounds the points and experience a program gives per currency
	// unit, so that what the largest purchase earns is computed without overflow.
	MaxRatePerUnit = 1_000_000
)

// Errors of the bounds.
var (
	ErrPointsTooLarge    = errors.New("more points than one operation may move")
	ErrBalanceOutOfRange = errors.New("the balance would leave the range a balance may hold")
)

// within reports whether -limit <= v <= limit.
func within(v, limit int64) bool { return v >= -limit && v <= limit }

// Check reports whether d moves no more than an operation may: at most MaxPoints points
// and experience and MaxMoney cashback, either way.
func (d Delta) Check() error {
	switch {
	case !within(d.Points, MaxPoints):
		return fmt.Errorf("%d points: %w", d.Points, ErrPointsTooLarge)
	case !within(d.XP, MaxPoints):
		return fmt.Errorf("%d experience: %w", d.XP, ErrPointsTooLarge)
	case !within(int64(d.Cashback), int64(MaxMoney)):
		return fmt.Errorf("%d cashback: %w", d.Cashback, ErrAmountTooLarge)
	}
	return nil
}

// Apply returns b changed by d, or ErrBalanceOutOfRange if a part of it would leave
// ±MaxBalance. It never overflows, whatever b and d hold.
func (b Balance) Apply(d Delta) (Balance, error) {
	points, ok1 := addChecked(b.Points, d.Points)
	cashback, ok2 := addChecked(int64(b.Cashback), int64(d.Cashback))
	xp, ok3 := addChecked(b.XP, d.XP)
	if !ok1 || !ok2 || !ok3 || !within(points, MaxBalance) || !within(cashback, MaxBalance) || !within(xp, MaxBalance) {
		return b, ErrBalanceOutOfRange
	}
	return Balance{Points: points, Cashback: Money(cashback), XP: xp}, nil
}

// addChecked returns a+b and whether the sum fits in an int64.
func addChecked(a, b int64) (int64, bool) {
	s := a + b
	return s, (b >= 0) == (s >= a)
}
