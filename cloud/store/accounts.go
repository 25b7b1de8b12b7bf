package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/syncwire"
)

// CodeLifetime is how long an enrollment code can be used.
const CodeLifetime = 7 * 24 * time.Hour

// Shop is a customer of the cloud service: one business, with its devices.
type Shop struct {
	ID        string
	Name      string
	Tag       string // names the shop in its card page URLs: /c/TAG/CODE
	CreatedAt time.Time
}

// shopTag derives a shop's tag from its random id: 40 bits, short in a URL.
func shopTag(id string) string { return id[:8] + id[9:11] }

// Device is an enrolled device of a shop. Its role says what it may push and call;
// an owner device may list and revoke the others.
type Device struct {
	ID        string
	ShopID    string
	Name      string
	Owner     bool // Role == syncwire.RoleOwner
	Role      syncwire.Role
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Code is a one-time enrollment code, shown once: the store keeps its hash.
type Code struct {
	Code      string // in groups of four, as people type it
	Owner     bool   // Role == syncwire.RoleOwner
	Role      syncwire.Role
	ExpiresAt time.Time
}

// CreateShop creates a shop and its first enrollment code, which enrolls an owner.
func (db *DB) CreateShop(ctx context.Context, name string) (Shop, Code, error) {
	name = CleanName(name)
	if name == "" || len(name) > 200 {
		return Shop{}, Code{}, fmt.Errorf("%w: a shop needs a name of at most 200 bytes", ErrInvalid)
	}
	id := uuid.NewString()
	shop := Shop{ID: id, Name: name, Tag: shopTag(id), CreatedAt: fromMillis(db.millis())}
	var code Code
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q("INSERT INTO shops (id, name, tag, version, created_at) VALUES (?, ?, ?, 0, ?)"),
			shop.ID, shop.Name, shop.Tag, shop.CreatedAt.UnixMilli()); err != nil {
			return fmt.Errorf("insert shop: %w", err)
		}
		var err error
		code, err = db.newCode(ctx, tx, shop.ID, syncwire.RoleOwner)
		return err
	})
	if err != nil {
		return Shop{}, Code{}, fmt.Errorf("create shop: %w", err)
	}
	return shop, code, nil
}

// Shops lists every shop, oldest first.
func (db *DB) Shops(ctx context.Context) ([]Shop, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, name, tag, created_at FROM shops ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("list shops: %w", err)
	}
	defer rows.Close()
	var shops []Shop
	for rows.Next() {
		var s Shop
		var created int64
		if err := rows.Scan(&s.ID, &s.Name, &s.Tag, &created); err != nil {
			return nil, fmt.Errorf("list shops: %w", err)
		}
		s.CreatedAt = fromMillis(created)
		shops = append(shops, s)
	}
	return shops, rows.Err()
}

// NewCode creates a one-time code that enrolls one more device of shopID, in role.
func (db *DB) NewCode(ctx context.Context, shopID string, role syncwire.Role) (Code, error) {
	if !role.Valid() {
		return Code{}, fmt.Errorf("%w: the role must be %s, %s or %s", ErrInvalid, syncwire.RoleOwner, syncwire.RoleTill, syncwire.RoleKiosk)
	}
	var code Code
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM shops WHERE id = ?"), shopID).Scan(&n); err != nil {
			return fmt.Errorf("find shop: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("shop %s: %w", shopID, ErrNotFound)
		}
		var err error
		code, err = db.newCode(ctx, tx, shopID, role)
		return err
	})
	if err != nil {
		return Code{}, fmt.Errorf("new enrollment code: %w", err)
	}
	return code, nil
}

// codeAlphabet is Crockford's base 32: no I, L, O or U to misread.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func (db *DB) newCode(ctx context.Context, tx *sql.Tx, shopID string, role syncwire.Role) (Code, error) {
	// 16 symbols of 5 bits: 80 random bits, and enrollment is rate limited.
	var buf [16]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return Code{}, fmt.Errorf("read random bytes: %w", err)
	}
	var b strings.Builder
	for i, x := range buf {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[x&31])
	}
	code := Code{Code: b.String(), Owner: role == syncwire.RoleOwner, Role: role, ExpiresAt: fromMillis(db.Now().Add(CodeLifetime).UnixMilli())}
	if _, err := tx.ExecContext(ctx, db.q("INSERT INTO codes (hash, shop_id, owner, role, expires_at) VALUES (?, ?, ?, ?, ?)"),
		hashHex(normalizeCode(code.Code)), shopID, boolInt(code.Owner), string(role), code.ExpiresAt.UnixMilli()); err != nil {
		return Code{}, fmt.Errorf("insert code: %w", err)
	}
	return code, nil
}

// normalizeCode reads a typed code the way Crockford's alphabet intends: any case,
// with or without separators, O as 0 and I or L as 1.
func normalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t':
			return -1
		case 'o', 'O':
			return '0'
		case 'i', 'I', 'l', 'L':
			return '1'
		}
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// Enroll uses a one-time code to enroll a device named name and returns the device
// with its token, which is shown only here. The device takes the code's role; the
// first device of a shop is its owner whatever the code says. A used, expired or unknown code is
// ErrUnauthorized.
func (db *DB) Enroll(ctx context.Context, code, name string) (Device, Shop, string, error) {
	name = CleanName(name)
	if name == "" || len(name) > 100 {
		return Device{}, Shop{}, "", fmt.Errorf("%w: a device needs a name of at most 100 bytes", ErrInvalid)
	}
	token, err := newToken()
	if err != nil {
		return Device{}, Shop{}, "", err
	}
	now := db.millis()
	dev := Device{ID: uuid.NewString(), Name: name, CreatedAt: fromMillis(now)}
	var shop Shop
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, db.q(
			"UPDATE codes SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING shop_id, role"),
			now, hashHex(normalizeCode(code)), now).Scan(&dev.ShopID, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrUnauthorized
		}
		if err != nil {
			return fmt.Errorf("use code: %w", err)
		}
		if err := db.checkSuspended(ctx, tx, dev.ShopID); err != nil {
			return err
		}
		var devices int
		if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM devices WHERE shop_id = ?"), dev.ShopID).Scan(&devices); err != nil {
			return fmt.Errorf("count devices: %w", err)
		}
		dev.Role = syncwire.Role(role)
		if devices == 0 {
			dev.Role = syncwire.RoleOwner
		}
		dev.Owner = dev.Role == syncwire.RoleOwner
		var created int64
		if err := tx.QueryRowContext(ctx, db.q("SELECT id, name, tag, created_at FROM shops WHERE id = ?"), dev.ShopID).
			Scan(&shop.ID, &shop.Name, &shop.Tag, &created); err != nil {
			return fmt.Errorf("read shop: %w", err)
		}
		shop.CreatedAt = fromMillis(created)
		if _, err := tx.ExecContext(ctx, db.q("INSERT INTO devices (id, shop_id, name, token_hash, owner, role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
			dev.ID, dev.ShopID, dev.Name, hashHex(token), boolInt(dev.Owner), string(dev.Role), now); err != nil {
			return fmt.Errorf("insert device: %w", err)
		}
		return nil
	})
	if err != nil {
		return Device{}, Shop{}, "", fmt.Errorf("enroll: %w", err)
	}
	return dev, shop, token, nil
}

// tokenPrefix marks Merci cloud tokens, so that secret scanners can find leaked ones.
const tokenPrefix = "mct_"

// newToken returns 256 random bits.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Authenticate returns the device whose token this is. An unknown or revoked token is
// ErrUnauthorized; a device of a suspended shop is ErrSuspended.
func (db *DB) Authenticate(ctx context.Context, token string) (Device, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return Device{}, ErrUnauthorized
	}
	var dev Device
	var created int64
	var suspended sql.NullInt64
	err := db.r.QueryRowContext(ctx, db.q(`SELECT d.id, d.shop_id, d.name, d.role, d.created_at, s.suspended_at
		FROM devices d LEFT JOIN shop_suspensions s ON s.shop_id = d.shop_id WHERE d.token_hash = ? AND d.revoked_at IS NULL`),
		hashHex(token)).Scan(&dev.ID, &dev.ShopID, &dev.Name, &dev.Role, &created, &suspended)
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, ErrUnauthorized
	}
	if err != nil {
		return Device{}, fmt.Errorf("authenticate: %w", err)
	}
	if suspended.Valid {
		return Device{}, ErrSuspended
	}
	dev.Owner, dev.CreatedAt = dev.Role == syncwire.RoleOwner, fromMillis(created)
	return dev, nil
}

// Devices lists the devices of shopID, revoked ones included, oldest first.
func (db *DB) Devices(ctx context.Context, shopID string) ([]Device, error) {
	rows, err := db.r.QueryContext(ctx, db.q(
		"SELECT id, shop_id, name, role, created_at, revoked_at FROM devices WHERE shop_id = ? ORDER BY created_at, id"), shopID)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	defer rows.Close()
	var devs []Device
	for rows.Next() {
		var d Device
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&d.ID, &d.ShopID, &d.Name, &d.Role, &created, &revoked); err != nil {
			return nil, fmt.Errorf("list devices: %w", err)
		}
		d.Owner, d.CreatedAt = d.Role == syncwire.RoleOwner, fromMillis(created)
		if revoked.Valid {
			t := fromMillis(revoked.Int64)
			d.RevokedAt = &t
		}
		devs = append(devs, d)
	}
	return devs, rows.Err()
}

// Revoke revokes device id of shopID: its token stops working at once. A device of
// another shop is ErrNotFound; revoking twice is not an error.
func (db *DB) Revoke(ctx context.Context, shopID, id string) error {
	res, err := db.w.ExecContext(ctx, db.q(
		"UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE shop_id = ? AND id = ?"), db.millis(), shopID, id)
	if err != nil {
		return fmt.Errorf("revoke device: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("revoke device %s: %w", id, errors.Join(ErrNotFound, err))
	}
	// Its pulls waiting here or in another server process wake up, see the
	// revocation and end.
	db.wake(ctx, shopID)
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
