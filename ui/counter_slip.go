package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2/theme"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/escpos"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// printSlip prints the customer's slip of op, which left the card as after, when
// this device prints slips (Cards › Receipt printer). It runs off the UI goroutine,
// tracked by c.work (drawing the QR code takes a moment too); a slip that does not
// print leaves the operation as it is and says why under its confirmation.
func (c *counter) printSlip(op loyalty.Operation, after localdb.Account, p loyalty.Program, confirmation string) {
	ctx := c.u.context()
	rp, err := c.u.store.ReceiptPrinter(ctx)
	if errors.Is(err, localdb.ErrNotFound) || err == nil && !rp.Slips {
		return
	}
	c.work.Add(1)
	go func() {
		defer c.work.Done()
		var data []byte
		if err == nil {
			data, err = c.slip(ctx, op, after, p, rp)
		}
		if err == nil {
			err = escpos.Send(context.Background(), rp.Target, data)
		}
		if err == nil {
			return
		}
		c.u.log.Error("print slip", "op", op.ID, "err", err)
		c.do(func() {
			reason := err.Error()
			if key, ok := lookupMessage(printErrors, err); ok {
				reason = c.u.lang.T(key)
			}
			c.setMessage("✓ "+confirmation+"\n"+c.u.lang.T("slip.failed", reason), withAlpha(themeColor(theme.ColorNameWarning), 0x40))
		})
	}()
}

// slip returns the commands of op's slip for the printer rp: the shop, when, the
// operation and what it moved, the balance, the next reward, and the card's QR code.
func (c *counter) slip(ctx context.Context, op loyalty.Operation, after localdb.Account, p loyalty.Program, rp localdb.ReceiptPrinter) ([]byte, error) {
	l := c.u.lang
	shop, err := c.u.store.Shop(ctx)
	if err != nil {
		return nil, err
	}
	face, err := shop.CardFace(cards.Code(after.Card.Code))
	if err != nil {
		return nil, err
	}
	at := op.At.In(c.u.store.Now().Location())
	lines := []string{l.ShortDate(at) + " " + at.Format("15:04"), c.u.describeOp(op)}
	if op.Delta.Points != 0 {
		lines = append(lines, l.T("slip.points_moved", signed(l.Number(op.Delta.Points), op.Delta.Points)))
	}
	if op.Delta.Cashback != 0 {
		lines = append(lines, l.T("slip.cashback_moved", signed(l.Money(op.Delta.Cashback, p.Currency), int64(op.Delta.Cashback))))
	}
	lines = append(lines, "", l.T("slip.balance", l.Number(after.Balance.Points)))
	if p.CashbackBasisPoints > 0 || after.Balance.Cashback != 0 {
		lines = append(lines, l.T("slip.cashback", l.Money(after.Balance.Cashback, p.Currency)))
	}
	if now, next := p.Reachable(after.Balance.Points); next != nil {
		lines = append(lines, l.T("counter.points_to_reward", l.Number(next.Points-after.Balance.Points), next.Name))
	} else if len(now) > 0 {
		lines = append(lines, l.T("counter.all_rewards"))
	}
	if shop.CloudURL != "" {
		lines = append(lines, "", l.T("slip.card_page"))
	}
	o := escpos.Options{Width: escpos.Width80, Raster: rp.Raster}
	if rp.Paper == 58 {
		o.Width = escpos.Width58
	}
	return escpos.Slip(face, lines, o)
}
