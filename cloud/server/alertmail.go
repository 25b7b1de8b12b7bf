package server

import (
	"context"
	"time"

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

// RunScans sends the due survey emails and queues the owners' alert emails until ctx
// ends, every poll: a survey email is hours after its purchase, and an alert during
// the day it is about, so a minute late is on time.
func (s *Server) RunScans(ctx context.Context, poll time.Duration) error {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		if _, err := s.SendDueSurveys(ctx, s.db.Now()); err != nil && ctx.Err() == nil {
			s.log.Error("survey emails", "err", err)
		}
		if _, err := s.db.QueueAlertMails(ctx, AlertMail); err != nil && ctx.Err() == nil {
			s.log.Error("alert emails", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
