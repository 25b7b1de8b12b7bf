package localdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

func TestAlertsFromTheLedger(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	since := s.Now().Add(-time.Hour)
	if got, err := s.AlertRules(ctx); err != nil || got != loyalty.DefaultAlertRules {
		t.Fatalf("AlertRules() = %+v, %v; want the defaults", got, err)
	}
	a := newAccount(t, s, "eve")
	for range 6 {
		credit(t, s, a.Code(), 100)
	}
	got, err := s.Alerts(ctx, since, time.Local)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != loyalty.AlertOperations || got[0].Operations != 6 || got[0].CustomerName != "eve" ||
		got[0].CardCode != string(a.Code()) || got[0].CardStatus != loyalty.CardActive {
		t.Fatalf("Alerts = %+v, want six operations on eve's active card", got)
	}

	// The owner blocks the card from the alert: the alert stays, the card is blocked.
	if err := s.BlockCard(ctx, cards.Code(got[0].CardCode), true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Alerts(ctx, since, time.Local); err != nil || len(got) != 1 || got[0].CardStatus != loyalty.CardBlocked {
		t.Errorf("Alerts after blocking = %+v, %v; want the card blocked", got, err)
	}

	// Thresholds the owner raises apply at once, and sync as a setting.
	t.Setenv("TZ", "Europe/Paris")
	if err := s.SaveAlertRules(ctx, loyalty.AlertRules{OpsPerDay: 6, Email: " owner@Example.com"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Alerts(ctx, since, time.Local); err != nil || len(got) != 0 {
		t.Errorf("Alerts over 6 operations = %+v, %v; want none", got, err)
	}
	if err := s.SaveAlertRules(ctx, loyalty.AlertRules{OpsPerDay: -1}); !errors.Is(err, loyalty.ErrInvalidAlertRules) {
		t.Errorf("SaveAlertRules(negative) = %v", err)
	}
	// The cloud emails the alerts to the address as typed, in this computer's days.
	want := loyalty.AlertRules{OpsPerDay: 6, Email: "owner@example.com", Zone: "Europe/Paris"}
	if got, err := s.AlertRules(ctx); err != nil || got != want {
		t.Errorf("AlertRules() = %+v, %v; want %+v", got, err, want)
	}
	changes, err := s.Outgoing(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	queued := 0
	for _, c := range changes {
		if c.Type == syncwire.TypeSetting && c.Key == localdb.SettingAlerts {
			queued++
		}
	}
	if queued == 0 {
		t.Error("the alert rules are not in the outbox: other devices would not have them")
	}
}
