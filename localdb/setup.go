package localdb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // logos come as JPEG too
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/draw"

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

// ErrLogo means a logo file is not a PNG or JPEG image of a reasonable size.
var ErrLogo = errors.New("the logo must be a PNG or JPEG image under 5 MB")

// logoSide is the largest side of a stored logo: sharp on a card printed at 300 dpi and
// on a screen, small enough to sync.
const logoSide = 512

// PrepareLogo reads a PNG or JPEG logo and returns it as a PNG no larger than logoSide
// pixels a side, as Shop.Logo holds it.
func PrepareLogo(r io.Reader) ([]byte, error) {
	img, _, err := image.Decode(io.LimitReader(r, 5<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLogo, err)
	}
	b := img.Bounds()
	if w, h := b.Dx(), b.Dy(); w > logoSide || h > logoSide {
		scale := float64(logoSide) / float64(max(w, h))
		dst := image.NewNRGBA(image.Rect(0, 0, max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		img = dst
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode the logo: %w", err)
	}
	return buf.Bytes(), nil
}
