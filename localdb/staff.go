package localdb

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/merci-loyalty/merci/syncwire"
)

// Role is what a staff member may do.
type Role string

// Roles.
const (
	RoleOwner   Role = "owner"   // everything, including the owner's desk and settings
	RoleCashier Role = "cashier" // the counter only
)

// Staff is a person working at the shop.
type Staff struct {
	ID   string
	Name string
	Role Role
}

// ErrWrongPIN means no staff member has the PIN given.
var ErrWrongPIN = errors.New("wrong PIN")

// AddStaff creates a staff member with a 4 to 8 digit PIN no one else has, stored only as
// a bcrypt hash, and queues them for the shop's other devices.
func (s *Store) AddStaff(ctx context.Context, name string, role Role, pin string) (Staff, error) {
	hash, err := s.hashPIN(ctx, pin, "")
	if err != nil {
		return Staff{}, err
	}
	st := Staff{ID: uuid.NewString(), Name: strings.TrimSpace(name), Role: role}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		return s.putStaff(ctx, tx, staffRecord{ID: st.ID, Name: st.Name, Role: role, PINHash: hash, CreatedAt: s.Now()})
	})
	if err != nil {
		return Staff{}, fmt.Errorf("store staff %s: %w", name, err)
	}
	return st, nil
}

// TypeStaff is the synced record of a staff member: every device of the shop knows the
// same people and PINs (as bcrypt hashes), so an owner's PIN opens the desk and leaves
// the kiosk on each of them. A removed member stays as a record marked Removed, so that
// the removal reaches the other devices.
const TypeStaff = "staff"

type staffRecord struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	PINHash   string    `json:"pin_hash,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Removed   bool      `json:"removed,omitempty"`
}

// putStaff writes r to the staff table and its record, and queues it.
func (s *Store) putStaff(ctx context.Context, tx *sql.Tx, r staffRecord) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode staff %s: %w", r.ID, err)
	}
	if err := projectStaff(ctx, tx, r); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO records (type, key, body) VALUES (?, ?, ?)
		ON CONFLICT (type, key) DO UPDATE SET body = excluded.body`, TypeStaff, r.ID, string(body)); err != nil {
		return fmt.Errorf("store staff %s: %w", r.ID, err)
	}
	return s.enqueue(ctx, tx, "", TypeStaff, r.ID, body)
}

// projectStaff makes the staff table say what r says.
func projectStaff(ctx context.Context, tx *sql.Tx, r staffRecord) error {
	var err error
	if r.Removed {
		_, err = tx.ExecContext(ctx, `DELETE FROM staff WHERE id = ?`, r.ID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash`,
			r.ID, r.Name, r.Role, r.PINHash, millis(r.CreatedAt))
	}
	if err != nil {
		return fmt.Errorf("store staff %s: %w", r.ID, err)
	}
	return nil
}

// applyStaff applies a pulled staff record of the server's version c.Version, unless
// the record already holds a later one.
func applyStaff(ctx context.Context, tx *sql.Tx, c syncwire.Pulled) error {
	var r staffRecord
	if err := decodeRecord(c, &r); err != nil {
		return err
	}
	if r.ID != c.Key || (!r.Removed && (r.PINHash == "" || (r.Role != RoleOwner && r.Role != RoleCashier))) {
		return fmt.Errorf("staff %s: %w: the body is staff %q, role %q", c.Key, errUnreadable, r.ID, r.Role)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO records (type, key, body, version) VALUES (?, ?, ?, ?)
		ON CONFLICT (type, key) DO UPDATE SET body = excluded.body, version = excluded.version
		WHERE records.version < excluded.version`, c.Type, c.Key, string(c.Body), c.Version)
	if err != nil {
		return fmt.Errorf("apply staff %s: %w", c.Key, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // an older value than the one stored
	}
	return projectStaff(ctx, tx, r)
}

// staffByID reads the record of the staff member id inside tx.
func staffByID(ctx context.Context, tx *sql.Tx, id string) (staffRecord, error) {
	r := staffRecord{ID: id}
	var created int64
	err := tx.QueryRowContext(ctx, `SELECT name, role, pin_hash, created_at FROM staff WHERE id = ?`, id).Scan(&r.Name, &r.Role, &r.PINHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("staff %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read staff %s: %w", id, err)
	}
	r.CreatedAt = fromMillis(created)
	return r, nil
}

// StaffByPIN returns the staff member whose PIN is pin, restricted to role if it is set.
// Finding whose PIN was typed takes a bcrypt comparison per staff member, a second or
// more on a slow till with a few staff: a PIN this process has matched before is found
// again at once, as long as its staff member's hash has not changed.
func (s *Store) StaffByPIN(ctx context.Context, pin string, role Role) (Staff, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role, pin_hash FROM staff WHERE ?1 = '' OR role = ?1 ORDER BY created_at`, role)
	if err != nil {
		return Staff{}, fmt.Errorf("read staff: %w", err)
	}
	defer rows.Close()
	type candidate struct {
		Staff
		hash string
	}
	var staff []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.ID, &c.Name, &c.Role, &c.hash); err != nil {
			return Staff{}, fmt.Errorf("read staff: %w", err)
		}
		staff = append(staff, c)
	}
	if err := rows.Err(); err != nil {
		return Staff{}, fmt.Errorf("read staff: %w", err)
	}
	if hash, ok := s.pins.matched(pin); ok {
		for _, c := range staff {
			if c.hash == hash {
				return c.Staff, nil
			}
		}
	}
	for _, c := range staff {
		if bcrypt.CompareHashAndPassword([]byte(c.hash), []byte(pin)) == nil {
			s.pins.remember(pin, c.hash)
			return c.Staff, nil
		}
	}
	return Staff{}, ErrWrongPIN
}

// pinCache holds the PINs this process matched, each with the bcrypt hash it matched.
// A PIN is kept as its HMAC under a key of the process, never as typed; it is the
// hash, compared with the staff table's, that says whether the PIN still holds.
type pinCache struct {
	mu  sync.Mutex
	key []byte
	m   map[string]string // HMAC of a PIN -> the hash it matched
}

func (c *pinCache) mac(pin string) string {
	if c.key == nil {
		c.key = make([]byte, 32)
		rand.Read(c.key) // never fails (crypto/rand)
		c.m = map[string]string{}
	}
	h := hmac.New(sha256.New, c.key)
	h.Write([]byte(pin))
	return string(h.Sum(nil))
}

func (c *pinCache) matched(pin string) (hash string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hash, ok = c.m[c.mac(pin)]
	return hash, ok
}

func (c *pinCache) remember(pin, hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[c.mac(pin)] = hash
}

// ListStaff returns every staff member, owners first.
func (s *Store) ListStaff(ctx context.Context) ([]Staff, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role FROM staff ORDER BY role = 'owner' DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		var st Staff
		if err := rows.Scan(&st.ID, &st.Name, &st.Role); err != nil {
			return nil, fmt.Errorf("list staff: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
