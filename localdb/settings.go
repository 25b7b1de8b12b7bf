package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Setting keys synced across the shop's devices.
const (
	SettingProgram = syncwire.SettingProgram
	SettingShop    = syncwire.SettingShop
)

// Shop is the shop's identity as shown on screens, cards and the kiosk.
type Shop struct {
	Name     string `json:"name"`
	Demo     bool   `json:"demo"`                // the demo shop made on first start
	CloudURL string `json:"cloud_url,omitempty"` // the base of card page URLs
	Logo     []byte `json:"logo,omitempty"`      // PNG
	// Languages are the languages the shop speaks, as i18n codes, its main one first:
	// the kiosk offers these. Empty: all of Merci's.
	Languages []string `json:"languages,omitempty"`
}

// Setting reads the setting key into v (a pointer); ErrNotFound if it was never set.
func (s *Store) Setting(ctx context.Context, key string, v any) error {
	var raw string
	st, err := s.stmt(ctx, nil, `SELECT value FROM settings WHERE key = ?`) // read at every counter operation
	if err == nil {
		err = st.QueryRowContext(ctx, key).Scan(&raw)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("setting %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("decode setting %s: %w", key, err)
	}
	return nil
}

// SaveSetting stores v as the setting key and queues it for the shop's other devices.
func (s *Store) SaveSetting(ctx context.Context, key string, v any) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error { return s.saveSetting(ctx, tx, key, v) })
}

func (s *Store) saveSetting(ctx context.Context, tx *sql.Tx, key string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode setting %s: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, string(body)); err != nil {
		return fmt.Errorf("store setting %s: %w", key, err)
	}
	return s.enqueue(ctx, tx, "", syncwire.TypeSetting, key, body)
}

// Program returns the shop's loyalty program.
func (s *Store) Program(ctx context.Context) (loyalty.Program, error) {
	var p loyalty.Program
	err := s.Setting(ctx, SettingProgram, &p)
	return p, err
}

// SaveProgram validates and stores the shop's loyalty program.
func (s *Store) SaveProgram(ctx context.Context, p loyalty.Program) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.SaveSetting(ctx, SettingProgram, p)
}

// Shop returns the shop's identity.
func (s *Store) Shop(ctx context.Context) (Shop, error) {
	var sh Shop
	err := s.Setting(ctx, SettingShop, &sh)
	return sh, err
}
