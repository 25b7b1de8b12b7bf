package localdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
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
// a bcrypt hash.
func (s *Store) AddStaff(ctx context.Context, name string, role Role, pin string) (Staff, error) {
	hash, err := s.hashPIN(ctx, pin, "")
	if err != nil {
		return Staff{}, err
	}
	st := Staff{ID: uuid.NewString(), Name: strings.TrimSpace(name), Role: role}
	_, err = s.db.ExecContext(ctx, `INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		st.ID, st.Name, st.Role, hash, millis(s.Now()))
	if err != nil {
		return Staff{}, fmt.Errorf("store staff %s: %w", name, err)
	}
	return st, nil
}

// StaffByPIN returns the staff member whose PIN is pin, restricted to role if it is set.
func (s *Store) StaffByPIN(ctx context.Context, pin string, role Role) (Staff, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, role, pin_hash FROM staff WHERE ?1 = '' OR role = ?1 ORDER BY created_at`, role)
	if err != nil {
		return Staff{}, fmt.Errorf("read staff: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st Staff
		var hash string
		if err := rows.Scan(&st.ID, &st.Name, &st.Role, &hash); err != nil {
			return Staff{}, fmt.Errorf("read staff: %w", err)
		}
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pin)) == nil {
			return st, nil
		}
	}
	if err := rows.Err(); err != nil {
		return Staff{}, fmt.Errorf("read staff: %w", err)
	}
	return Staff{}, ErrWrongPIN
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
