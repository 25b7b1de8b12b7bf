package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
)

// TierStatus returns the tier of a's customer at now under p: for tiers for a period,
// from their ledger.
func (s *Store) TierStatus(ctx context.Context, p loyalty.Program, a Account, now time.Time) (loyalty.TierStatus, error) {
	return tierStatus(ctx, s.db, p, a, now)
}

func tierStatus(ctx context.Context, q querier, p loyalty.Program, a Account, now time.Time) (loyalty.TierStatus, error) {
	if !p.TiersForAPeriod() {
		return p.StatusAt(nil, a.Balance.XP, now), nil
	}
	ops, err := customerOperations(ctx, q, a.Customer.ID)
	if err != nil {
		return loyalty.TierStatus{}, err
	}
	return p.StatusAt(ops, a.Balance.XP, now), nil
}

// programIn reads the shop's program through q, inside a write transaction; the zero
// program when there is none yet.
func programIn(ctx context.Context, q querier) (loyalty.Program, error) {
	var p loyalty.Program
	var body string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SettingProgram).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err == nil {
		err = json.Unmarshal([]byte(body), &p)
	}
	if err != nil {
		return p, fmt.Errorf("read the program: %w", err)
	}
	return p, nil
}
