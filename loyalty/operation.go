package loyalty

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Kind says what an operation does.
type Kind string

// The kinds of operation.
const (
	KindCredit        Kind = "credit"         // a purchase earns points, cashback and experience
	KindDebit         Kind = "debit"          // the cashier takes points off
	KindRedeem        Kind = "redeem"         // a catalogue reward paid with points
	KindSpendCashback Kind = "spend_cashback" // part of the cashback balance spent on a purchase
	KindAdjust        Kind = "adjust"         // a manual correction, with a reason
	KindRefund        Kind = "refund"         // a purchase returned: its earnings taken back pro rata
	KindVoid          Kind = "void"           // cancels another operation by its exact opposite
	KindVisit         Kind = "visit"          // the fixed self-service visit credit at the kiosk
	KindExpire        Kind = "expire"         // points and cashback expired under the program's rule
	KindBonus         Kind = "bonus"          // a birthday or referral bonus, once per occasion
)

// Errors that reject an operation before anything is written.
var (
	ErrInvalidAmount     = errors.New("the amount must be more than zero")
	ErrAmountTooLarge    = errors.New("the amount is larger than any purchase")
	ErrNotEnoughPoints   = errors.New("not enough points")
	ErrNotEnoughCashback = errors.New("not enough cashback")
	ErrUnknownReward     = errors.New("no such reward")
	ErrReasonRequired    = errors.New("a reason is required")
	ErrAlreadyVoided     = errors.New("the operation was already cancelled")
	ErrNotVoidable       = errors.New("a cancellation cannot be cancelled")
	ErrNotRefundable     = errors.New("only a purchase can be refunded")
	ErrRefundTooLarge    = errors.New("the refund is larger than what is left of the purchase")
	ErrWrongCustomer     = errors.New("the operation belongs to another customer")
	ErrCardBlocked       = errors.New("card blocked")
	ErrCardReplaced      = errors.New("card replaced by a newer card")
	ErrCurrencyMismatch  = errors.New("the operation is in another currency")
	ErrInvalidOperation  = errors.New("invalid operation")
)

// Delta is a signed change to a balance.
type Delta struct {
	Points   int64 `json:"points"`
	Cashback Money `json:"cashback"`
	XP       int64 `json:"xp"`
}

// Neg returns the opposite of d.
func (d Delta) Neg() Delta { return Delta{-d.Points, -d.Cashback, -d.XP} }

// Balance is what a customer has: the sum of the deltas of their operations.
type Balance struct {
	Points   int64 `json:"points"`
	Cashback Money `json:"cashback"`
	XP       int64 `json:"xp"`
}

// Add returns b changed by d.
func (b Balance) Add(d Delta) Balance {
	return Balance{b.Points + d.Points, b.Cashback + d.Cashback, b.XP + d.XP}
}

// Sum adds up the deltas of ops: a customer's balance from their ledger.
func Sum(ops []Operation) Balance {
	var b Balance
	for _, op := range ops {
		b = b.Add(op.Delta)
	}
	return b
}

// Origin says where, when and by whom an operation is made.
type Origin struct {
	Device string    // the device id
	Staff  string    // the staff member's id
	At     time.Time // the device's local clock
}

// Operation is one immutable change to a customer's balance. Its ID is a UUIDv7: unique
// across devices and ordered by creation time.
type Operation struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	CardCode   string    `json:"card_code,omitempty"` // the card shown, if any
	Kind       Kind      `json:"kind"`
	Delta      Delta     `json:"delta"`
	Amount     Money     `json:"amount,omitempty"` // the purchase or refund amount, in minor units
	Currency   string    `json:"currency,omitempty"`
	Items      int64     `json:"items,omitempty"` // a credit's items, when counted
	RewardID   string    `json:"reward_id,omitempty"`
	Target     string    `json:"target,omitempty"` // the operation a void or refund refers to
	Reason     string    `json:"reason,omitempty"`
	Device     string    `json:"device"`
	Staff      string    `json:"staff,omitempty"`
	At         time.Time `json:"at"`
}

// Validate checks the invariants every stored or received operation keeps, whoever made
// it: a device may be buggy or hostile, so the server and the local store both call it.
func (op Operation) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrInvalidOperation, op.ID, fmt.Sprintf(format, args...))
	}
	id, err := uuid.Parse(op.ID)
	switch {
	case err != nil || id.Version() != 7:
		return bad("id is not a UUIDv7")
	case op.CustomerID == "":
		return bad("no customer")
	case op.Device == "":
		return bad("no device")
	case op.At.IsZero():
		return bad("no time")
	case len(op.Reason) > 500:
		return bad("reason longer than 500 characters")
	case op.Amount < 0 || op.Amount > MaxMoney:
		return bad("the amount must be between 0 and %d minor units", MaxMoney)
	case op.Items < 0 || op.Items > MaxItems || op.Items != 0 && op.Kind != KindCredit:
		return bad("only a credit counts items, at most %d", MaxItems)
	}
	if err := op.Delta.Check(); err != nil {
		return bad("%v", err)
	}
	switch op.Kind {
	case KindCredit:
		if op.Amount <= 0 || op.Delta.Points < 0 || op.Delta.Cashback < 0 || op.Delta.XP < 0 {
			return bad("a credit needs a positive amount and earns nothing negative")
		}
	case KindVisit:
		if op.Delta.Points < 0 || op.Delta.Cashback < 0 || op.Delta.XP != 0 {
			return bad("a visit only earns points and cashback")
		}
	case KindDebit, KindRedeem:
		if op.Delta.Points >= 0 || op.Delta.Cashback != 0 || op.Delta.XP != 0 {
			return bad("a %s only takes points off", op.Kind)
		}
		if op.Kind == KindRedeem && op.RewardID == "" {
			return bad("a redemption names its reward")
		}
	case KindSpendCashback:
		if op.Delta.Cashback >= 0 || op.Delta.Points != 0 || op.Delta.XP != 0 {
			return bad("spending cashback only takes cashback off")
		}
	case KindAdjust:
		if strings.TrimSpace(op.Reason) == "" {
			return bad("an adjustment needs a reason")
		}
	case KindRefund:
		if op.Target == "" || op.Amount <= 0 || op.Delta.Points > 0 || op.Delta.Cashback > 0 || op.Delta.XP > 0 {
			return bad("a refund names its purchase and takes back nothing negative")
		}
	case KindExpire:
		if op.Delta.Points > 0 || op.Delta.Cashback > 0 || op.Delta.XP != 0 || op.Delta == (Delta{}) {
			return bad("an expiry only takes points and cashback off")
		}
	case KindBonus:
		if op.Delta.Points < 0 || op.Delta.Cashback < 0 || op.Delta.XP != 0 ||
			!strings.HasPrefix(op.Reason, ReasonBirthday+":") && !strings.HasPrefix(op.Reason, ReasonReferral+":") {
			return bad("a bonus gives points or cashback for a birthday or a referral")
		}
	case KindVoid:
		if op.Target == "" {
			return bad("a void names the operation it cancels")
		}
	default:
		return bad("unknown kind %q", op.Kind)
	}
	return nil
}

// newOperation fills the fields every operation has.
func newOperation(o Origin, c Card, kind Kind, d Delta) (Operation, error) {
	if err := c.Usable(); err != nil {
		return Operation{}, err
	}
	if err := d.Check(); err != nil {
		return Operation{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Operation{}, fmt.Errorf("new operation id: %w", err)
	}
	return Operation{
		ID:         id.String(),
		CustomerID: c.CustomerID,
		CardCode:   c.Code,
		Kind:       kind,
		Delta:      d,
		Device:     o.Device,
		Staff:      o.Staff,
		At:         o.At,
	}, nil
}

// Credit records a purchase of amount (minor units) on card, its items not counted: it
// earns what the program gives for it.
func (p Program) Credit(o Origin, c Card, amount Money) (Operation, error) {
	return p.CreditPurchase(o, c, Purchase{Amount: amount})
}

// CreditPurchase records the purchase b on card: it earns what the program gives for
// its amount and its items.
func (p Program) CreditPurchase(o Origin, c Card, b Purchase) (Operation, error) {
	return p.CreditPurchaseIn(o, c, b, nil)
}

// CreditPurchaseIn records the purchase b on card of a customer in tier, whose points
// multiplier applies; nil is none.
func (p Program) CreditPurchaseIn(o Origin, c Card, b Purchase, tier *Tier) (Operation, error) {
	if err := p.checkAmount(b.Amount); err != nil {
		return Operation{}, err
	}
	if b.Items < 0 || b.Items > MaxItems {
		return Operation{}, ErrTooManyItems
	}
	earned := p.Earned(b.Amount, b.Items)
	earned.Points = tier.Multiply(earned.Points)
	op, err := newOperation(o, c, KindCredit, earned)
	op.Amount, op.Currency, op.Items = b.Amount, p.Currency, b.Items
	return op, err
}

// SelfServiceVisit is the fixed credit of a self-service visit at the kiosk; zero when
// the program gives none.
func (p Program) SelfServiceVisit() Delta {
	return Delta{Points: p.SelfServiceVisitPoints, Cashback: p.SelfServiceVisitCashback}
}

// Visit records the fixed self-service visit credit.
func (p Program) Visit(o Origin, c Card) (Operation, error) {
	op, err := newOperation(o, c, KindVisit, p.SelfServiceVisit())
	if op.Delta.Cashback != 0 {
		op.Currency = p.Currency
	}
	return op, err
}

// Debit takes points off card; the balance cannot go below zero.
func Debit(o Origin, c Card, b Balance, points int64) (Operation, error) {
	if points <= 0 {
		return Operation{}, ErrInvalidAmount
	}
	if points > MaxPoints {
		return Operation{}, ErrPointsTooLarge
	}
	if points > b.Points {
		return Operation{}, ErrNotEnoughPoints
	}
	return newOperation(o, c, KindDebit, Delta{Points: -points})
}

// Redeem pays the catalogue reward rewardID with points.
func (p Program) Redeem(o Origin, c Card, b Balance, rewardID string) (Operation, error) {
	r, ok := p.Reward(rewardID)
	if !ok {
		return Operation{}, ErrUnknownReward
	}
	if r.Points > b.Points {
		return Operation{}, ErrNotEnoughPoints
	}
	op, err := newOperation(o, c, KindRedeem, Delta{Points: -r.Points})
	op.RewardID, op.Reason = r.ID, r.Name
	return op, err
}

// SpendCashback spends amount of the cashback balance, as much as the cashier chooses.
func (p Program) SpendCashback(o Origin, c Card, b Balance, amount Money) (Operation, error) {
	if err := p.checkAmount(amount); err != nil {
		return Operation{}, err
	}
	if amount > b.Cashback {
		return Operation{}, ErrNotEnoughCashback
	}
	op, err := newOperation(o, c, KindSpendCashback, Delta{Cashback: -amount})
	op.Amount, op.Currency = amount, p.Currency
	return op, err
}

// Adjust corrects points by a signed amount, for a stated reason; the balance cannot go
// below zero.
func Adjust(o Origin, c Card, b Balance, points int64, reason string) (Operation, error) {
	if !within(points, MaxPoints) {
		return Operation{}, ErrPointsTooLarge
	}
	return adjust(o, c, b, Delta{Points: points}, reason)
}

// AdjustCashback corrects the cashback balance by a signed amount of money in
// currency, for a stated reason; the balance cannot go below zero.
func AdjustCashback(o Origin, c Card, b Balance, amount Money, currency, reason string) (Operation, error) {
	if !within(int64(amount), int64(MaxMoney)) {
		return Operation{}, ErrAmountTooLarge
	}
	op, err := adjust(o, c, b, Delta{Cashback: amount}, reason)
	op.Currency = currency
	return op, err
}

// adjust makes the adjustment d, points or cashback, which must leave neither below zero.
func adjust(o Origin, c Card, b Balance, d Delta, reason string) (Operation, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Operation{}, ErrReasonRequired
	case d == Delta{}:
		return Operation{}, ErrInvalidAmount
	}
	// Checked: a balance and a delta near the int64 limits must not wrap into a
	// "covered" adjustment.
	after, err := b.Apply(d)
	switch {
	case err != nil:
		return Operation{}, err
	case after.Points < 0:
		return Operation{}, ErrNotEnoughPoints
	case after.Cashback < 0:
		return Operation{}, ErrNotEnoughCashback
	}
	op, err := newOperation(o, c, KindAdjust, d)
	op.Reason = reason
	return op, err
}

// ErrNotOverdrawn refuses to write off a balance that is not below zero.
var ErrNotOverdrawn = errors.New("the balance is not below zero")

// WriteOff settles an overdrawn card for a stated reason: an adjustment that brings the
// parts of b below zero back to zero, the shop bearing the loss. currency is the
// cashback's.
func WriteOff(o Origin, c Card, b Balance, currency, reason string) (Operation, error) {
	d := Delta{Points: -min(b.Points, 0), Cashback: -min(b.Cashback, 0)}
	if d == (Delta{}) {
		return Operation{}, ErrNotOverdrawn
	}
	if err := d.Check(); err != nil {
		return Operation{}, err
	}
	op, err := adjust(o, c, b, d, reason)
	if d.Cashback != 0 {
		op.Currency = currency
	}
	return op, err
}

// Refund takes back what purchase earned, in proportion to the amount returned and
// rounded down, never taking the balance below zero. refunded is what earlier refunds of
// the same purchase already returned.
func Refund(o Origin, c Card, b Balance, purchase Operation, amount, refunded Money) (Operation, error) {
	switch {
	case purchase.Kind != KindCredit:
		return Operation{}, ErrNotRefundable
	case purchase.CustomerID != c.CustomerID:
		return Operation{}, ErrWrongCustomer
	case amount <= 0:
		return Operation{}, ErrInvalidAmount
	case amount > purchase.Amount-refunded:
		return Operation{}, ErrRefundTooLarge
	}
	share := func(v int64) int64 {
		// v·amount may pass 2^63 near the bounds: 128-bit, and never more than v.
		if v <= 0 {
			return 0
		}
		hi, lo := bits.Mul64(uint64(v), uint64(amount))
		q, _ := bits.Div64(hi, lo, uint64(purchase.Amount))
		return int64(q)
	}
	back := Delta{
		Points:   min(share(purchase.Delta.Points), max(b.Points, 0)),
		Cashback: Money(min(share(int64(purchase.Delta.Cashback)), max(int64(b.Cashback), 0))),
		XP:       min(share(purchase.Delta.XP), max(b.XP, 0)),
	}
	op, err := newOperation(o, c, KindRefund, back.Neg())
	op.Target, op.Amount, op.Currency = purchase.ID, amount, purchase.Currency
	return op, err
}

// Void cancels target with its exact opposite, as the counter's Undo does. voided says
// whether target was already voided. A void that would take points or cashback below
// zero (the customer already spent what is being cancelled) is refused.
func Void(o Origin, c Card, b Balance, target Operation, voided bool) (Operation, error) {
	op, err := cancel(o, c, target, target.Delta.Neg(), voided)
	if err != nil {
		return Operation{}, err
	}
	after := b.Add(op.Delta)
	if after.Points < 0 {
		return Operation{}, ErrNotEnoughPoints
	}
	if after.Cashback < 0 {
		return Operation{}, ErrNotEnoughCashback
	}
	return op, nil
}

// ErrPurchaseCancelled refuses to cancel a refund of a purchase that was cancelled: the
// purchase's cancellation already took the refund into account.
var ErrPurchaseCancelled = errors.New("the purchase this refund belongs to was cancelled")

// Cancellation is what the owner's cancellation of a past operation needs to know of
// the ledger besides the operation itself.
type Cancellation struct {
	Target Operation
	Voided bool // Target was already cancelled
	// Refunded is the sum of the deltas of the refunds of Target, a purchase, that
	// are not cancelled: what they already took back.
	Refunded Delta
	// PurchaseVoided says that Target is a refund whose purchase was cancelled.
	PurchaseVoided bool
}

// Cancel is the owner's cancellation of any past operation, for a stated reason: the
// balance, experience and so the tier become what they would be had the operation
// never happened. A purchase goes with its refunds, which took part of it back already.
// Unlike the counter's Void it may take the balance below zero (the customer spent
// what a cancelled purchase earned): the card is then overdrawn, for the owner to
// settle.
func Cancel(o Origin, c Card, b Balance, x Cancellation, reason string) (Operation, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Operation{}, ErrReasonRequired
	case x.PurchaseVoided:
		return Operation{}, ErrPurchaseCancelled
	}
	d := x.Target.Delta
	if x.Target.Kind == KindCredit {
		d = Delta{d.Points + x.Refunded.Points, d.Cashback + x.Refunded.Cashback, d.XP + x.Refunded.XP}
	}
	op, err := cancel(o, c, x.Target, d.Neg(), x.Voided)
	if err != nil {
		return Operation{}, err
	}
	if _, err := b.Apply(op.Delta); err != nil {
		return Operation{}, err
	}
	op.Reason = reason
	return op, nil
}

// cancel makes the void of target that moves d, with the id every device gives it.
func cancel(o Origin, c Card, target Operation, d Delta, voided bool) (Operation, error) {
	switch {
	case target.Kind == KindVoid:
		return Operation{}, ErrNotVoidable
	case voided:
		return Operation{}, ErrAlreadyVoided
	case target.CustomerID != c.CustomerID:
		return Operation{}, ErrWrongCustomer
	}
	id, err := VoidID(target.ID)
	if err != nil {
		return Operation{}, err
	}
	// A cancellation is the shop's own: it restores what was true, on a card blocked
	// since as well.
	c.Status = CardActive
	op, err := newOperation(o, c, KindVoid, d)
	op.ID, op.Target, op.Amount, op.Currency = id, target.ID, target.Amount, target.Currency
	return op, err
}

// VoidID returns the id of the cancellation of the operation targetID. It is the same
// on every device, so that two devices cancelling the same operation at once (two
// owners' desks, a desk and the counter's Undo) make one cancellation, which the
// ledger's unique ids keep once on every device and on the server. It is a UUIDv7 with
// the time of targetID, its other bits a hash of it.
func VoidID(targetID string) (string, error) {
	t, err := uuid.Parse(targetID)
	if err != nil || t.Version() != 7 {
		return "", fmt.Errorf("%w: %q is not a UUIDv7", ErrInvalidOperation, targetID)
	}
	return derive(t[:6], "void:"+t.String()), nil
}

func (p Program) checkAmount(amount Money) error {
	if amount <= 0 {
		return ErrInvalidAmount
	}
	if amount > p.PurchaseCeiling() {
		return ErrAmountTooLarge
	}
	return nil
}
