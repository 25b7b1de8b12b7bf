package ui

import (
	"errors"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/escpos"
	"github.com/merci-loyalty/merci/cards/osprint"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/transfer"
)

// errorMessage pairs an error with the message key of the sentence that explains it.
type errorMessage struct {
	err error
	key string
}

// lookupMessage returns the key of the first entry of table that err is, or wraps.
func lookupMessage(table []errorMessage, err error) (string, bool) {
	for _, m := range table {
		if errors.Is(err, m.err) {
			return m.key, true
		}
	}
	return "", false
}

// deskErrors explain errors to the cashier and the owner, at the counter and on the desk.
var deskErrors = []errorMessage{
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
	{loyalty.ErrItemsSyntax, "err.items_syntax"},
	{loyalty.ErrTooManyItems, "err.too_many_items"},
	{loyalty.ErrAlreadyVoided, "err.already_voided"},
	{loyalty.ErrNotVoidable, "err.not_voidable"},
	{loyalty.ErrUnknownReward, "err.unknown_reward"},
	{loyalty.ErrReasonRequired, "err.reason_required"},
	{loyalty.ErrNotOverdrawn, "err.not_overdrawn"},
	{loyalty.ErrPurchaseCancelled, "err.purchase_cancelled"},
	{localdb.ErrNoteText, "err.note_text"},
	{localdb.ErrAlreadyGiven, "err.already_given"},
	{loyalty.ErrNotBirthday, "err.not_birthday"},
	{localdb.ErrUnknownReferral, "err.unknown_referral"},
	{loyalty.ErrBadBirthday, "err.bad_birthday"},
	{localdb.ErrWrongPIN, "err.wrong_pin"},
	{errNotOwner, "err.not_owner"},
	{errPINLocked, "err.pin_locked"},
	{localdb.ErrNoTakeOffPoints, "err.no_take_off_points"},
	{localdb.ErrNoSpendCashback, "err.no_spend_cashback"},
	{localdb.ErrNoCancelOlder, "err.no_cancel_older"},
	{localdb.ErrBadCounterRules, "err.bad_counter_rules"},
	{errWholeNumber, "err.whole_number"},
	{errNameRequired, "err.name_required"},
	{errCardPage, "err.card_page"},
	{localdb.ErrLastOwner, "err.last_owner"},
	{localdb.ErrPINSyntax, "err.pin_syntax"},
	{localdb.ErrPINInUse, "err.pin_in_use"},
	{loyalty.ErrRefundTooLarge, "err.refund_too_large"},
	{loyalty.ErrNotRefundable, "err.not_refundable"},
	{cards.ErrMalformed, "err.malformed_code"},
	{localdb.ErrCouponUsed, "err.coupon_used"},
	{localdb.ErrNoCoupon, "err.no_coupon"},
	{localdb.ErrCouponExpired, "err.coupon_expired"},
	{nps.ErrInvalidRules, "err.invalid_rules"},
	{localdb.ErrBadRecipient, "err.bad_recipient"},
	{localdb.ErrEmptyEmail, "err.empty_email"},
	{localdb.ErrNoConsent, "err.no_consent"},
	{localdb.ErrNoCardPage, "err.no_card_page"},
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
	{loyalty.ErrTooLong, "err.too_long"},
	{loyalty.ErrControl, "err.control_chars"},
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
	{localdb.ErrDemo, "err.demo_connect"},
	{localdb.ErrOwnData, "err.own_data"},
	{localdb.ErrAlreadySetUp, "err.already_set_up"},
	{localdb.ErrNameRequired, "err.name_required"},
	{localdb.ErrLogo, "err.logo"},
	{errPINMismatch, "err.pin_mismatch"},
}

// printErrors explain why cards could not be printed; the print system's own message
// is shown below them, for whoever sets the printer up.
var printErrors = []errorMessage{
	{osprint.ErrNoPrintSystem, "cards.err_no_print_system"},
	{osprint.ErrNoPrinter, "cards.err_no_printer"},
	{osprint.ErrPrinterOff, "cards.err_printer_off"},
	{escpos.ErrUnreachable, "cards.err_receipt_unreachable"},
}

// kioskErrors explain the owner's PIN errors at the kiosk; the customer's are the flow's
// (kioskflow.Explain).
var kioskErrors = []errorMessage{
	{localdb.ErrWrongPIN, "kiosk.wrong_pin"},
	{errPINLocked, "err.pin_locked"},
}

// messageTables are every table, for the test that each key exists in every language.
var messageTables = map[string][]errorMessage{"desk": deskErrors, "print": printErrors, "kiosk": kioskErrors}
