package loyalty

import "time"

// CardStatus says whether a card can be used.
type CardStatus string

// Card statuses.
const (
	CardActive   CardStatus = "active"
	CardBlocked  CardStatus = "blocked"  // lost or abused: refused at the counter
	CardReplaced CardStatus = "replaced" // superseded by ReplacedBy; the balance stays with the customer
)

// Card is a loyalty card. The balance belongs to the customer, not the card, so a
// replacement card keeps it without moving any points.
type Card struct {
	Code       string     `json:"code"`
	CustomerID string     `json:"customer_id"`
	Status     CardStatus `json:"status"`
	ReplacedBy string     `json:"replaced_by,omitempty"`
	IssuedAt   time.Time  `json:"issued_at"`
}

// Usable reports why operations cannot be made with c, or nil.
func (c Card) Usable() error {
	switch c.Status {
	case CardBlocked:
		return ErrCardBlocked
	case CardReplaced:
		return ErrCardReplaced
	}
	return nil
}

// Customer is a person or business with a loyalty account.
type Customer struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Consent   bool      `json:"consent"` // agreed to be contacted
	Company   string    `json:"company,omitempty"`
	TaxID     string    `json:"tax_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// BirthDay and BirthMonth are the customer's birthday, for the program's birthday
	// reward; 0 when not given. The year is never asked.
	BirthDay   int `json:"birth_day,omitempty"`
	BirthMonth int `json:"birth_month,omitempty"`
	// ReferredBy is the card code of the customer who referred this one at sign-up.
	ReferredBy string `json:"referred_by,omitempty"`
}
