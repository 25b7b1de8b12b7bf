package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/loyalty"
)

// ErrAlreadySetUp means the store already holds a shop: setting one up again would mix
// two shops in one store.
var ErrAlreadySetUp = errors.New("this device already holds a shop")

// ErrNameRequired means a shop or a person was given no name.
var ErrNameRequired = errors.New("a name is required")

// Setup is what the owner gives to set up a shop on this device.
type Setup struct {
	Shop      Shop // its name, logo and languages
	Program   loyalty.Program
	OwnerName string
	OwnerPIN  string
}

// SetUpShop sets up the shop on an empty store, in one transaction: its identity, its
// program and its owner, who is returned. It refuses the demo (ErrDemo) and a store
// that already holds a shop (ErrAlreadySetUp).
func (s *Store) SetUpShop(ctx context.Context, su Setup) (Staff, error) {
	su.Shop.Name, su.OwnerName = strings.TrimSpace(su.Shop.Name), strings.TrimSpace(su.OwnerName)
	su.Shop.Demo = false
	if su.Shop.Name == "" || su.OwnerName == "" {
		return Staff{}, ErrNameRequired
	}
	if err := su.Program.Validate(); err != nil {
		return Staff{}, err
	}
	if demo, err := s.IsDemo(ctx); err != nil {
		return Staff{}, err
	} else if demo {
		return Staff{}, ErrDemo
	}
	hash, err := s.hashPIN(ctx, su.OwnerPIN, "")
	if err != nil {
		return Staff{}, err
	}
	owner := Staff{ID: uuid.NewString(), Name: su.OwnerName, Role: RoleOwner}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM settings WHERE key = ?)`, SettingShop).Scan(&exists); err != nil {
			return fmt.Errorf("look for a shop: %w", err)
		}
		if exists {
			return ErrAlreadySetUp
		}
		if err := s.saveSetting(ctx, tx, SettingProgram, su.Program); err != nil {
			return err
		}
		if err := s.putStaff(ctx, tx, staffRecord{ID: owner.ID, Name: owner.Name, Role: RoleOwner, PINHash: hash, CreatedAt: s.Now()}); err != nil {
			return err
		}
		return s.saveSetting(ctx, tx, SettingShop, su.Shop)
	})
	if err != nil {
		return Staff{}, fmt.Errorf("set up the shop: %w", err)
	}
	return owner, nil
}
