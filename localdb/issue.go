package localdb

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/png"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// MaxCardBatch is the most cards IssueCards makes at once: 100 sheets of ten.
const MaxCardBatch = 1000

// CardBatch is a set of cards issued together to be printed.
type CardBatch struct {
	ID       string
	IssuedAt time.Time
	Count    int
	// Opening is what each card was pre-credited with; zero if nothing.
	Opening loyalty.Delta
}

// IssueCards makes n new cards for printing, in one transaction: n anonymous customers,
// each with a new card, recorded as one batch. When opening is more than zero, each card
// is pre-credited with it by its own operation (see loyalty.Program.Opening: points, or
// cashback in minor units in a cashback-only program), which syncs like any other. It
// returns the codes in the order they were issued.
func (s *Store) IssueCards(ctx context.Context, n int, opening int64, o loyalty.Origin) ([]cards.Code, error) {
	if n < 1 || n > MaxCardBatch {
		return nil, fmt.Errorf("issue %d cards: issue between 1 and %d cards at a time", n, MaxCardBatch)
	}
	if opening < 0 {
		return nil, fmt.Errorf("issue cards with an opening balance of %d: %w", opening, loyalty.ErrInvalidAmount)
	}
	p, err := s.Program(ctx)
	if err != nil {
		return nil, err
	}
	if o.At.IsZero() {
		o.At = s.Now()
	}
	batch, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("new batch id: %w", err)
	}
	codes := make([]cards.Code, n)
	for i := range codes {
		if codes[i], err = cards.NewCode(); err != nil {
			return nil, err
		}
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		for i, code := range codes {
			c := loyalty.Customer{ID: uuid.NewString(), CreatedAt: o.At}
			card := loyalty.Card{Code: string(code), CustomerID: c.ID, Status: loyalty.CardActive, IssuedAt: o.At}
			if err := s.putCustomer(ctx, tx, c); err != nil {
				return err
			}
			if err := s.putCard(ctx, tx, card); err != nil {
				return err
			}
			var d loyalty.Delta
			if opening > 0 {
				op, err := p.Opening(o, card, opening)
				if err != nil {
					return err
				}
				if _, err := s.insertOperation(ctx, tx, op, true); err != nil {
					return err
				}
				d = op.Delta
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO card_batches
				(batch_id, pos, code, issued_at, opening_points, opening_cashback) VALUES (?, ?, ?, ?, ?, ?)`,
				batch.String(), i, string(code), millis(o.At), d.Points, d.Cashback); err != nil {
				return fmt.Errorf("record card %s in its batch: %w", code, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("issue %d cards: %w", n, err)
	}
	return codes, nil
}

// CardBatches returns the batches of cards issued on this device, newest first.
func (s *Store) CardBatches(ctx context.Context) ([]CardBatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT batch_id, min(issued_at), count(*), max(opening_points), max(opening_cashback)
		FROM card_batches GROUP BY batch_id ORDER BY batch_id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list card batches: %w", err)
	}
	defer rows.Close()
	var out []CardBatch
	for rows.Next() {
		var b CardBatch
		var at int64
		if err := rows.Scan(&b.ID, &at, &b.Count, &b.Opening.Points, &b.Opening.Cashback); err != nil {
			return nil, fmt.Errorf("list card batches: %w", err)
		}
		b.IssuedAt = fromMillis(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

// BatchCards returns the cards of batch id in their printed order, as they are now: a
// card since replaced or blocked says so, and a reprint leaves it out.
func (s *Store) BatchCards(ctx context.Context, id string) ([]loyalty.Card, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT k.code, k.customer_id, k.status, k.replaced_by, k.issued_at
		FROM card_batches b JOIN cards k ON k.code = b.code WHERE b.batch_id = ? ORDER BY b.pos`, id)
	if err != nil {
		return nil, fmt.Errorf("list the cards of batch %s: %w", id, err)
	}
	defer rows.Close()
	var out []loyalty.Card
	for rows.Next() {
		var c loyalty.Card
		var at int64
		if err := rows.Scan(&c.Code, &c.CustomerID, &c.Status, &c.ReplacedBy, &at); err != nil {
			return nil, fmt.Errorf("list the cards of batch %s: %w", id, err)
		}
		c.IssuedAt = fromMillis(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the cards of batch %s: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("card batch %s: %w", id, ErrNotFound)
	}
	return out, nil
}

// LogoImage decodes the shop's logo; nil if it has none.
func (sh Shop) LogoImage() (image.Image, error) {
	if len(sh.Logo) == 0 {
		return nil, nil
	}
	img, err := png.Decode(bytes.NewReader(sh.Logo))
	if err != nil {
		return nil, fmt.Errorf("the shop's logo is not a readable PNG image: %w", err)
	}
	return img, nil
}

// CardFace returns what the shop's printed card with code shows: its name and logo, and
// a QR code that opens the card's page when the shop has a cloud account.
func (sh Shop) CardFace(code cards.Code) (cards.Face, error) {
	logo, err := sh.LogoImage()
	if err != nil {
		return cards.Face{}, err
	}
	return cards.Face{ShopName: sh.Name, Logo: logo, Code: code, QRPayload: cards.Payload(sh.CloudURL, code)}, nil
}
