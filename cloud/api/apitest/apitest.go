// Package apitest makes random sync changes for tests, valid or not, with the
// extreme values a buggy or hostile device may send. It is outside cloud/internal so
// that the desktop side's tests can queue them too.
package apitest

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Extremes are the numbers a buggy or hostile device may send: the int64 limits, the
// bounds and one past them, zero and its neighbours.
var Extremes = []int64{
	math.MinInt64, math.MinInt64 + 1, -loyalty.MaxBalance - 1, -loyalty.MaxBalance, -int64(loyalty.MaxMoney) - 1,
	-loyalty.MaxPoints - 1, -loyalty.MaxPoints, -1, 0, 1, loyalty.MaxPoints, loyalty.MaxPoints + 1,
	int64(loyalty.MaxMoney), int64(loyalty.MaxMoney) + 1, loyalty.MaxBalance, math.MaxInt64 - 1, math.MaxInt64,
}

// Customers are the customers of the random operations: few, so that their balances
// pile up against the bounds.
var Customers = []string{"c1", "c2", "c3"}

var kinds = []loyalty.Kind{loyalty.KindCredit, loyalty.KindDebit, loyalty.KindRedeem, loyalty.KindSpendCashback,
	loyalty.KindAdjust, loyalty.KindRefund, loyalty.KindVoid, loyalty.KindVisit, "bogus"}

// number returns an extreme or a small number, either sign.
func number(r *rand.Rand) int64 {
	if r.IntN(2) == 0 {
		return Extremes[r.IntN(len(Extremes))]
	}
	return r.Int64N(2001) - 1000
}

// text returns a short text, or now and then a huge one.
func text(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return strings.Repeat("é", 300+r.IntN(40_000))
	case 1:
		return ""
	}
	return "t" + strings.Repeat("x", r.IntN(20))
}

// RandomOp returns a random operation change: any kind, extreme deltas and amounts,
// huge reasons and customer ids now and then, sometimes guarded. Many are invalid.
func RandomOp(tb testing.TB, r *rand.Rand) syncwire.Change {
	tb.Helper()
	id := synctest.NewID(tb)
	op := loyalty.Operation{ID: id, CustomerID: Customers[r.IntN(len(Customers))], Kind: kinds[r.IntN(len(kinds))],
		Delta:  loyalty.Delta{Points: number(r), Cashback: loyalty.Money(number(r)), XP: number(r)},
		Amount: loyalty.Money(number(r)), Currency: "EUR", Device: "till-1", At: synctest.At}
	if r.IntN(3) > 0 {
		op.Delta.Cashback, op.Delta.XP = 0, 0 // else nearly every one breaks a rule of its kind
	}
	if r.IntN(2) == 0 {
		op.Amount = loyalty.Money(r.Int64N(100_000) + 1)
	}
	if r.IntN(3) == 0 {
		op.Reason = text(r)
	} else {
		op.Reason = "correction"
	}
	if r.IntN(10) == 0 {
		op.CustomerID = text(r)
	}
	switch op.Kind {
	case loyalty.KindRefund, loyalty.KindVoid:
		op.Target = "x"
	case loyalty.KindRedeem:
		op.RewardID = "menu"
	}
	c := synctest.Change(tb, id, syncwire.TypeOp, id, op)
	c.Guard = r.IntN(5) == 0
	return c
}

// RandomChange returns a random change of any kind, valid or not: operations (as
// RandomOp), customers with huge fields, programs with extreme numbers, cards, and
// garbage (a wrong id, a body that is not JSON, a type only the server writes).
func RandomChange(tb testing.TB, r *rand.Rand) syncwire.Change {
	tb.Helper()
	switch r.IntN(10) {
	case 0:
		cu := loyalty.Customer{ID: Customers[r.IntN(len(Customers))], Name: text(r), Email: text(r), CreatedAt: synctest.At}
		return synctest.Record(tb, syncwire.TypeCustomer, cu.ID, cu)
	case 1:
		p := loyalty.Program{Currency: "EUR", PointsPerVisit: number(r), PointsPerUnit: number(r), CashbackBasisPoints: number(r),
			MaxPurchase: loyalty.Money(number(r)), Rewards: []loyalty.Reward{{ID: "menu", Name: "Menu", Points: number(r)}}}
		return synctest.Record(tb, syncwire.TypeSetting, syncwire.SettingProgram, p)
	case 2:
		code := "K" + strings.ToUpper(uuid.NewString()[:8])
		return synctest.Record(tb, syncwire.TypeCard, code, loyalty.Card{Code: code, CustomerID: Customers[r.IntN(len(Customers))], Status: loyalty.CardActive})
	case 3:
		c := RandomOp(tb, r)
		switch r.IntN(4) {
		case 0:
			c.ID = text(r)
		case 1:
			c.Body = json.RawMessage(`{"points":` + strings.Repeat("9", 1+r.IntN(40)) + `}`)
		case 2:
			c.Body = json.RawMessage(text(r))
		default:
			c.Type = syncwire.TypeEmailStatus
		}
		return c
	}
	return RandomOp(tb, r)
}
