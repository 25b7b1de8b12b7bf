package loyalty_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/loyalty"
)

// ledgerOp is an operation of the alert tests: kind on customer's card code by staff
// at hour h of November 23rd (Paris), moving d.
func ledgerOp(t *testing.T, kind loyalty.Kind, customer, code, staff string, h int, d loyalty.Delta) loyalty.Operation {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return loyalty.Operation{ID: id.String(), Kind: kind, CustomerID: customer, CardCode: code, Staff: staff,
		Delta: d, Device: "dev-1", At: time.Date(2026, 11, 23, h, 0, 0, 0, paris(t))}
}

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAlerts(t *testing.T) {
	loc := paris(t)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	credits := func(n int, customer string, points int64) []loyalty.Operation {
		var ops []loyalty.Operation
		for i := range n {
			ops = append(ops, ledgerOp(t, loyalty.KindCredit, customer, "CARD-"+customer, "cashier", 9+i, loyalty.Delta{Points: points, Cashback: 10}))
		}
		return ops
	}
	six := credits(6, "ana", 1)
	undone := append(credits(5, "ana", 1), ledgerOp(t, loyalty.KindCredit, "ana", "CARD-ana", "cashier", 18, loyalty.Delta{Points: 1}))
	undone = append(undone, loyalty.Operation{ID: "void", Kind: loyalty.KindVoid, Target: undone[5].ID, CustomerID: "ana", At: undone[5].At})
	adjust := func(staff string, h int, d loyalty.Delta, reason string) loyalty.Operation {
		op := ledgerOp(t, loyalty.KindAdjust, "bo", "CARD-bo", staff, h, d)
		op.Reason = reason
		return op
	}
	lateNight := ledgerOp(t, loyalty.KindCredit, "ana", "CARD-ana", "cashier", 23, loyalty.Delta{Points: 1})
	lateNight.At = lateNight.At.Add(90 * time.Minute) // 00:30 the next day in Paris, 23:30 UTC the same day
	tests := []struct {
		name  string
		rules loyalty.AlertRules
		ops   []loyalty.Operation
		want  []loyalty.Alert
	}{
		{"five operations are no alert", loyalty.DefaultAlertRules, credits(5, "ana", 1), nil},
		{"six are", loyalty.DefaultAlertRules, six, []loyalty.Alert{
			{Kind: loyalty.AlertOperations, Day: day, CustomerID: "ana", CardCode: "CARD-ana", Operations: 6, Points: 6, Cashback: 60},
		}},
		{"an undone operation does not count", loyalty.DefaultAlertRules, undone, nil},
		{"the shop's day, not UTC's", loyalty.DefaultAlertRules, append(credits(5, "ana", 1), lateNight), nil},
		{"turned off", loyalty.AlertRules{}, six, nil},
		{"credited over the points", loyalty.AlertRules{PointsPerDay: 100}, credits(2, "ana", 51), []loyalty.Alert{
			{Kind: loyalty.AlertCredited, Day: day, CustomerID: "ana", CardCode: "CARD-ana", Operations: 2, Points: 102, Cashback: 20},
		}},
		{"credited up to the points", loyalty.AlertRules{PointsPerDay: 102}, credits(2, "ana", 51), nil},
		{"credited over the cashback", loyalty.AlertRules{CashbackPerDay: 25}, credits(3, "ana", 0), []loyalty.Alert{
			{Kind: loyalty.AlertCredited, Day: day, CustomerID: "ana", CardCode: "CARD-ana", Operations: 3, Cashback: 30},
		}},
		{"points taken off are not credited", loyalty.AlertRules{PointsPerDay: 10}, []loyalty.Operation{
			ledgerOp(t, loyalty.KindDebit, "ana", "CARD-ana", "cashier", 9, loyalty.Delta{Points: -50}),
		}, nil},
		{"one card's alerts and another's", loyalty.AlertRules{OpsPerDay: 5, PointsPerDay: 5}, append(six, credits(1, "bo", 9)...), []loyalty.Alert{
			{Kind: loyalty.AlertCredited, Day: day, CustomerID: "ana", CardCode: "CARD-ana", Operations: 6, Points: 6, Cashback: 60},
			{Kind: loyalty.AlertCredited, Day: day, CustomerID: "bo", CardCode: "CARD-bo", Operations: 1, Points: 9, Cashback: 10},
			{Kind: loyalty.AlertOperations, Day: day, CustomerID: "ana", CardCode: "CARD-ana", Operations: 6, Points: 6, Cashback: 60},
		}},
		{"adjustments either way add up per staff member", loyalty.AlertRules{AdjustedPoints: 100}, []loyalty.Operation{
			adjust("owner", 9, loyalty.Delta{Points: 60}, "gift"), adjust("owner", 10, loyalty.Delta{Points: -50}, "typo"),
			adjust("manager", 11, loyalty.Delta{Points: 100}, "gift"),
		}, []loyalty.Alert{
			{Kind: loyalty.AlertAdjusted, Day: day, Staff: "owner", Operations: 2, Points: 110},
		}},
		{"adjusted cashback", loyalty.AlertRules{AdjustedCashback: 1000}, []loyalty.Operation{
			adjust("owner", 9, loyalty.Delta{Cashback: -1001}, "typo"),
		}, []loyalty.Alert{
			{Kind: loyalty.AlertAdjusted, Day: day, Staff: "owner", Operations: 1, Cashback: 1001},
		}},
		{"opening balances are not watched", loyalty.AlertRules{AdjustedPoints: 100}, []loyalty.Operation{
			adjust("owner", 9, loyalty.Delta{Points: 500}, loyalty.ReasonOpening),
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.rules.Alerts(tt.ops, loc)); diff != "" {
				t.Errorf("Alerts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAlertsNameTheCardLastUsed(t *testing.T) {
	ops := []loyalty.Operation{
		ledgerOp(t, loyalty.KindCredit, "ana", "NEW", "cashier", 15, loyalty.Delta{Points: 1}),
		ledgerOp(t, loyalty.KindCredit, "ana", "OLD", "cashier", 9, loyalty.Delta{Points: 1}),
	}
	got := loyalty.AlertRules{OpsPerDay: 1}.Alerts(ops, paris(t))
	if len(got) != 1 || got[0].CardCode != "NEW" {
		t.Errorf("Alerts = %+v, want one naming the card used last, NEW", got)
	}
}

func TestAlertRulesValidate(t *testing.T) {
	if err := loyalty.DefaultAlertRules.Validate(); err != nil {
		t.Errorf("Validate(default) = %v", err)
	}
	if err := (loyalty.AlertRules{AdjustedCashback: -1}).Validate(); !errors.Is(err, loyalty.ErrInvalidAlertRules) {
		t.Errorf("Validate(negative) = %v", err)
	}
	if err := (loyalty.AlertRules{Email: "Owner <owner@example.com>"}).Validate(); !errors.Is(err, loyalty.ErrBadEmail) {
		t.Errorf("Validate(a named address) = %v, want ErrBadEmail", err)
	}
	if err := (loyalty.AlertRules{Email: "owner@example.com"}).Validate(); err != nil {
		t.Errorf("Validate(an address) = %v", err)
	}
}

// An alert's key is the same wherever it is computed, and tells apart what the owner
// must hear of separately.
func TestAlertKey(t *testing.T) {
	day := time.Date(2026, 12, 6, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		a    loyalty.Alert
		want string
	}{
		{loyalty.Alert{Kind: loyalty.AlertOperations, Day: day, CustomerID: "c1", Staff: "s1"}, "operations:2026-12-06:c1"},
		{loyalty.Alert{Kind: loyalty.AlertCredited, Day: day, CustomerID: "c1"}, "credited:2026-12-06:c1"},
		{loyalty.Alert{Kind: loyalty.AlertAdjusted, Day: day, CustomerID: "c1", Staff: "s1"}, "adjusted:2026-12-06:s1"},
	} {
		if got := tc.a.Key(); got != tc.want {
			t.Errorf("Key(%+v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}
