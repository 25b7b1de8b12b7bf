package kioskflow

import (
	"errors"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// customerErrors explain to the customer, who can only try again or ask at the counter,
// why a visit or an answer was not stored.
var customerErrors = []struct {
	err error
	key string
}{
	{nps.ErrVisitLimit, "kiosk.err.visit_limit"},
	{localdb.ErrUnknownCard, "kiosk.err.unknown_card"},
	{loyalty.ErrCardBlocked, "kiosk.err.card_blocked"},
	{loyalty.ErrCardReplaced, "kiosk.err.card_replaced"},
	{cards.ErrNotMerciCard, "kiosk.err.bad_code"},
	{localdb.ErrNoSelfService, "kiosk.err.no_self_service"},
	{nps.ErrAlreadyAnswered, "kiosk.already_answered"},
	{nps.ErrExpired, "kiosk.expired"},
}

// Explain says why err stopped the customer, in the screen's language. For an error the
// customer can do nothing about, ok is false and the message only says something went
// wrong: the screen logs err.
func (f *Flow) Explain(err error) (msg string, ok bool) {
	for _, m := range customerErrors {
		if errors.Is(err, m.err) {
			return f.Lang.T(m.key), true
		}
	}
	return f.Lang.T("kiosk.err.internal"), false
}

// RecordVisit credits a self-service visit to a card: the store's RecordVisit, which
// applies the shop's fixed visit credit and limits and opens the survey if it may be asked.
type RecordVisit func(cards.Code) (loyalty.Operation, localdb.Account, *nps.Invitation, error)

// SelfScan is a customer scanning their own card at the screen, whether with a USB
// scanner, the kiosk's camera or the tablet's: a scan while someone answers the survey is
// ignored; a credited visit greets the customer and asks the survey or thanks them; a
// refused one says why on the welcome screen. It returns the errors Explain cannot word,
// for the screen to log.
func (f *Flow) SelfScan(code cards.Code, record RecordVisit) error {
	if !f.CanScan() {
		return nil
	}
	op, a, inv, err := record(code)
	if err != nil {
		msg, ok := f.Explain(err)
		f.Fail(msg)
		if ok {
			return nil
		}
		return err
	}
	f.Scanned(Visit{Name: FirstName(a.Customer.Name), Points: op.Delta.Points, Balance: a.Balance.Points,
		Cashback: op.Delta.Cashback, CashbackBalance: a.Balance.Cashback, Currency: op.Currency}, inv)
	return nil
}
