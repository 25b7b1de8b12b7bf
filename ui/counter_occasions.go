package ui

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// birthdayBanner tells the cashier that the customer on screen has their birthday in
// the program's period, with the reward to give once; nil outside it.
func (c *counter) birthdayBanner(a localdb.Account, p loyalty.Program) fyne.CanvasObject {
	l := c.u.lang
	st, err := c.u.store.Birthday(c.u.context(), p, a, c.u.store.Now())
	if err != nil {
		c.fail(err)
		return nil
	}
	if !st.Now {
		return nil
	}
	key := "counter.birthday_week"
	if p.BirthdayPeriod == loyalty.BirthdayMonth {
		key = "counter.birthday_month"
	}
	text := widget.NewLabel(l.T(key, birthdayReward(l, p)))
	text.TextStyle.Bold = true
	text.Wrapping = fyne.TextWrapWord
	var action fyne.CanvasObject
	if st.Given {
		given := widget.NewLabel(l.T("counter.birthday_given"))
		given.Importance = widget.SuccessImportance
		action = given
	} else {
		give := widget.NewButtonWithIcon(l.T("counter.birthday_give"), theme.ConfirmIcon(), c.onGiveBirthday)
		give.Importance = widget.SuccessImportance
		action = give
	}
	g := color.NRGBAModel.Convert(themeColor(theme.ColorNameSuccess)).(color.NRGBA)
	bg := canvas.NewRectangle(color.NRGBA{R: g.R, G: g.G, B: g.B, A: 0x26})
	bg.CornerRadius = 8
	bg.StrokeColor, bg.StrokeWidth = g, 1
	return container.NewStack(bg, container.NewPadded(container.NewBorder(nil, nil, nil, container.NewCenter(action), text)))
}

// birthdayReward says what the program gives for a birthday: "a free coffee + 50 points".
func birthdayReward(l i18n.Lang, p loyalty.Program) string {
	var parts []string
	if p.BirthdayGift != "" {
		parts = append(parts, p.BirthdayGift)
	}
	if p.BirthdayPoints > 0 {
		parts = append(parts, l.T("counter.points_n", l.Number(p.BirthdayPoints)))
	}
	return strings.Join(parts, " + ")
}

// onGiveBirthday records the birthday reward of the card on screen.
func (c *counter) onGiveBirthday() {
	l := c.u.lang
	c.record(c.u.store.Record, func(p loyalty.Program, o loyalty.Origin, a localdb.Account) (loyalty.Operation, error) {
		return p.GiveBirthday(o, a.Card, a.Customer)
	}, func(op loyalty.Operation, p loyalty.Program) string {
		return l.T("counter.birthday_done", birthdayReward(l, p))
	})
}

// tierText says a customer's tier, its advantage, until when it holds and what the
// next one needs: "GOLD (10 % off) · until Dec 31, 2027 · 50 XP to Platinum".
func tierText(l i18n.Lang, st loyalty.TierStatus) string {
	if st.Tier == nil {
		return ""
	}
	parts := []string{strings.ToUpper(st.Tier.Name)}
	if st.Tier.Perk != "" {
		parts[0] += " (" + st.Tier.Perk + ")"
	}
	if !st.Until.IsZero() {
		// The status holds to the day before Until, a first of the month in UTC.
		last := st.Until.AddDate(0, 0, -1)
		parts = append(parts, l.T("counter.tier_until", l.Date(time.Date(last.Year(), last.Month(), last.Day(), 12, 0, 0, 0, time.Local))))
	}
	if st.Next != nil {
		parts = append(parts, l.T("counter.xp_to_tier", l.Number(st.Next.MinXP-st.XP), st.Next.Name))
	}
	return strings.Join(parts, "  ·  ")
}
