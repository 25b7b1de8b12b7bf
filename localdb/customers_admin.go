package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// Errors of the owner's desk.
var (
	ErrLastOwner = errors.New("at least one owner must remain")
	ErrPINSyntax = errors.New("a PIN is 4 to 8 digits")
	ErrPINInUse  = errors.New("another staff member already has this PIN")
)

// Customers returns every customer with their current card, by name, filtered by q (a
// part of the name, email, phone or card code) when q is not empty. The owner's desk
// lists them in a virtualised table, so the whole list is returned.
func (s *Store) Customers(ctx context.Context, q string) ([]Account, error) {
	q = strings.TrimSpace(q)
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
	codeLike := ""
	if c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(q)); len(c) >= 3 {
		codeLike = "%" + c + "%"
	}
	digits := onlyDigits(q)
	phoneLike := ""
	if len(digits) >= 3 {
		phoneLike = "%" + digits + "%"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+`
		FROM customers c JOIN cards k ON k.customer_id = c.id AND k.status <> 'replaced'
		WHERE ?1 = '%%' OR c.name LIKE ?1 ESCAPE '\' OR c.email LIKE ?1 ESCAPE '\'
			OR (?2 <> '' AND k.code LIKE ?2)
			OR (?3 <> '' AND replace(replace(replace(c.phone, ' ', ''), '.', ''), '-', '') LIKE ?3)
		ORDER BY c.name COLLATE NOCASE, c.id`, like, codeLike, phoneLike)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("list customers: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// CustomerCards returns every card a customer was ever issued, newest first.
func (s *Store) CustomerCards(ctx context.Context, customerID string) ([]loyalty.Card, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, status, replaced_by, issued_at FROM cards
		WHERE customer_id = ? ORDER BY issued_at DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list cards of %s: %w", customerID, err)
	}
	defer rows.Close()
	var out []loyalty.Card
	for rows.Next() {
		c := loyalty.Card{CustomerID: customerID}
		var issued int64
		if err := rows.Scan(&c.Code, &c.Status, &c.ReplacedBy, &issued); err != nil {
			return nil, fmt.Errorf("list cards of %s: %w", customerID, err)
		}
		c.IssuedAt = fromMillis(issued)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Refunded returns how much of the purchase id earlier refunds already returned, leaving
// out refunds that were cancelled.
func (s *Store) Refunded(ctx context.Context, id string) (loyalty.Money, error) {
	var m loyalty.Money
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(r.amount), 0) FROM operations r
		WHERE r.target = ? AND r.kind = 'refund'
			AND NOT EXISTS (SELECT 1 FROM operations v WHERE v.target = r.id AND v.kind = 'void')`, id).Scan(&m)
	if err != nil {
		return 0, fmt.Errorf("sum refunds of %s: %w", id, err)
	}
	return m, nil
}

// CustomerData is everything the shop holds about a customer, as exported on request.
type CustomerData struct {
	Customer   loyalty.Customer    `json:"customer"`
	Balance    loyalty.Balance     `json:"balance"`
	Cards      []loyalty.Card      `json:"cards"`
	Operations []loyalty.Operation `json:"operations"`
}

// Customer returns the customer id with their balance, cards and whole ledger.
func (s *Store) Customer(ctx context.Context, id string) (CustomerData, error) {
	var d CustomerData
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, email, phone, consent, company, tax_id, created_at,
		points, cashback, xp, birth_day, birth_month, referred_by FROM customers WHERE id = ?`, id).Scan(&d.Customer.ID, &d.Customer.Name, &d.Customer.Email,
		&d.Customer.Phone, &d.Customer.Consent, &d.Customer.Company, &d.Customer.TaxID, &created,
		&d.Balance.Points, &d.Balance.Cashback, &d.Balance.XP, &d.Customer.BirthDay, &d.Customer.BirthMonth, &d.Customer.ReferredBy)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("customer %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read customer %s: %w", id, err)
	}
	d.Customer.CreatedAt = fromMillis(created)
	if d.Cards, err = s.CustomerCards(ctx, id); err != nil {
		return d, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+opColumns+` FROM operations WHERE customer_id = ? ORDER BY at, id`, id)
	if err != nil {
		return d, fmt.Errorf("read ledger of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		op, err := scanOperation(rows)
		if err != nil {
			return d, fmt.Errorf("read ledger of %s: %w", id, err)
		}
		d.Operations = append(d.Operations, op)
	}
	return d, rows.Err()
}

// EraseCustomer removes a customer's personal data on their request: name, email, phone,
// company and tax id are blanked and consent withdrawn, and the comments of their survey
// answers are blanked too. The ledger stays, so balances, totals and the shop's figures
// do not change; its operations name no one once the customer record is blank. The blank
// record and answers sync like any edit.
func (s *Store) EraseCustomer(ctx context.Context, id string) error {
	d, err := s.Customer(ctx, id)
	if err != nil {
		return err
	}
	c := loyalty.Customer{ID: d.Customer.ID, CreatedAt: d.Customer.CreatedAt}
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := s.putCustomer(ctx, tx, c); err != nil {
			return err
		}
		return s.eraseComments(ctx, tx, id)
	})
}

// BlockCard blocks the card with code, or unblocks it.
func (s *Store) BlockCard(ctx context.Context, code cards.Code, blocked bool) error {
	status := loyalty.CardActive
	if blocked {
		status = loyalty.CardBlocked
	}
	return s.SetCardStatus(ctx, code, status)
}

// hashPIN checks that pin is 4 to 8 digits, that no staff member but except has it (a
// PIN names who is at the till), and hashes it.
func (s *Store) hashPIN(ctx context.Context, pin, except string) (string, error) {
	if len(pin) < 4 || len(pin) > 8 || strings.Trim(pin, "0123456789") != "" {
		return "", ErrPINSyntax
	}
	if st, err := s.StaffByPIN(ctx, pin, ""); err == nil && st.ID != except {
		return "", ErrPINInUse
	} else if err != nil && !errors.Is(err, ErrWrongPIN) {
		return "", err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pin), s.PINCost)
	if err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	return string(hash), nil
}

// ChangePIN gives the staff member id a new PIN, on every device of the shop.
func (s *Store) ChangePIN(ctx context.Context, id, pin string) error {
	hash, err := s.hashPIN(ctx, pin, id)
	if err != nil {
		return err
	}
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		r, err := staffByID(ctx, tx, id)
		if err != nil {
			return err
		}
		r.PINHash = hash
		return s.putStaff(ctx, tx, r)
	})
}

// RemoveStaff removes the staff member id; the last owner cannot be removed, or nobody
// could open the owner's desk again.
func (s *Store) RemoveStaff(ctx context.Context, id string) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		r, err := staffByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Role == RoleOwner {
			var owners int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE role = 'owner'`).Scan(&owners); err != nil {
				return fmt.Errorf("count owners: %w", err)
			}
			if owners <= 1 {
				return ErrLastOwner
			}
		}
		// The name stays in the record: history still says who did what.
		return s.putStaff(ctx, tx, staffRecord{ID: id, Name: r.Name, CreatedAt: r.CreatedAt, Removed: true})
	})
}
