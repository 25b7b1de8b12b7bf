package localdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Tablet is a device paired as the customer screen.
type Tablet struct {
	ID        string
	Name      string // what the tablet's browser says it is, for the owner to tell them apart
	PairedAt  time.Time
	RevokedAt time.Time // zero while paired
}

// ErrUnpaired is the error for a token of no paired tablet, or of a revoked one.
var ErrUnpaired = errors.New("this device is not paired")

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// PairTablet stores a tablet holding token, keeping only the token's hash.
func (s *Store) PairTablet(ctx context.Context, name, token string) (Tablet, error) {
	t := Tablet{ID: uuid.NewString(), Name: name, PairedAt: s.Now().UTC()}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO tablets (id, name, token_hash, paired_at) VALUES (?, ?, ?, ?)`,
		t.ID, t.Name, tokenHash(token), t.PairedAt.Format(time.RFC3339Nano)); err != nil {
		return Tablet{}, fmt.Errorf("pair tablet: %w", err)
	}
	return t, nil
}

// TabletByToken returns the paired tablet holding token; ErrUnpaired if none is.
func (s *Store) TabletByToken(ctx context.Context, token string) (Tablet, error) {
	var t Tablet
	var paired string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, paired_at FROM tablets WHERE token_hash = ? AND revoked_at IS NULL`,
		tokenHash(token)).Scan(&t.ID, &t.Name, &paired)
	if errors.Is(err, sql.ErrNoRows) {
		return Tablet{}, ErrUnpaired
	}
	if err != nil {
		return Tablet{}, fmt.Errorf("find tablet: %w", err)
	}
	if t.PairedAt, err = time.Parse(time.RFC3339Nano, paired); err != nil {
		return Tablet{}, fmt.Errorf("tablet %s: paired at %q: %w", t.ID, paired, err)
	}
	return t, nil
}

// Tablets lists every tablet ever paired, the newest first.
func (s *Store) Tablets(ctx context.Context) ([]Tablet, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, paired_at, COALESCE(revoked_at, '') FROM tablets ORDER BY paired_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("list tablets: %w", err)
	}
	defer rows.Close()
	var out []Tablet
	for rows.Next() {
		var t Tablet
		var paired, revoked string
		if err := rows.Scan(&t.ID, &t.Name, &paired, &revoked); err != nil {
			return nil, fmt.Errorf("list tablets: %w", err)
		}
		if t.PairedAt, err = time.Parse(time.RFC3339Nano, paired); err != nil {
			return nil, fmt.Errorf("tablet %s: paired at %q: %w", t.ID, paired, err)
		}
		if revoked != "" {
			if t.RevokedAt, err = time.Parse(time.RFC3339Nano, revoked); err != nil {
				return nil, fmt.Errorf("tablet %s: revoked at %q: %w", t.ID, revoked, err)
			}
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tablets: %w", err)
	}
	return out, nil
}

// RevokeTablet cuts the tablet id off: its token opens nothing any more.
func (s *Store) RevokeTablet(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE tablets SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		s.Now().UTC().Format(time.RFC3339Nano), id); err != nil {
		return fmt.Errorf("revoke tablet %s: %w", id, err)
	}
	return nil
}
