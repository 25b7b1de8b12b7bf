package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncwire"
)

// Quotas bound what one shop may use of the server, whatever its devices push.
type Quotas struct {
	EmailsPerDay int   // emails queued in any 24 hours
	StorageBytes int64 // bytes of change bodies stored
}

// DefaultQuotas are generous for a shop (a few follow-up emails a day; years of
// sales) and small for a server: 1,000 shops at their storage quota fit on one disk.
var DefaultQuotas = Quotas{EmailsPerDay: 200, StorageBytes: 1 << 30}

// Self-service visits are credited on the device's clock, which the server holds to
// this range of its own: a kiosk cannot space forged visits out over the past.
const (
	visitMaxAge  = 31 * 24 * time.Hour
	visitMaxSkew = time.Hour
)

// npsVisit is the part of the shop's "nps" setting that limits self-service visits.
type npsVisit struct {
	VisitHours int `json:"visit_hours"`
}

// authorize decides whether p's device may make change c, and holds the shop to its
// quotas. It returns the rejection, or nil to go on with the change's own checks;
// whatever makes c invalid is left to them. The rules, by role:
//
//   - owner: everything.
//   - till: operations (a purchase within the program's ceiling and earning no more
//     than the program gives for it, a self-service visit within the program's limit,
//     a cancellation that gives back only what the operation it cancels took, once,
//     and any operation that only takes, but no adjustment), customers, cards, the
//     redemption of coupons the owner issued, the dismissal of the notes the owner
//     left for the counter, the survey records of its customer
//     screen, and emails to addresses the shop has written to before.
//   - kiosk: self-service visits within the program's limit, and its own survey
//     records.
func (p *pusher) authorize(ctx context.Context, c syncwire.Change, pc *prepared) (*syncwire.Rejection, error) {
	body := pc.body
	forbid := func(format string, args ...any) (*syncwire.Rejection, error) {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeForbidden, Reason: fmt.Sprintf(format, args...)}, nil
	}
	if q := p.db.Quotas.StorageBytes; q > 0 && p.stored+int64(len(body)) > q {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeQuota,
			Reason: fmt.Sprintf("the shop's storage on the cloud is full (%d MiB): ask the server's operator", q>>20)}, nil
	}
	role := p.dev.Role
	switch c.Type {
	case syncwire.TypeOp:
		return p.authorizeOp(ctx, c, pc, role)
	case syncwire.TypeEmail:
		if role == syncwire.RoleKiosk {
			return forbid("a kiosk does not send emails")
		}
		return p.authorizeEmail(ctx, c, body, role)
	case syncwire.TypeCustomer, syncwire.TypeCard:
		if role == syncwire.RoleKiosk {
			return forbid("a kiosk may not change %ss: connect this device as a till", c.Type)
		}
		return nil, nil
	case typeCoupon, typeCustomerNote:
		// The owner issues coupons from the answers and leaves notes for the counter; a
		// till redeems the coupons and dismisses the notes.
		if role == syncwire.RoleKiosk {
			return forbid("a kiosk may not change %ss: connect this device as a till", c.Type)
		}
		if role == syncwire.RoleOwner {
			return nil, nil
		}
		_, found, err := p.writer(ctx, c)
		if err != nil || found {
			return nil, err
		}
		return forbid("only the owner's device may write a %s; a till updates those written", c.Type)
	case typeNPSInvitation, typeNPSResponse:
		// A till's customer screen and a kiosk ask and answer; only the owner's desk
		// works on answers another device recorded.
		if role == syncwire.RoleOwner {
			return nil, nil
		}
		by, found, err := p.writer(ctx, c)
		if err != nil || !found || by == p.dev.ID {
			return nil, err
		}
		return forbid("a %s may only write its own survey records", role)
	}
	if role != syncwire.RoleOwner {
		return forbid("only the owner's device may change the shop's %s records", c.Type)
	}
	return nil, nil
}

// writer returns the device that pushed the live value of c's record, if there is one.
func (p *pusher) writer(ctx context.Context, c syncwire.Change) (device string, found bool, err error) {
	tx, err := p.read(ctx)
	if err != nil {
		return "", false, err
	}
	err = tx.QueryRowContext(ctx, p.db.q("SELECT device FROM changes WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1"),
		p.dev.ShopID, c.Type, c.Key).Scan(&device)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("%w: read record: %w", errDB, err)
	}
	return device, true, nil
}

// Record types of the app that a till or a kiosk makes (localdb's names).
const (
	typeCoupon        = "coupon"
	typeCustomerNote  = "customer_note"
	typeNPSInvitation = "nps_invitation"
	typeNPSResponse   = "nps_response"
)

func (p *pusher) authorizeOp(ctx context.Context, c syncwire.Change, pc *prepared, role syncwire.Role) (*syncwire.Rejection, error) {
	forbid := func(format string, args ...any) (*syncwire.Rejection, error) {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeForbidden, Reason: fmt.Sprintf(format, args...)}, nil
	}
	op := pc.op
	if pc.opErr != nil || op.Validate() != nil || op.ID != c.ID || op.ID != c.Key {
		return nil, nil // the op's own checks reject it
	}
	switch op.Kind {
	case loyalty.KindVisit:
		return p.authorizeVisit(ctx, c, op, role)
	case loyalty.KindVoid:
		return p.authorizeVoid(ctx, c, op, role)
	case loyalty.KindExpire:
		return p.authorizeExpiry(ctx, c, op, role)
	case loyalty.KindBonus:
		return p.authorizeBonus(ctx, c, op, role)
	}
	switch {
	case role == syncwire.RoleOwner:
		return nil, nil
	case role == syncwire.RoleKiosk:
		return forbid("a kiosk may only credit self-service visits")
	case op.Kind == loyalty.KindAdjust:
		return forbid("only the owner's device may adjust a balance")
	case op.Kind == loyalty.KindCredit:
		prog := p.loadProgram()
		if prog == nil {
			return forbid("the shop's loyalty program has not reached the cloud: sync the owner's device first")
		}
		earned := prog.Earned(op.Amount, op.Items)
		switch {
		case op.Currency != prog.Currency:
			return forbid("the purchase is in %q, the program in %q", op.Currency, prog.Currency)
		case op.Amount > prog.PurchaseCeiling():
			return forbid("the purchase is over the program's ceiling of %d minor units", prog.PurchaseCeiling())
		case op.Delta.Cashback > earned.Cashback || op.Delta.XP > earned.XP:
			return forbid("the purchase earns more than the program gives for it")
		case op.Delta.Points > earned.Points:
			// More points only with the multiplier of the customer's tier, from the log.
			tier, err := p.tierAt(ctx, *prog, op)
			if err != nil {
				return nil, err
			}
			if op.Delta.Points > tier.Multiply(earned.Points) {
				return forbid("the purchase earns more than the program gives for it")
			}
		}
		return nil, nil
	}
	// Every other kind only takes from the customer (Validate says so).
	return nil, nil
}

// authorizeExpiry admits an expiry from a till or the owner's device when the
// program makes points expire and its id is the one every device derives, so that
// two devices noticing it make one.
func (p *pusher) authorizeExpiry(ctx context.Context, c syncwire.Change, op loyalty.Operation, role syncwire.Role) (*syncwire.Rejection, error) {
	forbid := func(reason string) (*syncwire.Rejection, error) {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeForbidden, Reason: reason}, nil
	}
	if role == syncwire.RoleKiosk {
		return forbid("a kiosk may only credit self-service visits")
	}
	prog := p.loadProgram()
	switch {
	case prog == nil || !prog.Expires():
		return forbid("points do not expire in the shop's program")
	case op.ID != loyalty.ExpiryID(op.CustomerID, loyalty.Expiry{At: op.At, Key: op.Reason}):
		return forbid("an expiry's id is the one derived from its customer and what expires")
	}
	return nil, nil
}

// authorizeBonus admits a birthday or referral bonus only as the program gives it: no
// more than its points, for a customer whose record says it is their birthday or that
// they were referred, under the id every device derives, so that it is given once.
func (p *pusher) authorizeBonus(ctx context.Context, c syncwire.Change, op loyalty.Operation, role syncwire.Role) (*syncwire.Rejection, error) {
	forbid := func(reason string) (*syncwire.Rejection, error) {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeForbidden, Reason: reason}, nil
	}
	if role == syncwire.RoleKiosk {
		return forbid("a kiosk may only credit self-service visits")
	}
	prog := p.loadProgram()
	if prog == nil {
		return forbid("the shop's loyalty program has not reached the cloud: sync the owner's device first")
	}
	if day, ok := loyalty.BirthdayOf(op.Reason); ok {
		var cu loyalty.Customer
		found, err := p.liveRecord(ctx, syncwire.TypeCustomer, op.CustomerID, &cu)
		if err != nil {
			return nil, err
		}
		b, _ := prog.BirthdayAt(cu, day.Add(12*time.Hour))
		now := fromMillis(p.now)
		switch {
		case !prog.HasBirthdayReward() || op.Delta.Points > prog.BirthdayPoints || op.Delta.Cashback != 0:
			return forbid("the birthday bonus is more than the program gives")
		case !found || b.Date.Format(time.DateOnly) != day.Format(time.DateOnly):
			return forbid("the customer's birthday is not the one the bonus is for")
		case day.Year() < now.Year()-1 || day.Year() > now.Year()+1:
			return forbid("the birthday bonus is for another year")
		case op.ID != loyalty.BonusID(op.CustomerID, op.Reason, day):
			return forbid("a birthday bonus's id is the one derived from its customer and birthday")
		}
		return nil, nil
	}
	newcomerID, _ := loyalty.ReferralOf(op.Reason) // Validate admits no other reason
	var newcomer loyalty.Customer
	found, err := p.liveRecord(ctx, syncwire.TypeCustomer, newcomerID, &newcomer)
	if err != nil {
		return nil, err
	}
	var referrer loyalty.Card
	if found && newcomer.ReferredBy != "" {
		if _, err := p.liveRecord(ctx, syncwire.TypeCard, newcomer.ReferredBy, &referrer); err != nil {
			return nil, err
		}
	}
	switch {
	case !prog.HasReferralBonus() || op.Delta.Points > prog.ReferralPoints || op.Delta.Cashback != 0:
		return forbid("the referral bonus is more than the program gives")
	case !found || newcomer.ReferredBy == "" || referrer.CustomerID == "" || referrer.CustomerID == newcomerID:
		return forbid("the customer was not referred by another customer's card")
	case op.CustomerID != newcomerID && op.CustomerID != referrer.CustomerID:
		return forbid("a referral bonus goes to the new customer or the one who referred them")
	case op.ID != loyalty.BonusID(op.CustomerID, op.Reason, newcomer.CreatedAt):
		return forbid("a referral bonus's id is the one derived from the new customer")
	}
	return nil, nil
}

// liveRecord decodes into v the live value of the record typ/key of the shop, and
// reports whether there is one.
func (p *pusher) liveRecord(ctx context.Context, typ, key string, v any) (bool, error) {
	tx, err := p.read(ctx)
	if err != nil {
		return false, err
	}
	var body string
	err = tx.QueryRowContext(ctx, p.db.q("SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1"),
		p.dev.ShopID, typ, key).Scan(&body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%w: read %s record: %w", errDB, typ, err)
	}
	return json.Unmarshal([]byte(body), v) == nil, nil
}

// tierAt returns the tier of op's customer when op was made, as the log has it.
func (p *pusher) tierAt(ctx context.Context, prog loyalty.Program, op loyalty.Operation) (*loyalty.Tier, error) {
	if !slices.ContainsFunc(prog.Tiers, func(t loyalty.Tier) bool { return t.PointsPercent > 100 }) {
		return nil, nil
	}
	var ops []loyalty.Operation
	var xp int64
	if prog.TiersForAPeriod() {
		tx, err := p.read(ctx)
		if err != nil {
			return nil, err
		}
		if ops, err = p.db.customerLedger(ctx, tx, p.dev.ShopID, op.CustomerID); err != nil {
			return nil, fmt.Errorf("%w: %w", errDB, err)
		}
	} else {
		h, err := p.balance(ctx, op.CustomerID)
		if err != nil {
			return nil, err
		}
		xp = h.b.XP
	}
	return prog.StatusAt(ops, xp, op.At).Tier, nil
}

// authorizeVoid admits a till's cancellation that gives something back only as the
// exact opposite of an operation of the same customer that the shop's log holds and
// that nothing cancelled yet; one that only takes needs no proof. applyOp records
// every cancellation applied for the next one's check.
func (p *pusher) authorizeVoid(ctx context.Context, c syncwire.Change, op loyalty.Operation, role syncwire.Role) (*syncwire.Rejection, error) {
	forbid := func(reason string) (*syncwire.Rejection, error) {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeForbidden, Reason: reason}, nil
	}
	gives := op.Delta.Points > 0 || op.Delta.Cashback > 0 || op.Delta.XP > 0
	switch {
	case role == syncwire.RoleKiosk:
		return forbid("a kiosk may only credit self-service visits")
	case role == syncwire.RoleTill && gives:
		tx, err := p.read(ctx)
		if err != nil {
			return nil, err
		}
		var body string
		var voids int
		err = tx.QueryRowContext(ctx, p.db.q(`SELECT body, (SELECT COUNT(*) FROM voids WHERE shop_id = ? AND target = ?)
			FROM changes WHERE shop_id = ? AND id = ? AND ctype = ? AND version IS NOT NULL`),
			p.dev.ShopID, op.Target, p.dev.ShopID, op.Target, syncwire.TypeOp).Scan(&body, &voids)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: read cancelled operation: %w", errDB, err)
		}
		var target loyalty.Operation
		if err != nil || json.Unmarshal([]byte(body), &target) != nil ||
			target.CustomerID != op.CustomerID || target.Delta.Neg() != op.Delta {
			return forbid("a cancellation that gives back must be the exact opposite of an operation of the customer already on the cloud")
		}
		if voids > 0 {
			return forbid("the operation was already cancelled")
		}
	}
	return nil, nil
}

// authorizeVisit holds a self-service visit to the program's fixed credit and the
// survey settings' visit limit per card; applyOp records every visit applied, the
// owner's too, for the next one's check.
func (p *pusher) authorizeVisit(ctx context.Context, c syncwire.Change, op loyalty.Operation, role syncwire.Role) (*syncwire.Rejection, error) {
	forbid := func(format string, args ...any) (*syncwire.Rejection, error) {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeForbidden, Reason: fmt.Sprintf(format, args...)}, nil
	}
	if role != syncwire.RoleOwner {
		prog := p.loadProgram()
		now := fromMillis(p.now)
		switch {
		case prog == nil || prog.SelfServiceVisit() == loyalty.Delta{}:
			return forbid("self-service visits are off in the shop's program")
		case op.Delta != prog.SelfServiceVisit():
			return forbid("a self-service visit earns the program's %d points and %d of cashback, no other amount",
				prog.SelfServiceVisitPoints, prog.SelfServiceVisitCashback)
		case op.CardCode == "":
			return forbid("a self-service visit names the card scanned")
		case op.At.After(now.Add(visitMaxSkew)) || op.At.Before(now.Add(-visitMaxAge)):
			return forbid("the visit's time is too far from the cloud's clock")
		}
		window, err := p.visitWindow(ctx)
		if err != nil {
			return nil, err
		}
		previous, err := p.visitTimes(ctx, op, window)
		if err != nil {
			return nil, err
		}
		if err := (nps.Policy{VisitWindow: window}).CheckVisit(previous, op.At); err != nil {
			return forbid("%s", err)
		}
	}
	return nil, nil
}

// visitTimes returns the times of the card's recorded visits within window of op.
func (p *pusher) visitTimes(ctx context.Context, op loyalty.Operation, window time.Duration) ([]time.Time, error) {
	tx, err := p.read(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, p.db.q("SELECT at FROM visits WHERE shop_id = ? AND card_code = ? AND at > ? AND at < ?"),
		p.dev.ShopID, op.CardCode, op.At.Add(-window).UnixMilli(), op.At.Add(window).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("%w: read visits: %w", errDB, err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("%w: read visits: %w", errDB, err)
		}
		out = append(out, fromMillis(at))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: read visits: %w", errDB, err)
	}
	return out, nil
}

// visitWindow is the period in which a card earns one self-service visit, from the
// shop's survey settings.
func (p *pusher) visitWindow(ctx context.Context) (time.Duration, error) {
	var v npsVisit
	if err := p.setting(ctx, "nps", &v); err != nil && !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	if v.VisitHours <= 0 {
		return nps.DefaultVisitWindow, nil
	}
	return time.Duration(v.VisitHours) * time.Hour, nil
}

// loadProgram returns the shop's program as the owner last pushed it, or nil (also for
// one that no longer decodes). It is read with the shop's lock, once per push: only the
// owner pushes it, and the owner's changes are not checked against it.
func (p *pusher) loadProgram() *loyalty.Program {
	if !p.programBody.Valid {
		return nil
	}
	var prog loyalty.Program
	if json.Unmarshal([]byte(p.programBody.String), &prog) != nil {
		return nil
	}
	return &prog
}

// setting reads the shop's live setting key into v; ErrNotFound if there is none
// (a setting that no longer decodes counts as none).
func (p *pusher) setting(ctx context.Context, key string, v any) error {
	tx, err := p.read(ctx)
	if err != nil {
		return err
	}
	body, err := p.db.setting(ctx, tx, p.dev.ShopID, key)
	if err != nil {
		return fmt.Errorf("%w: %w", errDB, err)
	}
	if body == nil || json.Unmarshal(body, v) != nil {
		return ErrNotFound
	}
	return nil
}

// authorizeEmail holds the shop to its emails per day, and a device other than the
// owner's to the addresses the shop has already written to or that a customer who
// agreed to be contacted gave.
func (p *pusher) authorizeEmail(ctx context.Context, c syncwire.Change, body string, role syncwire.Role) (*syncwire.Rejection, error) {
	var e syncwire.Email
	if json.Unmarshal([]byte(body), &e) != nil {
		return nil, nil
	}
	if loyalty.CheckEmail(e.To) != nil {
		return nil, nil // applyEmail refuses it
	}
	var queued, sameID, known int
	err := p.tx.QueryRowContext(ctx, p.db.q(`SELECT
		(SELECT COUNT(*) FROM outbox WHERE shop_id = ? AND created_at > ?),
		(SELECT COUNT(*) FROM outbox WHERE shop_id = ? AND id = ?),
		(SELECT COUNT(*) FROM outbox WHERE shop_id = ? AND recipient = ?)`),
		p.dev.ShopID, p.now-int64(24*time.Hour/time.Millisecond), p.dev.ShopID, c.Key, p.dev.ShopID, e.To).
		Scan(&queued, &sameID, &known)
	if err != nil {
		return nil, fmt.Errorf("%w: count emails: %w", errDB, err)
	}
	if sameID > 0 {
		return nil, nil // a later version of a queued email is never sent again
	}
	if role != syncwire.RoleOwner && known == 0 {
		consenting, err := p.consentingCustomer(ctx, e.To)
		if err != nil {
			return nil, err
		}
		if !consenting {
			return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeForbidden,
				Reason: "only the owner's device may email an address the shop has not written to before, unless a customer who agreed to be contacted gave it"}, nil
		}
	}
	if p.db.Quotas.EmailsPerDay > 0 && queued >= p.db.Quotas.EmailsPerDay {
		return &syncwire.Rejection{ID: c.ID, Code: syncwire.CodeQuota,
			Reason: fmt.Sprintf("the shop has queued %d emails in 24 hours, its most: send it later", p.db.Quotas.EmailsPerDay)}, nil
	}
	return nil, nil
}

// consentingCustomer reports whether one of the shop's customers gave address and
// agreed to be contacted: a till may email them, such as their card's link, though the
// shop never wrote to them before.
func (p *pusher) consentingCustomer(ctx context.Context, address string) (bool, error) {
	// LIKE only narrows the search (an _ in the address matches any character); each
	// candidate is decoded and compared.
	tx, err := p.read(ctx)
	if err != nil {
		return false, err
	}
	rows, err := tx.QueryContext(ctx, p.db.q("SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND live = 1 AND body LIKE ?"),
		p.dev.ShopID, syncwire.TypeCustomer, "%"+address+"%")
	if err != nil {
		return false, fmt.Errorf("%w: find the customer emailed: %w", errDB, err)
	}
	defer rows.Close()
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return false, fmt.Errorf("%w: find the customer emailed: %w", errDB, err)
		}
		var cu loyalty.Customer
		if json.Unmarshal([]byte(body), &cu) == nil && cu.Consent && strings.EqualFold(strings.TrimSpace(cu.Email), address) {
			return true, nil
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("%w: find the customer emailed: %w", errDB, err)
	}
	return false, nil
}

// rejectionBytes is what the record of a rejected change takes besides its id, type,
// key and reason: a row of the change log with its index entries.
const rejectionBytes = 200

// roomForRejection reports whether the shop's storage has room for the record of the
// rejected change c, and counts it: a device pushing rejected changes without end
// would otherwise fill the disk with their records.
func (p *pusher) roomForRejection(c syncwire.Change, rej *syncwire.Rejection) bool {
	n := int64(len(c.ID)+len(c.Type)+len(c.Key)+len(rej.Code)+len(rej.Reason)) + rejectionBytes
	if q := p.db.Quotas.StorageBytes; q > 0 && p.stored+n > q {
		return false
	}
	p.stored += n
	return true
}

// saveUsage stores what the push added to the shop's storage and its new version, in
// one statement.
func (p *pusher) saveUsage(ctx context.Context) error {
	switch {
	case p.version != p.start:
		return p.db.setVersion(ctx, p.tx, p.dev.ShopID, p.version, &p.stored)
	case p.stored != p.storedStart:
		if _, err := p.tx.ExecContext(ctx, p.db.q("UPDATE shops SET stored_bytes = ? WHERE id = ?"), p.stored, p.dev.ShopID); err != nil {
			return fmt.Errorf("store storage used: %w", err)
		}
	}
	return nil
}
