package loyalty_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/loyalty"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func at(kind loyalty.Kind, t time.Time, points int64, cashback loyalty.Money) loyalty.Operation {
	return loyalty.Operation{ID: loyalty.DerivedID(t, string(kind)), CustomerID: "cust-1", Kind: kind, At: t,
		Delta: loyalty.Delta{Points: points, Cashback: cashback}}
}

func TestExpiries(t *testing.T) {
	earned := loyalty.Program{Currency: "EUR", ExpiryMonths: 12}
	idle := loyalty.Program{Currency: "EUR", ExpiryMonths: 6, ExpiryRule: loyalty.ExpireAfterInactivity}
	feb2027 := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	mar2027 := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	jan := at(loyalty.KindCredit, day(2026, 1, 15), 10, 50)
	feb := at(loyalty.KindCredit, day(2026, 2, 3), 7, 0)
	tests := []struct {
		name    string
		program loyalty.Program
		ops     []loyalty.Operation
		now     time.Time
		due     []loyalty.Expiry
		next    *loyalty.Expiry
	}{
		{"no expiry in the program", loyalty.Program{Currency: "EUR"}, []loyalty.Operation{jan}, day(2030, 1, 1), nil, nil},
		{"nothing due yet: the next is the oldest month's", earned, []loyalty.Operation{jan, feb}, day(2027, 1, 31), nil,
			&loyalty.Expiry{At: feb2027, Points: 10, Cashback: 50, Key: "earned:2026-01"}},
		{"a month is due at the end of its twelfth month after", earned, []loyalty.Operation{jan, feb}, feb2027,
			[]loyalty.Expiry{{At: feb2027, Points: 10, Cashback: 50, Key: "earned:2026-01"}},
			&loyalty.Expiry{At: mar2027, Points: 7, Key: "earned:2026-02"}},
		{"a spend takes the oldest first", earned,
			[]loyalty.Operation{jan, feb, at(loyalty.KindRedeem, day(2026, 3, 1), -12, 0)}, feb2027,
			[]loyalty.Expiry{{At: feb2027, Cashback: 50, Key: "earned:2026-01"}}, &loyalty.Expiry{At: mar2027, Points: 5, Key: "earned:2026-02"}},
		{"cashback spent first in, first out too", earned,
			[]loyalty.Operation{jan, at(loyalty.KindSpendCashback, day(2026, 1, 20), 0, -20)}, feb2027,
			[]loyalty.Expiry{{At: feb2027, Points: 10, Cashback: 30, Key: "earned:2026-01"}}, nil},
		{"an expiry recorded is not due again", earned,
			[]loyalty.Operation{jan, feb, {ID: loyalty.ExpiryID("cust-1", loyalty.Expiry{At: feb2027, Key: "earned:2026-01"}),
				CustomerID: "cust-1", Kind: loyalty.KindExpire, At: feb2027, Delta: loyalty.Delta{Points: -10, Cashback: -50}}},
			day(2027, 2, 15), nil, &loyalty.Expiry{At: mar2027, Points: 7, Key: "earned:2026-02"}},
		{"an overdrawn card pays its debt before new points count", earned,
			[]loyalty.Operation{at(loyalty.KindAdjust, day(2026, 1, 2), -4, 0), jan}, feb2027,
			[]loyalty.Expiry{{At: feb2027, Points: 6, Cashback: 50, Key: "earned:2026-01"}}, nil},
		{"inactivity: all expires months after the last visit", idle,
			[]loyalty.Operation{jan, feb, at(loyalty.KindRedeem, day(2026, 5, 1), -5, 0)}, day(2026, 8, 3),
			[]loyalty.Expiry{{At: day(2026, 8, 3), Points: 12, Cashback: 50, Key: "inactive:2026-02-03T12:00:00Z"}}, nil},
		{"inactivity: a visit pushes it back", idle,
			[]loyalty.Operation{jan, at(loyalty.KindVisit, day(2026, 7, 1), 1, 0)}, day(2026, 8, 3),
			nil, &loyalty.Expiry{At: day(2027, 1, 1), Points: 11, Cashback: 50, Key: "inactive:2026-07-01T12:00:00Z"}},
		{"inactivity: nothing to expire on an empty balance", idle,
			[]loyalty.Operation{jan, at(loyalty.KindRedeem, day(2026, 1, 16), -10, 0), at(loyalty.KindSpendCashback, day(2026, 1, 16), 0, -50)},
			day(2027, 1, 1), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, next := tt.program.Expiries("cust-1", tt.ops, tt.now)
			if diff := cmp.Diff(tt.due, due); diff != "" {
				t.Errorf("due (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.next, next); diff != "" {
				t.Errorf("next (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExpireSameOnEveryDevice: two devices noticing one expiry make the same operation
// but for who noticed it.
func TestExpireSameOnEveryDevice(t *testing.T) {
	p := loyalty.Program{Currency: "EUR", ExpiryMonths: 12}
	e := loyalty.Expiry{At: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), Points: 10, Cashback: 50, Key: "earned:2026-01"}
	a, err := p.Expire(loyalty.Origin{Device: "till-a", At: day(2027, 2, 2)}, "cust-1", e)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Expire(loyalty.Origin{Device: "till-b", Staff: "s", At: day(2027, 3, 9)}, "cust-1", e)
	if err != nil {
		t.Fatal(err)
	}
	b.Device, b.Staff = a.Device, a.Staff
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two devices' expiries differ (-a +b):\n%s", diff)
	}
	if want := (loyalty.Delta{Points: -10, Cashback: -50}); a.Delta != want || a.Currency != "EUR" || !a.At.Equal(e.At) {
		t.Errorf("expiry = %+v, want delta %+v in EUR at %v", a, want, e.At)
	}
	other, _ := p.Expire(loyalty.Origin{Device: "till-a"}, "cust-2", e)
	if other.ID == a.ID {
		t.Errorf("two customers' expiries share id %s", a.ID)
	}
}
