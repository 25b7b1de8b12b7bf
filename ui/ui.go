// Package ui holds Merci's Fyne screens: the counter, the kiosk and the owner's desk.
// It is the only package that imports Fyne. Work that can take time (sync, printing,
// imports) runs on goroutines that reach widgets only through fyne.Do.
package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/transfer"
)

// Preference keys of the choices made in settings.
const (
	prefLang = "lang"
	prefDark = "dark"
)

// UI is the running app: the store, the language and the windows.
type UI struct {
	app   fyne.App
	store *localdb.Store
	lang  i18n.Lang
	log   *slog.Logger
	staff localdb.Staff // who works the counter

	// openCamera opens a camera's frames: the webcam in the app, image files in tests.
	openCamera cameraOpener
	// do runs a function on the UI goroutine: fyne.Do, or the test's own loop.
	do func(func())

	sync            Syncer // nil until main connects the sync client
	syncStatus      syncclient.Status
	statusListeners []func() // screens redrawing their status line, on the UI goroutine
	// answers holds the NPS answers the owner's desk reads and follows up.
	answers Answers
}

// New prepares the app's screens over store. The language is the one chosen in settings,
// else the system's (systemLang).
func New(app fyne.App, store *localdb.Store, systemLang i18n.Lang, log *slog.Logger) *UI {
	app.Settings().SetTheme(merciTheme{dark: app.Preferences().Bool(prefDark)})
	lang := i18n.Parse(app.Preferences().StringWithFallback(prefLang, string(systemLang)))
	return &UI{app: app, store: store, lang: lang, log: log, openCamera: openWebcam, do: fyne.Do, answers: storeAnswers{store}}
}

// context returns the context for store calls made from the UI thread: local SQLite
// calls that take milliseconds at most.
func (u *UI) context() context.Context { return context.Background() }

// setLang switches the language and remembers the choice.
func (u *UI) setLang(l i18n.Lang) {
	u.lang = l
	u.app.Preferences().SetString(prefLang, string(l))
}

// program returns the shop's loyalty program.
func (u *UI) program() (loyalty.Program, error) {
	return u.store.Program(u.context())
}

// describe turns an error into a sentence for the person at the screen: what happened
// and what to do. Errors nobody can act on are logged and shown as such.
func (u *UI) describe(err error) string {
	l := u.lang
	if fe := (errField{}); errors.As(err, &fe) {
		return fe.field + ": " + u.describe(fe.err)
	}
	if re := (*syncclient.SpendRefusedError)(nil); errors.As(err, &re) {
		if re.Cash {
			return l.T("err.refused_cashback", l.Money(re.Cashback, re.Currency))
		}
		return l.T("err.refused_points", l.Number(re.Points))
	}
	if ae := (*loyalty.OfflineAllowanceError)(nil); errors.As(err, &ae) {
		switch {
		case ae.Cash && ae.Cashback > 0:
			return l.T("err.offline_cashback", l.Money(ae.Cashback, ae.Currency))
		case !ae.Cash && ae.Points > 0:
			return l.T("err.offline_points", l.Number(ae.Points))
		}
		return l.T("err.offline_none")
	}
	known := []struct {
		err error
		key string
	}{
		{cards.ErrCheck, "err.code_check"},
		{cards.ErrNotMerciCard, "err.not_merci_card"},
		{localdb.ErrUnknownCard, "err.unknown_card"},
		{loyalty.ErrCardBlocked, "err.card_blocked"},
		{loyalty.ErrCardReplaced, "err.card_replaced"},
		{loyalty.ErrNotEnoughPoints, "err.not_enough_points"},
		{loyalty.ErrNotEnoughCashback, "err.not_enough_cashback"},
		{loyalty.ErrInvalidAmount, "err.invalid_amount"},
		{loyalty.ErrAmountTooLarge, "err.amount_too_large"},
		{loyalty.ErrPointsTooLarge, "err.points_too_large"},
		{loyalty.ErrBalanceOutOfRange, "err.balance_out_of_range"},
		{loyalty.ErrAmountSyntax, "err.amount_syntax"},
		{loyalty.ErrAlreadyVoided, "err.already_voided"},
		{loyalty.ErrNotVoidable, "err.not_voidable"},
		{loyalty.ErrUnknownReward, "err.unknown_reward"},
		{loyalty.ErrReasonRequired, "err.reason_required"},
		{localdb.ErrWrongPIN, "err.wrong_pin"},
		{errNotOwner, "err.not_owner"},
		{errWholeNumber, "err.whole_number"},
		{errNameRequired, "err.name_required"},
		{localdb.ErrLastOwner, "err.last_owner"},
		{localdb.ErrPINSyntax, "err.pin_syntax"},
		{localdb.ErrPINInUse, "err.pin_in_use"},
		{loyalty.ErrRefundTooLarge, "err.refund_too_large"},
		{loyalty.ErrNotRefundable, "err.not_refundable"},
		{cards.ErrMalformed, "err.malformed_code"},
		{localdb.ErrCouponUsed, "err.coupon_used"},
		{localdb.ErrNoCoupon, "err.no_coupon"},
		{localdb.ErrBadRecipient, "err.bad_recipient"},
		{localdb.ErrEmptyEmail, "err.empty_email"},
		{localdb.ErrEmptyOffer, "err.empty_offer"},
		{nps.ErrClosed, "err.answer_closed"},
		{transfer.ErrTooLarge, "err.file_too_large"},
		{transfer.ErrTooManyRows, "err.too_many_rows"},
		{transfer.ErrTooManyColumns, "err.too_many_columns"},
		{transfer.ErrUnreadable, "err.unreadable_file"},
		{transfer.ErrFormat, "err.file_format"},
		{transfer.ErrEmpty, "err.empty_file"},
		{transfer.ErrFormula, "err.file_formula"},
		{transfer.ErrNoIdentity, "err.row_no_identity"},
		{transfer.ErrBadEmail, "err.bad_email"},
		{transfer.ErrBadPhone, "err.bad_phone"},
		{transfer.ErrBadNumber, "err.whole_number"},
		{transfer.ErrBadYesNo, "err.bad_yes_no"},
		{transfer.ErrLooksFormula, "err.looks_formula"},
		{transfer.ErrTooLong, "err.too_long"},
		{transfer.ErrDuplicateRow, "err.duplicate_row"},
		{transfer.ErrAmbiguous, "err.ambiguous_row"},
		{transfer.ErrOtherCard, "err.other_card"},
		{transfer.ErrBalanceChanged, "err.balance_changed"},
		{syncclient.ErrNotEnrolled, "err.cloud_not_connected"},
		{syncclient.ErrNotOwner, "err.cloud_not_owner"},
		{syncclient.ErrRefused, "err.cloud_refused"},
		{syncclient.ErrEnrollCode, "err.enroll_code"},
		{syncclient.ErrServerAddress, "err.server_address"},
		{syncclient.ErrOffline, "err.cloud_offline"},
		{syncclient.ErrUnavailable, "err.cloud_unavailable"},
		{syncclient.ErrUnknownDevice, "err.cloud_unknown_device"},
		{syncclient.ErrRevokeSelf, "err.cloud_revoke_self"},
	}
	for _, k := range known {
		if errors.Is(err, k.err) {
			return l.T(k.key)
		}
	}
	if errors.Is(err, loyalty.ErrInvalidProgram) {
		return l.T("err.invalid_program", err.Error())
	}
	u.log.Error("unexpected error", "err", err)
	return l.T("err.internal", fmt.Sprint(err))
}
