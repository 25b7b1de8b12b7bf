package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncwire"
)

// Errors of a survey link.
var (
	ErrSurveyUsed    = errors.New("the survey was already answered")
	ErrSurveyExpired = errors.New("the survey link has expired")
)

// States of a row of survey_invitations.
const (
	surveyWaiting = "waiting"
	surveyEmailed = "emailed"
	surveySkipped = "skipped"
)

// projectSurvey keeps what the scan of surveys by email reads of a pushed survey
// record: the invitations of purchases by a customer, and whether they were answered.
// A body this cannot read is left to the devices, as before: nothing is rejected here.
func (p *pusher) projectSurvey(ctx context.Context, c syncwire.Change, body string) error {
	var err error
	switch c.Type {
	case typeNPSInvitation:
		var inv nps.Invitation
		if json.Unmarshal([]byte(body), &inv) != nil || inv.ID != c.Key || inv.CustomerID == "" || inv.CreatedAt.IsZero() {
			return nil
		}
		_, err = p.tx.ExecContext(ctx, p.db.q(`INSERT INTO survey_invitations
			(shop_id, id, purchase_op_id, customer_id, card_code, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (shop_id, id) DO NOTHING`),
			p.dev.ShopID, inv.ID, inv.PurchaseOpID, inv.CustomerID, inv.CardCode, inv.CreatedAt.UnixMilli(), inv.ExpiresAt.UnixMilli())
	case typeNPSResponse:
		var r nps.Response
		if json.Unmarshal([]byte(body), &r) != nil || r.InvitationID == "" {
			return nil
		}
		_, err = p.tx.ExecContext(ctx, p.db.q("UPDATE survey_invitations SET answered = 1 WHERE shop_id = ? AND id = ?"),
			p.dev.ShopID, r.InvitationID)
		if err == nil && r.CustomerID != "" && r.Lang != "" {
			_, err = p.tx.ExecContext(ctx, p.db.q(`INSERT INTO survey_customers (shop_id, customer_id, lang) VALUES (?, ?, ?)
				ON CONFLICT (shop_id, customer_id) DO UPDATE SET lang = excluded.lang`), p.dev.ShopID, r.CustomerID, string(r.Lang))
		}
	}
	if err != nil {
		return fmt.Errorf("%w: project survey record: %w", errDB, err)
	}
	return nil
}

// SurveyInvitation is an invitation waiting to be emailed or skipped, with what the
// rules and the email need to know of its shop and customer.
type SurveyInvitation struct {
	ShopID    string
	ShopTag   string
	ShopName  string
	Shop      syncwire.ShopSetting
	Setting   syncwire.SurveySetting
	Invite    nps.Invitation
	Customer  loyalty.Customer
	Candidate nps.EmailCandidate
	// Lang is the language of the customer's last answer, or "".
	Lang nps.Lang
}

// SurveyCursor is where a scan of the waiting invitations has got to: after the
// invitation ID made at At. The zero cursor starts at the oldest.
type SurveyCursor struct {
	At int64 // unix milliseconds
	ID string
}

// WaitingSurveys returns up to limit invitations after cursor that no scan has emailed
// or skipped yet, oldest first, of shops not suspended, and the cursor after them.
func (db *DB) WaitingSurveys(ctx context.Context, cursor SurveyCursor, limit int) ([]SurveyInvitation, SurveyCursor, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT i.shop_id, s.tag, s.name, i.id, i.purchase_op_id, i.customer_id, i.card_code,
			i.created_at, i.expires_at, i.answered
		FROM survey_invitations i JOIN shops s ON s.id = i.shop_id
		WHERE i.state = ? AND (i.created_at > ? OR i.created_at = ? AND i.id > ?)
			AND i.shop_id NOT IN (SELECT shop_id FROM shop_suspensions)
		ORDER BY i.created_at, i.id LIMIT ?`), surveyWaiting, cursor.At, cursor.At, cursor.ID, limit)
	if err != nil {
		return nil, cursor, fmt.Errorf("list waiting surveys: %w", err)
	}
	var list []SurveyInvitation
	for rows.Next() {
		var s SurveyInvitation
		var created, expires int64
		if err := rows.Scan(&s.ShopID, &s.ShopTag, &s.ShopName, &s.Invite.ID, &s.Invite.PurchaseOpID, &s.Invite.CustomerID,
			&s.Invite.CardCode, &created, &expires, &s.Candidate.Answered); err != nil {
			rows.Close()
			return nil, cursor, fmt.Errorf("list waiting surveys: %w", err)
		}
		cursor = SurveyCursor{At: created, ID: s.Invite.ID}
		s.Invite.CreatedAt, s.Invite.ExpiresAt = fromMillis(created), fromMillis(expires)
		s.Candidate.InvitedAt, s.Candidate.KioskUntil = s.Invite.CreatedAt, s.Invite.ExpiresAt
		list = append(list, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, cursor, fmt.Errorf("list waiting surveys: %w", err)
	}
	for i := range list {
		if err := db.readSurveyContext(ctx, &list[i]); err != nil {
			return nil, cursor, err
		}
	}
	return list, cursor, nil
}

// readSurveyContext fills in s's shop settings and customer.
func (db *DB) readSurveyContext(ctx context.Context, s *SurveyInvitation) error {
	for _, set := range []struct {
		key string
		v   any
	}{{syncwire.SettingShop, &s.Shop}, {syncwire.SettingNPS, &s.Setting}} {
		body, err := db.setting(ctx, db.r, s.ShopID, set.key)
		if err != nil {
			return err
		}
		if body != nil {
			// An unreadable setting is the devices' business: the scan takes defaults.
			_ = json.Unmarshal(body, set.v)
		}
	}
	var body string
	err := db.r.QueryRowContext(ctx, db.q("SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1"),
		s.ShopID, syncwire.TypeCustomer, s.Invite.CustomerID).Scan(&body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("read customer: %w", err)
	case json.Unmarshal([]byte(body), &s.Customer) == nil:
		s.Candidate.Email, s.Candidate.Consent = s.Customer.Email, s.Customer.Consent
	}
	var unsubscribed int
	var lang sql.NullString
	var last sql.NullInt64
	err = db.r.QueryRowContext(ctx, db.q(`SELECT
		(SELECT COUNT(*) FROM survey_customers WHERE shop_id = ? AND customer_id = ? AND unsubscribed_at IS NOT NULL),
		(SELECT lang FROM survey_customers WHERE shop_id = ? AND customer_id = ?),
		(SELECT MAX(created_at) FROM survey_links WHERE shop_id = ? AND customer_id = ?)`),
		s.ShopID, s.Invite.CustomerID, s.ShopID, s.Invite.CustomerID, s.ShopID, s.Invite.CustomerID).Scan(&unsubscribed, &lang, &last)
	if err != nil {
		return fmt.Errorf("read customer's surveys: %w", err)
	}
	s.Candidate.Unsubscribed = unsubscribed > 0
	s.Lang = nps.Lang(lang.String)
	if last.Valid {
		s.Candidate.LastEmailed = fromMillis(last.Int64)
	}
	return nil
}

// SkipSurvey takes the invitation s out of the scan for good.
func (db *DB) SkipSurvey(ctx context.Context, s SurveyInvitation) error {
	_, err := db.w.ExecContext(ctx, db.q("UPDATE survey_invitations SET state = ? WHERE shop_id = ? AND id = ? AND state = ?"),
		surveySkipped, s.ShopID, s.Invite.ID, surveyWaiting)
	if err != nil {
		return fmt.Errorf("skip survey %s: %w", s.Invite.ID, err)
	}
	return nil
}

// SurveyEmail is the invitation by email of a SurveyInvitation: its link's token's
// hash, and the message.
type SurveyEmail struct {
	TokenHash   string
	Lang        nps.Lang
	ExpiresAt   time.Time
	Subject     string
	Text        string
	Unsubscribe string // the one-click unsubscribe URL, for List-Unsubscribe
}

// QueueSurvey records the link of e, made at now, and queues its email to s's customer,
// in one transaction. It reports false, and queues nothing, if another scan took s first or
// the shop has used its emails of the day (s waits for the next scan then).
func (db *DB) QueueSurvey(ctx context.Context, s SurveyInvitation, e SurveyEmail, at time.Time) (bool, error) {
	queued := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		now := at.UnixMilli()
		if q := db.Quotas.EmailsPerDay; q > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM outbox WHERE shop_id = ? AND created_at > ?"),
				s.ShopID, now-int64(24*time.Hour/time.Millisecond)).Scan(&n); err != nil {
				return fmt.Errorf("count emails: %w", err)
			}
			if n >= q {
				return nil
			}
		}
		res, err := tx.ExecContext(ctx, db.q("UPDATE survey_invitations SET state = ? WHERE shop_id = ? AND id = ? AND state = ?"),
			surveyEmailed, s.ShopID, s.Invite.ID, surveyWaiting)
		if err != nil {
			return fmt.Errorf("take survey: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO survey_links
			(token_hash, shop_id, invitation_id, customer_id, lang, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			e.TokenHash, s.ShopID, s.Invite.ID, s.Invite.CustomerID, string(e.Lang), now, e.ExpiresAt.UnixMilli()); err != nil {
			return fmt.Errorf("store survey link: %w", err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("new email id: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO outbox (shop_id, id, recipient, subject, body, status, attempts, next_at,
				lease_until, last_error, created_at, unsubscribe) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, '', ?, ?)`),
			s.ShopID, id.String(), s.Customer.Email, e.Subject, e.Text, syncwire.EmailQueued, now, now, e.Unsubscribe); err != nil {
			return fmt.Errorf("queue survey email: %w", err)
		}
		queued = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("queue survey %s: %w", s.Invite.ID, err)
	}
	if queued {
		db.hub.notify(outboxTopic)
	}
	return queued, nil
}

// NewSurveyToken returns a new link token, 144 random bits in base64url, and the hash
// that is all the database keeps of it.
func NewSurveyToken() (token, hash string, err error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("new survey token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashHex(token), nil
}

// SurveyLink is what the survey page shows of a link.
type SurveyLink struct {
	ShopID     string
	ShopName   string
	ShopTag    string
	HasLogo    bool
	Lang       nps.Lang // the email's
	CustomerID string
	Invite     nps.Invitation
	ExpiresAt  time.Time
	Answered   bool // by this link or on the kiosk
	// Question is the owner's wording of the question by language, if any.
	Question map[string]string
}

// Survey returns the link whose token is token: ErrNotFound if there is none,
// ErrSuspended while its shop is suspended. A used or expired link is returned too:
// the page says so.
func (db *DB) Survey(ctx context.Context, token string) (SurveyLink, error) {
	l, err := db.surveyLink(ctx, db.r, token)
	if err != nil {
		return SurveyLink{}, err
	}
	body, err := db.setting(ctx, db.r, l.ShopID, syncwire.SettingNPS)
	if err != nil {
		return SurveyLink{}, err
	}
	var set syncwire.SurveySetting
	if body != nil && json.Unmarshal(body, &set) == nil {
		l.Question = set.Question
	}
	logo, err := db.logo(ctx, l.ShopID)
	l.HasLogo = len(logo) > 0
	return l, err
}

func (db *DB) surveyLink(ctx context.Context, q querier, token string) (SurveyLink, error) {
	var l SurveyLink
	var lang string
	var created, invExpires, linkExpires int64
	var answeredAt sql.NullInt64
	var answered int
	err := q.QueryRowContext(ctx, db.q(`SELECT l.shop_id, s.name, s.tag, l.lang, l.customer_id, l.expires_at, l.answered_at,
			i.id, i.purchase_op_id, i.card_code, i.created_at, i.expires_at, i.answered
		FROM survey_links l JOIN shops s ON s.id = l.shop_id
		JOIN survey_invitations i ON i.shop_id = l.shop_id AND i.id = l.invitation_id
		WHERE l.token_hash = ?`), hashHex(token)).
		Scan(&l.ShopID, &l.ShopName, &l.ShopTag, &lang, &l.CustomerID, &linkExpires, &answeredAt,
			&l.Invite.ID, &l.Invite.PurchaseOpID, &l.Invite.CardCode, &created, &invExpires, &answered)
	if errors.Is(err, sql.ErrNoRows) {
		return SurveyLink{}, fmt.Errorf("survey link: %w", ErrNotFound)
	}
	if err != nil {
		return SurveyLink{}, fmt.Errorf("read survey link: %w", err)
	}
	if err := db.checkSuspended(ctx, q, l.ShopID); err != nil {
		return SurveyLink{}, err
	}
	l.Lang, l.ExpiresAt = nps.Lang(lang), fromMillis(linkExpires)
	l.Invite.CustomerID = l.CustomerID
	l.Invite.CreatedAt, l.Invite.ExpiresAt = fromMillis(created), fromMillis(invExpires)
	l.Answered = answeredAt.Valid || answered == 1
	return l, nil
}

// AnswerSurvey records the answer given through the link whose token is token at
// now, as an nps_response change that the shop's devices pull: the same record as a
// kiosk's answer, tied to the invitation's purchase and card. ErrSurveyUsed if the
// invitation was answered, here or on the kiosk; ErrSurveyExpired after the link's
// time.
func (db *DB) AnswerSurvey(ctx context.Context, token string, score int, comment string, lang nps.Lang, now time.Time) (nps.Response, error) {
	var r nps.Response
	var shopID string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		l, err := db.surveyLink(ctx, tx, token)
		if err != nil {
			return err
		}
		shopID = l.ShopID
		p, err := db.newPusher(ctx, tx, Device{ID: ServerDevice, ShopID: l.ShopID})
		if err != nil {
			return err
		}
		// Read again under the shop's lock: two submits of one form meet here.
		if l, err = db.surveyLink(ctx, tx, token); err != nil {
			return err
		}
		switch {
		case l.Answered:
			return ErrSurveyUsed
		case !now.Before(l.ExpiresAt):
			return ErrSurveyExpired
		}
		if r, err = nps.AnswerByLink(l.Invite, score, comment, lang, now); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		body, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode answer: %w", err)
		}
		c := syncwire.Change{ID: r.ID, Type: typeNPSResponse, Key: r.ID, Body: body, Device: ServerDevice, At: now}
		b, hash, _ := canonical(c)
		p.append(c, b, hash)
		if _, err := tx.ExecContext(ctx, db.q("UPDATE survey_links SET answered_at = ? WHERE token_hash = ?"), now.UnixMilli(), hashHex(token)); err != nil {
			return fmt.Errorf("use survey link: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q("UPDATE survey_invitations SET answered = 1 WHERE shop_id = ? AND id = ?"), l.ShopID, l.Invite.ID); err != nil {
			return fmt.Errorf("mark survey answered: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO survey_customers (shop_id, customer_id, lang) VALUES (?, ?, ?)
			ON CONFLICT (shop_id, customer_id) DO UPDATE SET lang = excluded.lang`), l.ShopID, l.CustomerID, string(lang)); err != nil {
			return fmt.Errorf("keep the customer's language: %w", err)
		}
		return p.finish(ctx)
	})
	if err != nil {
		return nps.Response{}, fmt.Errorf("answer survey: %w", err)
	}
	db.hub.notify(shopID)
	return r, nil
}

// UnsubscribeSurvey withdraws, for the link whose token is token, its customer's
// consent to be contacted: the scan never emails them again, and the customer record,
// without consent, goes to every device of the shop. Used and expired links work too,
// and a second click changes nothing. It returns the link.
func (db *DB) UnsubscribeSurvey(ctx context.Context, token string) (SurveyLink, error) {
	var l SurveyLink
	changed := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = db.surveyLink(ctx, tx, token); err != nil {
			return err
		}
		p, err := db.newPusher(ctx, tx, Device{ID: ServerDevice, ShopID: l.ShopID})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO survey_customers (shop_id, customer_id, unsubscribed_at) VALUES (?, ?, ?)
			ON CONFLICT (shop_id, customer_id) DO UPDATE SET unsubscribed_at = COALESCE(survey_customers.unsubscribed_at, excluded.unsubscribed_at)`),
			l.ShopID, l.CustomerID, db.millis()); err != nil {
			return fmt.Errorf("record unsubscribe: %w", err)
		}
		var body string
		err = tx.QueryRowContext(ctx, db.q("SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1"),
			l.ShopID, syncwire.TypeCustomer, l.CustomerID).Scan(&body)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read customer: %w", err)
		}
		// Every field but the consent is kept as the devices wrote it, unknown ones too.
		var fields map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &fields); err != nil {
			return fmt.Errorf("read customer: %w", err)
		}
		if string(fields["consent"]) == "false" {
			return nil
		}
		fields["consent"] = json.RawMessage("false")
		b, err := json.Marshal(fields)
		if err != nil {
			return fmt.Errorf("encode customer: %w", err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("new change id: %w", err)
		}
		c := syncwire.Change{ID: id.String(), Type: syncwire.TypeCustomer, Key: l.CustomerID, Body: b, Device: ServerDevice, At: db.Now()}
		cb, hash, _ := canonical(c)
		p.append(c, cb, hash)
		changed = true
		return p.finish(ctx)
	})
	if err != nil {
		return SurveyLink{}, fmt.Errorf("unsubscribe: %w", err)
	}
	if changed {
		db.hub.notify(l.ShopID)
	}
	return l, nil
}
