package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// SettingAlerts is the key of the shop's loyalty.AlertRules, synced like the program.
const SettingAlerts = syncwire.SettingAlerts

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

// SaveAlertRules validates r and stores it for every device of the shop. The cloud
// counts the days of the alerts it emails in this device's time zone.
func (s *Store) SaveAlertRules(ctx context.Context, r loyalty.AlertRules) error {
	r.Email = loyalty.NormalizeEmail(r.Email)
	if err := r.Validate(); err != nil {
		return err
	}
	r.Zone = localZone()
	return s.SaveSetting(ctx, SettingAlerts, r)
}

// localZone returns the IANA name of the system's time zone, or "" where it cannot
// tell (Go names it only "Local"): TZ when it names one, else the zone file that
// /etc/localtime links to, as on Linux and macOS.
func localZone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	target, err := os.Readlink("/etc/localtime")
	if err != nil {
		return ""
	}
	_, name, ok := strings.Cut(target, "zoneinfo/")
	if !ok {
		return ""
	}
	if _, err := time.LoadLocation(name); err != nil {
		return ""
	}
	return name
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
