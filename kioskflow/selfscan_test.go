package kioskflow_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

func TestSelfScan(t *testing.T) {
	f, _ := newFlow(t)
	calls := 0
	record := func(op loyalty.Operation, a localdb.Account, inv *nps.Invitation, err error) kioskflow.RecordVisit {
		return func(cards.Code) (loyalty.Operation, localdb.Account, *nps.Invitation, error) {
			calls++
			return op, a, inv, err
		}
	}
	var a localdb.Account
	a.Customer.Name = "Chloé Martin"
	a.Balance.Points = 12
	var op loyalty.Operation
	op.Delta.Points = 2

	if err := f.SelfScan("CODE", record(op, a, &nps.Invitation{ID: "inv-1"}, nil)); err != nil {
		t.Fatal(err)
	}
	if f.Step != kioskflow.Score || f.Visit == nil || f.Visit.Name != "Chloé" || f.Visit.Points != 2 || f.Visit.Balance != 12 {
		t.Fatalf("after a visit: step %v, visit %+v; want the question greeting Chloé", f.Step, f.Visit)
	}
	if err := f.SelfScan("CODE", record(op, a, nil, nil)); err != nil || calls != 1 {
		t.Errorf("a scan during the survey: err %v, %d visits recorded; want it ignored", err, calls)
	}

	f.Reset()
	if err := f.SelfScan("CODE", record(op, a, nil, fmt.Errorf("record: %w", nps.ErrVisitLimit))); err != nil {
		t.Errorf("a visit over the limit: err %v, want it worded for the customer", err)
	}
	if want := i18n.French.T("kiosk.err.visit_limit"); f.Step != kioskflow.Idle || f.Notice != want {
		t.Errorf("over the limit: step %v, notice %q; want the welcome saying %q", f.Step, f.Notice, want)
	}
	broken := errors.New("disk full")
	if err := f.SelfScan("CODE", record(op, a, nil, broken)); !errors.Is(err, broken) {
		t.Errorf("a broken store: err %v, want it returned for the log", err)
	}
	if want := i18n.French.T("kiosk.err.internal"); f.Notice != want {
		t.Errorf("a broken store: notice %q, want %q", f.Notice, want)
	}
}
