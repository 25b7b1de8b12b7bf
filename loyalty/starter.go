package loyalty

// StarterKind is one of the programs a new shop starts from; the owner adjusts it later.
type StarterKind string

// The starting programs.
const (
	StarterPerVisit  StarterKind = "visit"    // a point a visit, a reward at 10 visits
	StarterPerAmount StarterKind = "amount"   // a point per currency unit, a reward at 100
	StarterCashback  StarterKind = "cashback" // 5 % of each purchase back to spend
)

// Starters lists the starting programs in the order a shop is offered them.
var Starters = []StarterKind{StarterPerVisit, StarterPerAmount, StarterCashback}

// Starter returns the starting program kind in currency, whose one reward (none for
// cashback) is named rewardName. Experience follows spending, with no tiers yet.
func Starter(kind StarterKind, currency, rewardName string) Program {
	p := Program{Currency: currency, XPPerUnit: 1}
	switch kind {
	case StarterPerVisit:
		p.PointsPerVisit, p.SelfServiceVisitPoints = 1, 1
		p.Rewards = []Reward{{ID: "reward-1", Name: rewardName, Points: 10}}
	case StarterPerAmount:
		p.PointsPerUnit = 1
		p.Rewards = []Reward{{ID: "reward-1", Name: rewardName, Points: 100}}
	case StarterCashback:
		p.CashbackBasisPoints = 500
	}
	return p
}
