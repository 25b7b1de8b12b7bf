package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// SettingNPSRules is the setting key of the survey's rules (nps.Rules), synced like
// every setting.
const SettingNPSRules = "nps_rules"

// RuleStaff is the staff id the rules' follow-ups are kept under, so that an answer's
// history says the rules did it, not a person.
const RuleStaff = "rules"

// RuleWindow is how old an answer may be for the rules to act on it: a device that
// pulls answers after a long time offline, or joins the shop, does not thank customers
// for answers given weeks ago.
const RuleWindow = 7 * 24 * time.Hour

// NPSRules returns the survey's rules; the default routine if the owner never set them.
func (s *Store) NPSRules(ctx context.Context) (nps.Rules, error) {
	rs := nps.DefaultRules()
	if err := s.Setting(ctx, SettingNPSRules, &rs); err != nil && !errors.Is(err, ErrNotFound) {
		return nps.Rules{}, err
	}
	return rs, nil
}

// SaveNPSRules validates and stores the survey's rules.
func (s *Store) SaveNPSRules(ctx context.Context, rs nps.Rules) error {
	if err := rs.Validate(); err != nil {
		return err
	}
	return s.SaveSetting(ctx, SettingNPSRules, rs)
}

// RuleFormat formats for the rules' emails what depends on the customer's language.
type RuleFormat struct {
	Date func(nps.Lang, time.Time) string // a coupon's last day
}

// ApplyRules applies rs to every untreated answer given within RuleWindow before now,
// each in its own transaction, and returns how many it acted on. rs must hold every
// message (nps.Rules.WithDefaults). An answer the rules acted on leaves the untreated
// status (an email written, a coupon noted, or closed), so it is not acted on twice
// here; on another device, the effects' ids (nps.RuleID) and the coupon's code derive
// from the answer's id, so both devices make the same email, coupon and follow-ups,
// which every store and the cloud keep once.
func (s *Store) ApplyRules(ctx context.Context, rs nps.Rules, f RuleFormat) (int, error) {
	now := s.Now()
	untreated, err := s.Responses(ctx, ResponseFilter{Status: nps.Untreated, From: now.Add(-RuleWindow)})
	if err != nil {
		return 0, err
	}
	shop, err := s.Shop(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, err
	}
	n := 0
	for _, r := range untreated {
		c, _ := nps.CategoryOf(r.Score)
		if !rs.For(c).Acts() {
			continue
		}
		acted := false
		err := inTx(ctx, s.db, func(tx *sql.Tx) error {
			var err error
			acted, err = s.applyRule(ctx, tx, rs, f, shop.Name, r.ID, now)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("apply the rules to answer %s: %w", r.ID, err)
		}
		if acted {
			n++
		}
	}
	return n, nil
}

// applyRule applies the rule of the answer id's group, if the answer is still untreated.
func (s *Store) applyRule(ctx context.Context, tx *sql.Tx, rs nps.Rules, f RuleFormat, shop, id string, now time.Time) (bool, error) {
	r, err := response(ctx, tx, `id = ?`, id)
	if err != nil || r.Status != nps.Untreated {
		return false, err // another device or a person got there first
	}
	c, _ := nps.CategoryOf(r.Score)
	rule, msg := rs.For(c), rs.Message(r.Lang, c)
	var customer loyalty.Customer
	if r.CustomerID != "" {
		if err := tx.QueryRowContext(ctx, `SELECT name, email FROM customers WHERE id = ?`, r.CustomerID).
			Scan(&customer.Name, &customer.Email); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, fmt.Errorf("read customer %s: %w", r.CustomerID, err)
		}
	}
	var drafts []nps.Action
	act := func(what string, a nps.Action) { a.Note = what; drafts = append(drafts, a) }
	fields := nps.Fields{Shop: shop}
	if first := strings.Fields(customer.Name); len(first) > 0 {
		fields.Name = first[0]
	}
	// A coupon goes to a known customer only: an anonymous answer has nobody to give it to.
	if rule.Coupon && r.CustomerID != "" && strings.TrimSpace(msg.Offer) != "" {
		cp, err := s.ruleCoupon(ctx, tx, r, rule, strings.TrimSpace(msg.Offer), now)
		if err != nil {
			return false, err
		}
		fields.Code, fields.Offer = cp.Code, cp.Offer
		if !cp.ExpiresAt.IsZero() && f.Date != nil {
			fields.Until = f.Date(r.Lang, cp.ExpiresAt.Add(-time.Millisecond)) // the last instant it works
		}
		act(cp.Code+" · "+cp.Offer, nps.Action{Kind: nps.ActionComment})
	}
	if rule.Email && loyalty.CheckEmail(loyalty.NormalizeEmail(customer.Email)) == nil {
		e, err := s.ruleEmail(ctx, tx, r, customer.Email, msg, fields)
		if err != nil {
			return false, err
		}
		act(e.Subject, nps.Action{Kind: nps.ActionEmail})
	}
	if rule.Close {
		act("", nps.Action{Kind: nps.ActionClose})
	}
	for i, draft := range drafts {
		// A millisecond apart, so that the history lists them in the order they happened.
		draft.Staff, draft.At = RuleStaff, now.Add(time.Duration(i)*time.Millisecond)
		next, a, err := r.Act(draft)
		if err != nil {
			return false, err
		}
		if a.ID, err = nps.RuleID(r.ID, "action:"+string(a.Kind)); err != nil {
			return false, err
		}
		if err := insertAction(ctx, tx, a); err != nil {
			return false, err
		}
		if err := s.queue(ctx, tx, TypeNPSAction, a.ID, a); err != nil {
			return false, err
		}
		r = next
	}
	if len(drafts) == 0 {
		return false, nil
	}
	if err := putResponse(ctx, tx, r); err != nil {
		return false, err
	}
	return true, s.queue(ctx, tx, TypeNPSResponse, r.ID, r)
}

// ruleCoupon issues the answer r's coupon, or returns the one it has (issued by hand, or
// by the rules on another device: the code derives from r's id, so both are the same).
func (s *Store) ruleCoupon(ctx context.Context, tx *sql.Tx, r nps.Response, rule nps.Rule, offer string, now time.Time) (Coupon, error) {
	c, err := scanCoupon(tx.QueryRowContext(ctx, `SELECT `+couponColumns+` FROM coupons WHERE response_id = ?`, r.ID))
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Coupon{}, fmt.Errorf("read coupon of %s: %w", r.ID, err)
	}
	c = Coupon{Code: couponCode(nps.RuleSecret(r.ID, "coupon", 8)), ResponseID: r.ID, CustomerID: r.CustomerID,
		Offer: offer, CreatedAt: now}
	if rule.CouponDays > 0 {
		// From the answer, not from now: every device gives the coupon the same end.
		y, m, d := r.At.Date()
		c.ExpiresAt = time.Date(y, m, d+rule.CouponDays+1, 0, 0, 0, 0, r.At.Location())
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO coupons (code, response_id, customer_id, offer, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.Code, c.ResponseID, c.CustomerID, c.Offer, millis(c.CreatedAt), optMillis(c.ExpiresAt)); err != nil {
		return Coupon{}, fmt.Errorf("store coupon: %w", err)
	}
	return c, s.queueCoupon(ctx, tx, c)
}

// ruleEmail queues the answer r's email from msg, under the id its rule gives it.
func (s *Store) ruleEmail(ctx context.Context, tx *sql.Tx, r nps.Response, to string, msg nps.Message, f nps.Fields) (Email, error) {
	id, err := nps.RuleID(r.ID, "email")
	if err != nil {
		return Email{}, err
	}
	// Dated from the answer, not from now: two devices applying the rule push the same
	// change, byte for byte, which the cloud takes for a duplicate, not a conflict.
	e := Email{ID: id, ResponseID: r.ID, To: loyalty.NormalizeEmail(to), Subject: strings.TrimSpace(nps.Fill(msg.Subject, f)),
		Text: strings.TrimSpace(nps.Fill(msg.Body, f)), Status: EmailQueued, Staff: RuleStaff, At: r.At}
	if e.Subject == "" || e.Text == "" {
		return Email{}, ErrEmptyEmail
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO emails (id, response_id, to_addr, subject, body, status, staff, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, e.ID, e.ResponseID, e.To, e.Subject, e.Text, e.Status, e.Staff, millis(e.At))
	if err != nil {
		return Email{}, fmt.Errorf("store email: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return e, nil // pulled from the device that applied the rule first: it sends it
	}
	body, err := json.Marshal(e)
	if err != nil {
		return Email{}, fmt.Errorf("encode email: %w", err)
	}
	// The email's id is the change id: the cloud sends it once, whichever device pushes it.
	return e, s.enqueue(ctx, tx, e.ID, TypeEmail, e.ID, body)
}
