package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/localdb"
)

// sendCardButton is "Send the card" for a's customer, at the counter and on the desk: it
// emails them the link to their card page, through the cloud server as the answers'
// follow-up emails travel. When the customer cannot get it (no email address, no
// consent, no card page), the button is off and why, to show beside it, says so (nil
// otherwise). sent gets the address once the email is queued; failed what went wrong.
func (u *UI) sendCardButton(a localdb.Account, staff string, sent func(to string), failed func(error)) (btn *widget.Button, why *widget.Label) {
	l := u.lang
	btn = widget.NewButtonWithIcon(l.T("sendcard.button"), theme.MailSendIcon(), nil)
	link, err := u.store.CardLink(u.context(), a)
	if err != nil {
		btn.Disable()
		why = widget.NewLabel(u.describe(err))
		why.Wrapping = fyne.TextWrapWord
		why.Importance = widget.LowImportance
		return btn, why
	}
	btn.OnTapped = func() {
		shop, err := u.store.Shop(u.context())
		if err != nil {
			failed(err)
			return
		}
		e, err := u.store.QueueEmail(u.context(), localdb.Email{To: a.Customer.Email, Staff: staff,
			Subject: l.T("sendcard.subject", shop.Name),
			Text:    l.T("sendcard.text", kioskflow.FirstName(a.Customer.Name), shop.Name, link)})
		if err != nil {
			failed(err)
			return
		}
		sent(e.To)
	}
	return btn, nil
}
