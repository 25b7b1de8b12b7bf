package ui

import (
	"strings"

	"github.com/merci-loyalty/merci/localdb"
)

// isCoupon reports whether text typed or scanned at the counter is a coupon code.
func isCoupon(text string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(text)), localdb.CouponPrefix)
}

// redeemCoupon uses a promoter's thank-you coupon, once, and tells the cashier what to
// give.
func (c *counter) redeemCoupon(code string) {
	cp, err := c.u.store.RedeemCoupon(c.u.context(), code, c.u.staff.ID)
	if err != nil {
		c.fail(err)
		return
	}
	c.input.SetText("")
	c.succeed(c.u.lang.T("counter.coupon_redeemed", cp.Offer))
}
