package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// ErrUnknownCard means no card has the code.
var ErrUnknownCard = errors.New("unknown card")

// Account is what the counter shows for a card: whose it is and what they have.
type Account struct {
	Customer loyalty.Customer
	Card     loyalty.Card
	Balance  loyalty.Balance
	// Tier is the customer's tier, whose multiplier a purchase earns with: Record
	// fills it for the operation it builds.
	Tier loyalty.TierStatus
}

const accountColumns = `c.id, c.name, c.email, c.phone, c.consent, c.company, c.tax_id, c.created_at,
	c.points, c.cashback, c.xp, k.code, k.status, k.replaced_by, k.issued_at, c.birth_day, c.birth_month, c.referred_by`

type scanner interface{ Scan(dest ...any) error }

func scanAccount(row scanner) (Account, error) {
	var a Account
	var created, issued int64
	err := row.Scan(&a.Customer.ID, &a.Customer.Name, &a.Customer.Email, &a.Customer.Phone, &a.Customer.Consent,
		&a.Customer.Company, &a.Customer.TaxID, &created, &a.Balance.Points, &a.Balance.Cashback, &a.Balance.XP,
		&a.Card.Code, &a.Card.Status, &a.Card.ReplacedBy, &issued, &a.Customer.BirthDay, &a.Customer.BirthMonth, &a.Customer.ReferredBy)
	a.Customer.CreatedAt, a.Card.IssuedAt = fromMillis(created), fromMillis(issued)
	a.Card.CustomerID = a.Customer.ID
	return a, err
}

// AccountByCode returns the account of the card with code, whatever the card's status:
// the counter tells a blocked card from an unknown one.
func (s *Store) AccountByCode(ctx context.Context, code cards.Code) (Account, error) {
	return s.accountByCode(ctx, nil, code)
}

// accountByCode reads an account inside tx, or outside any transaction if tx is nil.
func (s *Store) accountByCode(ctx context.Context, tx *sql.Tx, code cards.Code) (Account, error) {
	st, err := s.stmt(ctx, tx, `SELECT `+accountColumns+`
		FROM cards k JOIN customers c ON c.id = k.customer_id WHERE k.code = ?`)
	if err != nil {
		return Account{}, fmt.Errorf("look up card %s: %w", code, err)
	}
	a, err := scanAccount(st.QueryRowContext(ctx, string(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("card %s: %w", code, ErrUnknownCard)
	}
	if err != nil {
		return Account{}, fmt.Errorf("look up card %s: %w", code, err)
	}
	return a, nil
}

// SearchAccounts finds customers whose name, email or phone contains q, with their
// current card, best matches first.
func (s *Store) SearchAccounts(ctx context.Context, q string, limit int) ([]Account, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, q)
	phoneLike := "" // no phone search for fewer than three digits
	if len(digits) >= 3 {
		phoneLike = "%" + digits + "%"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+`
		FROM customers c JOIN cards k ON k.customer_id = c.id AND k.status <> 'replaced'
		WHERE c.name LIKE ?1 ESCAPE '\' OR c.email LIKE ?1 ESCAPE '\'
			OR (?2 <> '' AND replace(replace(replace(c.phone, ' ', ''), '.', ''), '-', '') LIKE ?2)
		ORDER BY (c.email = ?3 COLLATE NOCASE) DESC, c.name COLLATE NOCASE
		LIMIT ?4`, like, phoneLike, q, limit)
	if err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("search customers: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// NewAccount creates a customer and issues them a new card. The customer's id and
// creation time are filled in.
func (s *Store) NewAccount(ctx context.Context, c loyalty.Customer) (Account, error) {
	c = c.Normalize()
	if err := c.Validate(); err != nil {
		return Account{}, fmt.Errorf("new customer: %w", err)
	}
	c.ID, c.CreatedAt = uuid.NewString(), s.Now()
	code, err := cards.NewCode()
	if err != nil {
		return Account{}, err
	}
	card := loyalty.Card{Code: string(code), CustomerID: c.ID, Status: loyalty.CardActive, IssuedAt: c.CreatedAt}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		if c.ReferredBy, err = s.referrer(ctx, tx, c.ReferredBy); err != nil {
			return err
		}
		if err := s.putCustomer(ctx, tx, c); err != nil {
			return err
		}
		return s.putCard(ctx, tx, card)
	})
	if err != nil {
		return Account{}, err
	}
	return Account{Customer: c, Card: card}, nil
}

// putCustomer inserts or updates c and queues it for the cloud.
func (s *Store) putCustomer(ctx context.Context, tx *sql.Tx, c loyalty.Customer) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO customers (id, name, email, phone, consent, company, tax_id, created_at,
			birth_day, birth_month, referred_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone,
			consent = excluded.consent, company = excluded.company, tax_id = excluded.tax_id,
			birth_day = excluded.birth_day, birth_month = excluded.birth_month, referred_by = excluded.referred_by`,
		c.ID, c.Name, c.Email, c.Phone, c.Consent, c.Company, c.TaxID, millis(c.CreatedAt), c.BirthDay, c.BirthMonth, c.ReferredBy)
	if err != nil {
		return fmt.Errorf("store customer: %w", err)
	}
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode customer: %w", err)
	}
	return s.enqueue(ctx, tx, "", syncwire.TypeCustomer, c.ID, body)
}

// putCard inserts or updates card and queues it for the cloud.
func (s *Store) putCard(ctx context.Context, tx *sql.Tx, card loyalty.Card) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO cards (code, customer_id, status, replaced_by, issued_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET status = excluded.status, replaced_by = excluded.replaced_by`,
		card.Code, card.CustomerID, card.Status, card.ReplacedBy, millis(card.IssuedAt))
	if err != nil {
		return fmt.Errorf("store card: %w", err)
	}
	body, err := json.Marshal(card)
	if err != nil {
		return fmt.Errorf("encode card: %w", err)
	}
	return s.enqueue(ctx, tx, "", syncwire.TypeCard, card.Code, body)
}

// SaveCustomer updates a customer's details, under the same rules as a new customer's.
func (s *Store) SaveCustomer(ctx context.Context, c loyalty.Customer) error {
	c = c.Normalize()
	if err := c.Validate(); err != nil {
		return fmt.Errorf("save customer: %w", err)
	}
	return inTx(ctx, s.db, func(tx *sql.Tx) error { return s.putCustomer(ctx, tx, c) })
}

// SetCardStatus blocks or reactivates a card.
func (s *Store) SetCardStatus(ctx context.Context, code cards.Code, status loyalty.CardStatus) error {
	return inTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := s.accountByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		a.Card.Status = status
		return s.putCard(ctx, tx, a.Card)
	})
}

// ReplaceCard issues the customer of old a new card and marks old replaced. The balance
// belongs to the customer, so it carries over without any operation.
func (s *Store) ReplaceCard(ctx context.Context, old cards.Code) (loyalty.Card, error) {
	code, err := cards.NewCode()
	if err != nil {
		return loyalty.Card{}, err
	}
	var card loyalty.Card
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		a, err := s.accountByCode(ctx, tx, old)
		if err != nil {
			return err
		}
		card = loyalty.Card{Code: string(code), CustomerID: a.Customer.ID, Status: loyalty.CardActive, IssuedAt: s.Now()}
		a.Card.Status, a.Card.ReplacedBy = loyalty.CardReplaced, card.Code
		if err := s.putCard(ctx, tx, a.Card); err != nil {
			return err
		}
		return s.putCard(ctx, tx, card)
	})
	return card, err
}

// Code returns the code of a's card, checked when it was stored.
func (a Account) Code() cards.Code { return cards.Code(a.Card.Code) }
