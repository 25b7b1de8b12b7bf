package i18n

import (
	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// Alert says what a is about: customer is the name of the card's holder ("" names the
// card), staff the name of who adjusted ("" is nobody signed in). The desk lists it and
// the cloud emails it alike.
func (l Lang) Alert(a loyalty.Alert, customer, staff, currency string) string {
	code := cards.Code(a.CardCode).String()
	if customer == "" {
		customer = code
	}
	switch a.Kind {
	case loyalty.AlertOperations:
		return l.T("alerts.operations", customer, l.Number(a.Operations), code)
	case loyalty.AlertCredited:
		return l.T("alerts.credited", customer, l.Number(a.Points), l.Money(a.Cashback, currency), code)
	}
	if staff == "" {
		staff = l.T("alerts.nobody")
	}
	return l.T("alerts.adjusted", staff, l.Number(a.Operations), l.Number(a.Points), l.Money(a.Cashback, currency))
}
