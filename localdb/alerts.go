package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
)

// SettingAlerts is the key of the shop's loyalty.AlertRules, synced like the program.
const SettingAlerts = "alerts"

// AlertRules returns the owner's alert thresholds, loyalty.DefaultAlertRules where the
// owner has not chosen.
func (s *Store) AlertRules(ctx context.Context) (loyalty.AlertRules, error) {
	r := loyalty.DefaultAlertRules
	// Fields a later version adds keep their defaults.
	if err := s.Setting(ctx, SettingAlerts, &r); err != nil && !errors.Is(err, ErrNotFound) {
		return r, fmt.Errorf("read alert rules: %w", err)
	}
	return r, nil
}

// SaveAlertRules validates r and stores it for every device of the shop.
func (s *Store) SaveAlertRules(ctx context.Context, r loyalty.AlertRules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.SaveSetting(ctx, SettingAlerts, r)
}

// AlertEntry is an alert as the owner's desk lists it.
type AlertEntry struct {
	loyalty.Alert
	CustomerName string
	StaffName    string             // who adjusted; "" for a card's alert or nobody signed in
	CardStatus   loyalty.CardStatus // of the card named, so the desk offers to block it
}

// Alerts returns what the ledger holds since since that is over the owner's alert
// rules, newest day first, counted in days of loc. Every device computes the same
// from the same ledger: nothing is stored.
func (s *Store) Alerts(ctx context.Context, since time.Time, loc *time.Location) ([]AlertEntry, error) {
	rules, err := s.AlertRules(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := s.Entries(ctx, since, "", 1<<30)
	if err != nil {
		return nil, fmt.Errorf("read the ledger for alerts: %w", err)
	}
	ops := make([]loyalty.Operation, len(entries))
	customers, staff := map[string]string{}, map[string]string{}
	for i, e := range entries {
		ops[i] = e.Operation
		customers[e.CustomerID] = e.CustomerName
		if e.Staff != "" {
			staff[e.Staff] = e.StaffName
		}
	}
	alerts := rules.Alerts(ops, loc)
	out := make([]AlertEntry, len(alerts))
	for i, a := range alerts {
		out[i] = AlertEntry{Alert: a, CustomerName: customers[a.CustomerID], StaffName: staff[a.Staff]}
		if a.CardCode == "" {
			continue
		}
		err := s.db.QueryRowContext(ctx, `SELECT status FROM cards WHERE code = ?`, a.CardCode).Scan(&out[i].CardStatus)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read card %s: %w", a.CardCode, err)
		}
	}
	return out, nil
}
