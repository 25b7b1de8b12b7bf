package server

import (
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/i18n"
)

// AlertMail writes the email of an alert to the shop's owner, in the language of the
// owner's desk, as store.DB.QueueAlertMails asks.
func AlertMail(m store.AlertMail) (subject, text string) {
	l := i18n.Parse(m.Rules.Lang)
	day := l.Day(m.Alert.Day)
	subject = l.T("alertmail.subject", m.ShopName, day)
	what := l.Alert(m.Alert, m.CustomerName, m.StaffName, m.Currency)
	return subject, l.T("alertmail.body", m.ShopName, day, what, m.ShopName)
}
