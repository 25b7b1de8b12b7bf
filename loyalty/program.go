package loyalty

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Program is a shop's loyalty rules. A shop may combine them: points per visit and per
// amount spent, a cashback percentage, and experience tiers.
type Program struct {
	Currency string // ISO 4217 code, e.g. "EUR"

	// PointsPerVisit are earned by any purchase, whatever its amount.
	PointsPerVisit int64
	// PointsPerUnit are earned per whole currency unit spent, rounded down per purchase:
	// at 1 point per euro, 12.99 € earns 12 points.
	PointsPerUnit int64
	// PointsPerItem are earned per item bought: "2 × menu" earns twice as much as one.
	PointsPerItem int64
	// PointsCombine says how the points per visit, per unit and per item of one
	// purchase combine; the zero value adds them up, as programs always did.
	PointsCombine Combine
	// CashbackBasisPoints is the cashback rate in hundredths of a percent (250 = 2.5 %),
	// credited in minor units and rounded down: 2.5 % of 12.99 € is 0.32 €.
	CashbackBasisPoints int64
	// XPPerUnit is experience earned per whole currency unit spent, rounded down; tiers
	// are reached by experience, which redemptions never reduce.
	XPPerUnit int64
	// Tiers are named experience levels; see TierFor.
	Tiers []Tier
	// Rewards is the catalogue a customer can redeem points for.
	Rewards []Reward
	// MaxPurchase is the largest purchase a cashier may credit; anything larger is a
	// typing mistake until the owner raises it. Zero means DefaultMaxPurchase units.
	MaxPurchase Money
	// SelfServiceVisitPoints and SelfServiceVisitCashback are the fixed credit a
	// customer earns by scanning their own card at the kiosk: points, cashback in minor
	// units (for cashback programs), or both.
	SelfServiceVisitPoints   int64
	SelfServiceVisitCashback Money
	// OfflineSpending is what a card may spend (redeem, debit, spend cashback) at a
	// till that cannot have the cloud check the spend against the card's balance there.
	OfflineSpending OfflineSpending
	// OfflinePoints and OfflineCashback cap it when OfflineSpending is OfflineCapped: a
	// risk bounded per card, since two offline tills could each spend the same points.
	OfflinePoints   int64
	OfflineCashback Money
	// ExpiryMonths, when more than zero, makes points and cashback expire under
	// ExpiryRule; experience never expires.
	ExpiryMonths int64      `json:",omitempty"`
	ExpiryRule   ExpiryRule `json:",omitempty"`
	// BirthdayPoints and BirthdayGift ("a free coffee") are a customer's birthday
	// reward, given once a year in the BirthdayPeriod of their birthday.
	BirthdayPoints int64          `json:",omitempty"`
	BirthdayGift   string         `json:",omitempty"`
	BirthdayPeriod BirthdayPeriod `json:",omitempty"`
	// TierWindowMonths, when more than zero, makes tiers a status for a period: see
	// StatusAt.
	TierWindowMonths int64 `json:",omitempty"`
	// ReferralPoints are given to a new customer and to the customer who referred them,
	// once, after the new customer's first purchase.
	ReferralPoints int64 `json:",omitempty"`
}

// OfflineSpending is a rule for spending at a till that cannot reach the cloud.
type OfflineSpending string

// The rules for spending offline. The zero value is the default: a shop promises its
// customers that the counter works without a network.
const (
	OfflineUpToBalance OfflineSpending = ""       // what this till knows of the card's balance
	OfflineCapped      OfflineSpending = "capped" // at most OfflinePoints and OfflineCashback per card
	OfflineNever       OfflineSpending = "never"  // nothing until the cloud answers
)

// offlineRule is p's rule for spending offline. A program saved before the rule existed
// with an allowance meant a cap.
func (p Program) offlineRule() OfflineSpending {
	if p.OfflineSpending == OfflineUpToBalance && (p.OfflinePoints > 0 || p.OfflineCashback > 0) {
		return OfflineCapped
	}
	return p.OfflineSpending
}

// DefaultMaxPurchase is the purchase ceiling, in currency units, of a program that sets none.
const DefaultMaxPurchase = 5000

// Tier is an experience level: a customer is in the highest tier whose MinXP they reached.
type Tier struct {
	Name  string
	MinXP int64
	// PointsPercent multiplies the points a purchase earns in this tier: 150 is ×1.5;
	// 0 is no multiplier.
	PointsPercent int64 `json:",omitempty"`
	// Perk is the tier's advantage the cashier grants, "10 % off".
	Perk string `json:",omitempty"`
}

// Reward is an item of the rewards catalogue.
type Reward struct {
	ID     string
	Name   string // "1 dessert"
	Points int64  // cost
}

// Errors returned by Program.Validate.
var (
	ErrInvalidProgram = errors.New("invalid loyalty program")
)

// Validate reports the first rule that makes p unusable, wrapped in ErrInvalidProgram.
func (p Program) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidProgram, fmt.Sprintf(format, args...))
	}
	switch {
	case len(p.Currency) != 3 || strings.ToUpper(p.Currency) != p.Currency:
		return bad("currency %q is not an ISO 4217 code", p.Currency)
	case p.PointsPerVisit < 0 || p.PointsPerUnit < 0 || p.PointsPerItem < 0 || p.XPPerUnit < 0 || p.SelfServiceVisitPoints < 0:
		return bad("points and experience rates cannot be negative")
	case p.CashbackBasisPoints < 0 || p.CashbackBasisPoints > 10000:
		return bad("cashback must be between 0 %% and 100 %%")
	case p.MaxPurchase < 0:
		return bad("the largest purchase cannot be negative")
	case p.SelfServiceVisitCashback < 0:
		return bad("the kiosk's cashback cannot be negative")
	case p.SelfServiceVisitCashback > p.PurchaseCeiling():
		return bad("the kiosk's cashback is more than the largest purchase")
	case p.OfflinePoints < 0 || p.OfflineCashback < 0:
		return bad("the offline spending allowance cannot be negative")
	case p.OfflineSpending != OfflineUpToBalance && p.OfflineSpending != OfflineCapped && p.OfflineSpending != OfflineNever:
		return bad("unknown rule for spending offline %q", p.OfflineSpending)
	case p.PointsPerVisit > MaxPoints || p.SelfServiceVisitPoints > MaxPoints:
		return bad("a visit may earn at most %d points", MaxPoints)
	case p.PointsPerItem > MaxPoints:
		return bad("an item may earn at most %d points", MaxPoints)
	case p.PointsCombine != CombineSum && p.PointsCombine != CombineBest:
		return bad("unknown way to combine points %q", p.PointsCombine)
	case p.PointsPerUnit > MaxRatePerUnit || p.XPPerUnit > MaxRatePerUnit:
		return bad("at most %d points or experience per currency unit", MaxRatePerUnit)
	case p.MaxPurchase > MaxMoney:
		return bad("the largest purchase may be at most %d minor units", MaxMoney)
	case p.ExpiryMonths < 0 || p.ExpiryMonths > MaxExpiryMonths:
		return bad("points may expire after 0 to %d months", MaxExpiryMonths)
	case p.ExpiryRule != ExpireAfterEarning && p.ExpiryRule != ExpireAfterInactivity:
		return bad("unknown expiry rule %q", p.ExpiryRule)
	case p.BirthdayPoints < 0 || p.BirthdayPoints > MaxPoints || p.ReferralPoints < 0 || p.ReferralPoints > MaxPoints:
		return bad("a birthday or referral bonus is 0 to %d points", MaxPoints)
	case CheckText(p.BirthdayGift) != nil:
		return bad("the birthday gift: %v", CheckText(p.BirthdayGift))
	case p.BirthdayPeriod != BirthdayWeek && p.BirthdayPeriod != BirthdayMonth:
		return bad("unknown birthday period %q", p.BirthdayPeriod)
	case p.TierWindowMonths < 0 || p.TierWindowMonths > MaxTierWindowMonths:
		return bad("a tier period is 0 to %d months", MaxTierWindowMonths)
	case p.OfflinePoints > MaxPoints || p.OfflineCashback > MaxMoney:
		return bad("the offline spending allowance is over %d points or %d minor units", MaxPoints, MaxMoney)
	}
	for i, t := range p.Tiers {
		if strings.TrimSpace(t.Name) == "" {
			return bad("tier %d has no name", i+1)
		}
		if i == 0 && t.MinXP != 0 {
			return bad("the first tier must start at 0 experience")
		}
		if t.MinXP > MaxBalance {
			return bad("tier %q starts above %d experience", t.Name, MaxBalance)
		}
		if i > 0 && t.MinXP <= p.Tiers[i-1].MinXP {
			return bad("tier %q must start above %q", t.Name, p.Tiers[i-1].Name)
		}
		if t.PointsPercent < 0 || t.PointsPercent > MaxPointsPercent {
			return bad("tier %q multiplies points by 0 to %d %%", t.Name, MaxPointsPercent)
		}
		if err := CheckText(t.Perk); err != nil {
			return bad("tier %q's advantage: %v", t.Name, err)
		}
	}
	ids := map[string]bool{}
	for _, r := range p.Rewards {
		switch {
		case r.ID == "" || ids[r.ID]:
			return bad("reward %q needs a unique id", r.Name)
		case strings.TrimSpace(r.Name) == "":
			return bad("reward %q has no name", r.ID)
		case r.Points <= 0:
			return bad("reward %q must cost at least one point", r.Name)
		case r.Points > MaxPoints:
			return bad("reward %q may cost at most %d points", r.Name, MaxPoints)
		}
		ids[r.ID] = true
	}
	return nil
}

// PurchaseCeiling returns the largest purchase a till may credit, in minor units.
func (p Program) PurchaseCeiling() Money {
	if p.MaxPurchase > 0 {
		return p.MaxPurchase
	}
	return Money(DefaultMaxPurchase * MinorPerUnit(p.Currency))
}

// Earned is what a purchase of amount earns under p. items is the number of items
// bought; 0, a count not given, is one item.
func (p Program) Earned(amount Money, items int64) Delta {
	units := int64(amount) / MinorPerUnit(p.Currency)
	perItem := p.PointsPerItem * max(items, 1)
	points := p.PointsPerVisit + p.PointsPerUnit*units + perItem
	if p.PointsCombine == CombineBest {
		points = max(p.PointsPerVisit, p.PointsPerUnit*units, perItem)
	}
	return Delta{
		Points:   points,
		Cashback: Money(int64(amount) * p.CashbackBasisPoints / 10000),
		XP:       p.XPPerUnit * units,
	}
}

// TierFor returns the tier reached with xp and the next one, if any. With no tiers
// configured both are nil.
func (p Program) TierFor(xp int64) (current, next *Tier) {
	for i := range p.Tiers {
		if xp >= p.Tiers[i].MinXP {
			current = &p.Tiers[i]
			continue
		}
		return current, &p.Tiers[i]
	}
	return current, nil
}

// Reward returns the catalogue reward with id.
func (p Program) Reward(id string) (Reward, bool) {
	i := slices.IndexFunc(p.Rewards, func(r Reward) bool { return r.ID == id })
	if i < 0 {
		return Reward{}, false
	}
	return p.Rewards[i], true
}

// Reachable returns the rewards a balance of points can pay for now, cheapest first,
// and the cheapest reward still out of reach (nil when every reward is reachable).
func (p Program) Reachable(points int64) (now []Reward, next *Reward) {
	sorted := slices.Clone(p.Rewards)
	slices.SortStableFunc(sorted, func(a, b Reward) int { return int(a.Points - b.Points) })
	for i := range sorted {
		if sorted[i].Points <= points {
			now = append(now, sorted[i])
			continue
		}
		return now, &sorted[i]
	}
	return now, nil
}
