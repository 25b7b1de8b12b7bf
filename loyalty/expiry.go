package loyalty

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// ExpiryRule says when points and cashback expire.
type ExpiryRule string

// The expiry rules. The zero value with ExpiryMonths 0 is no expiry, as programs
// always were.
const (
	// ExpireAfterEarning: what a customer earned in a month expires at the end of the
	// ExpiryMonths-th month after it, spends taking the oldest first.
	ExpireAfterEarning ExpiryRule = ""
	// ExpireAfterInactivity: the whole balance expires ExpiryMonths months after the
	// customer's last purchase or visit.
	ExpireAfterInactivity ExpiryRule = "inactivity"
)

// MaxExpiryMonths bounds the expiry delay: ten years.
const MaxExpiryMonths = 120

// Expiry is points and cashback that expire at At.
type Expiry struct {
	At       time.Time
	Points   int64
	Cashback Money
	// Key names the expiry the same on every device: the ledger's bucket or last visit
	// it comes from. The operation's id derives from it.
	Key string
}

// Expires reports whether p makes points and cashback expire.
func (p Program) Expires() bool { return p.ExpiryMonths > 0 }

// Expiries reads a customer's ledger ops under p at now: the expiries due (at or before
// now) that the ledger does not hold yet, oldest first, and the next one to come, if
// any. It is the same on every device that holds the same ledger.
func (p Program) Expiries(customerID string, ops []Operation, now time.Time) (due []Expiry, next *Expiry) {
	if !p.Expires() {
		return nil, nil
	}
	ops = slices.Clone(ops)
	slices.SortStableFunc(ops, func(a, b Operation) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	recorded := map[string]bool{}
	for _, op := range ops {
		if op.Kind == KindExpire {
			recorded[op.ID] = true
		}
	}
	var candidates []Expiry
	if p.ExpiryRule == ExpireAfterInactivity {
		candidates = p.inactivityExpiry(customerID, ops)
	} else {
		candidates = p.earningExpiries(customerID, ops)
	}
	for _, e := range candidates {
		switch {
		case e.Points <= 0 && e.Cashback <= 0:
		case e.At.After(now):
			if next == nil {
				next = &e
			}
		case !recorded[ExpiryID(customerID, e)]:
			due = append(due, e)
		}
	}
	return due, next
}

// earningExpiries returns, for each month in which something was earned, what is
// left of it after the spends, oldest first (first in, first out), expiring at the
// start of the month ExpiryMonths+1 months later.
func (p Program) earningExpiries(customerID string, ops []Operation) []Expiry {
	var months []int64 // months since year 0, UTC, of the lots
	var points fifo[int64]
	var cashback fifo[Money]
	for _, op := range ops {
		m := int64(op.At.UTC().Year())*12 + int64(op.At.UTC().Month()) - 1
		if len(months) == 0 || months[len(months)-1] != m {
			months = append(months, m)
			points.lots = append(points.lots, 0)
			cashback.lots = append(cashback.lots, 0)
		}
		points.move(op.Delta.Points)
		cashback.move(op.Delta.Cashback)
	}
	out := make([]Expiry, 0, len(months))
	for i, month := range months {
		end := month + p.ExpiryMonths + 1
		at := time.Date(int(end/12), time.Month(end%12+1), 1, 0, 0, 0, 0, time.UTC)
		key := fmt.Sprintf("earned:%04d-%02d", month/12, month%12+1)
		out = append(out, Expiry{At: at, Points: points.lots[i], Cashback: cashback.lots[i], Key: key})
	}
	return out
}

// fifo holds one kind of balance by the month it was earned, spent oldest first.
type fifo[T ~int64] struct {
	lots []T // one a month, the newest last
	owed T   // spent beyond what the lots hold: an overdrawn card
}

// move applies d: a gain pays back what is owed, then goes to the newest lot; a spend
// takes from the oldest lots first.
func (f *fifo[T]) move(d T) {
	if d > 0 {
		paid := min(d, f.owed)
		f.owed -= paid
		f.lots[len(f.lots)-1] += d - paid
		return
	}
	take := -d
	for i := range f.lots {
		n := min(take, f.lots[i])
		f.lots[i] -= n
		take -= n
	}
	f.owed += take
}

// inactivityExpiry returns the expiry of the whole balance ExpiryMonths after the last
// purchase or visit, if there was one.
func (p Program) inactivityExpiry(customerID string, ops []Operation) []Expiry {
	var last time.Time
	var b Balance
	for _, op := range ops {
		if op.Kind == KindCredit || op.Kind == KindVisit {
			last = op.At
		}
		b = b.Add(op.Delta)
	}
	if last.IsZero() {
		return nil
	}
	return []Expiry{{
		At:       last.UTC().AddDate(0, int(p.ExpiryMonths), 0),
		Points:   b.Points,
		Cashback: b.Cashback,
		Key:      "inactive:" + last.UTC().Format(time.RFC3339Nano),
	}}
}

// Expire makes the operation that takes e off the customer's balance. Every device
// that notices e makes the same one, bar its device and staff: its id derives from
// the customer and e's key, and its time is e's.
func (p Program) Expire(o Origin, customerID string, e Expiry) (Operation, error) {
	op := Operation{
		ID:         ExpiryID(customerID, e),
		CustomerID: customerID,
		Kind:       KindExpire,
		Delta:      Delta{Points: -max(e.Points, 0), Cashback: -max(e.Cashback, 0)},
		Device:     o.Device,
		Staff:      o.Staff,
		At:         e.At,
		Reason:     e.Key,
	}
	if op.Delta.Cashback != 0 {
		op.Currency = p.Currency
	}
	return op, op.Validate()
}

// SameDerived reports whether a and b are one operation that the ledger implies (an
// expiry, a bonus), made on two devices under the id both derive: they may differ in who made
// it and, when the two devices' ledgers differed, in what it moves. The first the
// server takes stands.
func SameDerived(a, b Operation) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.CustomerID == b.CustomerID &&
		(a.Kind == KindExpire || a.Kind == KindBonus)
}

// ExpiryID is the id of the expiry e of a customer's points: the same on every device.
func ExpiryID(customerID string, e Expiry) string {
	return DerivedID(e.At, "expire:"+customerID+":"+e.Key)
}

// DerivedID returns a UUIDv7 with the time at and other bits a hash of key: the id
// every device gives an operation that the ledger implies (an expiry, a bonus), so
// that two devices noticing it make one.
func DerivedID(at time.Time, key string) string {
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(max(at.UnixMilli(), 0)))
	return derive(ts[2:], key)
}

// derive makes a UUIDv7 of the 48 time bits ts and a hash of key.
func derive(ts []byte, key string) string {
	sum := sha256.Sum256([]byte(key))
	var id uuid.UUID
	copy(id[:6], ts)
	copy(id[6:], sum[:10])
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id.String()
}
