package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// AlertMail is an alert of a shop's ledger, for its owner's inbox.
type AlertMail struct {
	ShopName     string
	Currency     string // of the shop's program
	Rules        loyalty.AlertRules
	Alert        loyalty.Alert
	CustomerName string // of Alert.CustomerID
	StaffName    string // of Alert.Staff
}

// MaxAlertMailsPerDay bounds the alert emails of a shop in a day: a till gone wrong
// must not flood its owner's inbox.
const MaxAlertMailsPerDay = 20

// alertScanBatch is how many operations QueueAlertMails reads of a shop at a time.
const alertScanBatch = 2000

// QueueAlertMails queues an email to every owner who asked for them for each alert
// that the operations pushed since the last call raise (loyalty.AlertRules), once per
// alert: the owner hears of a card used again and again while the day is on, whichever
// device it happened on and whether or not the owner's own device is on. Each shop's
// scan starts after its alert settings arrived. render writes the email. It returns
// how many emails it queued.
func (db *DB) QueueAlertMails(ctx context.Context, render func(AlertMail) (subject, text string)) (int, error) {
	type shopRules struct {
		id, name                  string
		body                      string
		setAt, scannedTo, current int64
	}
	// Only the shops whose log has grown since their last scan: the others cost this
	// one query however often it runs.
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT c.shop_id, s.name, c.body, c.version, COALESCE(a.version, 0), s.version
		FROM changes c JOIN shops s ON s.id = c.shop_id LEFT JOIN alert_scans a ON a.shop_id = c.shop_id
		WHERE c.ctype = ? AND c.ckey = ? AND c.live = 1 AND s.version > c.version AND s.version > COALESCE(a.version, 0)
		AND c.shop_id NOT IN (SELECT shop_id FROM shop_suspensions)`),
		syncwire.TypeSetting, syncwire.SettingAlerts)
	if err != nil {
		return 0, fmt.Errorf("alert mails: list shops: %w", err)
	}
	var shops []shopRules
	for rows.Next() {
		var sr shopRules
		if err := rows.Scan(&sr.id, &sr.name, &sr.body, &sr.setAt, &sr.scannedTo, &sr.current); err != nil {
			rows.Close()
			return 0, fmt.Errorf("alert mails: list shops: %w", err)
		}
		shops = append(shops, sr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("alert mails: list shops: %w", err)
	}
	queued := 0
	for _, sr := range shops {
		var rules loyalty.AlertRules
		if json.Unmarshal([]byte(sr.body), &rules) != nil || rules.Validate() != nil || rules.Email == "" {
			continue // nothing asked for, or nothing the server can follow
		}
		loc, err := time.LoadLocation(rules.Zone)
		if err != nil {
			loc = time.UTC
		}
		var prog loyalty.Program
		body, err := db.setting(ctx, db.r, sr.id, syncwire.SettingProgram)
		if err != nil {
			return queued, fmt.Errorf("alert mails of shop %s: %w", sr.id, err)
		}
		json.Unmarshal(body, &prog) // without a program, amounts show without a currency
		a := alertScan{db: db, shopID: sr.id, shopName: sr.name, currency: prog.Currency, rules: rules, loc: loc, render: render}
		n, err := a.run(ctx, max(sr.setAt, sr.scannedTo), sr.current)
		queued += n
		if err != nil {
			return queued, fmt.Errorf("alert mails of shop %s: %w", sr.id, err)
		}
	}
	if queued > 0 {
		db.hub.notify(outboxTopic)
	}
	return queued, nil
}

// alertScan reads one shop's new operations for alerts.
type alertScan struct {
	db       *DB
	shopID   string
	shopName string
	currency string
	rules    loyalty.AlertRules
	loc      *time.Location
	render   func(AlertMail) (subject, text string)
	sent     int // alert emails of the shop queued in the last 24 hours
}

// run reads the shop's operations after version from up to version upTo, a batch a
// transaction, queues the alerts of the days they fall on and keeps how far it read.
func (a *alertScan) run(ctx context.Context, from, upTo int64) (int, error) {
	err := a.db.r.QueryRowContext(ctx, a.db.q(`SELECT COUNT(*) FROM outbox WHERE shop_id = ? AND created_at > ? AND id LIKE 'alert:%'`),
		a.shopID, a.db.millis()-(24*time.Hour).Milliseconds()).Scan(&a.sent)
	if err != nil {
		return 0, fmt.Errorf("count alert emails: %w", err)
	}
	queued := 0
	for more := true; more; {
		err := a.db.tx(ctx, func(tx *sql.Tx) error {
			days, last, n, err := a.newDays(ctx, tx, from, upTo)
			if err != nil {
				return err
			}
			if more = n == alertScanBatch; !more {
				last = upTo // the changes after the last operation hold none
			}
			for _, day := range days {
				q, err := a.queueDay(ctx, tx, day)
				if err != nil {
					return err
				}
				queued += q
			}
			from = last
			_, err = tx.ExecContext(ctx, a.db.q(`INSERT INTO alert_scans (shop_id, version) VALUES (?, ?)
				ON CONFLICT (shop_id) DO UPDATE SET version = excluded.version`), a.shopID, last)
			if err != nil {
				return fmt.Errorf("save scan: %w", err)
			}
			return nil
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// newDays returns the days of the shop's zone that the operations after version from
// fall on, the version of the last one read and how many were read.
func (a *alertScan) newDays(ctx context.Context, tx *sql.Tx, from, upTo int64) ([]time.Time, int64, int, error) {
	rows, err := tx.QueryContext(ctx, a.db.q(`SELECT body, version FROM changes
		WHERE shop_id = ? AND version > ? AND version <= ? AND ctype = ? ORDER BY version LIMIT ?`),
		a.shopID, from, upTo, syncwire.TypeOp, alertScanBatch)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read operations: %w", err)
	}
	defer rows.Close()
	var days []time.Time
	seen := map[time.Time]bool{}
	last, n := from, 0
	for rows.Next() {
		var body string
		if err := rows.Scan(&body, &last); err != nil {
			return nil, 0, 0, fmt.Errorf("read operations: %w", err)
		}
		n++
		var op loyalty.Operation
		if json.Unmarshal([]byte(body), &op) != nil {
			continue
		}
		if day := a.day(op.At); !seen[day] {
			seen[day] = true
			days = append(days, day)
		}
	}
	return days, last, n, rows.Err()
}

func (a *alertScan) day(t time.Time) time.Time {
	t = t.In(a.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, a.loc)
}

// queueDay queues the alerts of day that no email was queued for yet.
func (a *alertScan) queueDay(ctx context.Context, tx *sql.Tx, day time.Time) (int, error) {
	ops, err := a.dayOps(ctx, tx, day)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, alert := range a.rules.Alerts(ops, a.loc) {
		if a.sent >= MaxAlertMailsPerDay {
			return queued, nil
		}
		var err error
		m := AlertMail{ShopName: a.shopName, Currency: a.currency, Rules: a.rules, Alert: alert}
		if m.CustomerName, err = a.recordName(ctx, tx, syncwire.TypeCustomer, alert.CustomerID); err != nil {
			return queued, err
		}
		if m.StaffName, err = a.recordName(ctx, tx, typeStaff, alert.Staff); err != nil {
			return queued, err
		}
		subject, text := a.render(m)
		now := a.db.millis()
		res, err := tx.ExecContext(ctx, a.db.q(`INSERT INTO outbox (shop_id, id, recipient, subject, body, status, attempts, next_at, lease_until, last_error, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, '', ?) ON CONFLICT (shop_id, id) DO NOTHING`),
			a.shopID, "alert:"+alert.Key(), a.rules.Email, subject, text, syncwire.EmailQueued, now, now)
		if err != nil {
			return queued, fmt.Errorf("queue alert email: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 {
			queued++
			a.sent++
		}
	}
	return queued, nil
}

// dayOps returns the shop's operations of day. Their ids are UUIDv7s, which begin with
// the time they were made, so the index of records reaches a day's operations; a day
// either side covers an operation whose time and id differ a little.
func (a *alertScan) dayOps(ctx context.Context, tx *sql.Tx, day time.Time) ([]loyalty.Operation, error) {
	end := day.AddDate(0, 0, 1)
	rows, err := tx.QueryContext(ctx, a.db.q(`SELECT body FROM changes
		WHERE shop_id = ? AND ctype = ? AND ckey >= ? AND ckey < ? AND version IS NOT NULL`),
		a.shopID, syncwire.TypeOp, uuidv7Prefix(day.AddDate(0, 0, -1)), uuidv7Prefix(end.AddDate(0, 0, 1)))
	if err != nil {
		return nil, fmt.Errorf("read the day's operations: %w", err)
	}
	defer rows.Close()
	var ops []loyalty.Operation
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read the day's operations: %w", err)
		}
		var op loyalty.Operation
		if json.Unmarshal([]byte(body), &op) == nil && !op.At.Before(day) && op.At.Before(end) {
			ops = append(ops, op)
		}
	}
	return ops, rows.Err()
}

// uuidv7Prefix returns the text that UUIDv7s made at t begin with: the 48-bit Unix
// time in milliseconds, in hex. It sorts as the time does.
func uuidv7Prefix(t time.Time) string {
	ms := t.UnixMilli()
	return fmt.Sprintf("%08x-%04x", ms>>16, ms&0xffff)
}

// typeStaff is localdb's record of a staff member.
const typeStaff = "staff"

// recordName returns the name in the live record of type ctype and key, or "".
func (a *alertScan) recordName(ctx context.Context, tx *sql.Tx, ctype, key string) (string, error) {
	if key == "" {
		return "", nil
	}
	var body string
	err := tx.QueryRowContext(ctx, a.db.q("SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1"),
		a.shopID, ctype, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s %s: %w", ctype, key, err)
	}
	var rec struct {
		Name string `json:"name"`
	}
	json.Unmarshal([]byte(body), &rec) // a record without a name leaves the email without it
	return rec.Name, nil
}
