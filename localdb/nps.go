package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// Change types of the kiosk survey's records in the outbox; each record's key is its id
// and its body its JSON.
const (
	TypeNPSInvitation = "nps_invitation"
	TypeNPSResponse   = "nps_response"
	TypeNPSAction     = "nps_action"
)

// SettingNPS is the setting key of NPSSettings.
const SettingNPS = "nps"

// DefaultIdle is how long the kiosk waits for a touch before going back to its welcome
// screen; survey tools advise at least 15 seconds.
const DefaultIdle = 30 * time.Second

// NPSSettings is the owner's settings of the kiosk survey. A zero field takes its default.
type NPSSettings struct {
	// Question replaces the standard question in a language; the standard one names the
	// shop.
	Question map[nps.Lang]string `json:"question,omitempty"`
	// TTLMinutes is how long after a purchase its survey can be answered.
	TTLMinutes int `json:"ttl_minutes,omitempty"`
	// ThrottleDays is how long a customer is not asked again after an invitation.
	ThrottleDays int `json:"throttle_days,omitempty"`
	// IdleSeconds is the kiosk's idle timeout.
	IdleSeconds int `json:"idle_seconds,omitempty"`
	// VisitHours is the period in which a card earns one self-service visit.
	VisitHours int `json:"visit_hours,omitempty"`
	// EmailSurveys has the cloud email the survey to customers who did not answer at
	// the counter, EmailDelayMinutes after the purchase (syncwire.SurveySetting).
	EmailSurveys      bool `json:"email_surveys,omitempty"`
	EmailDelayMinutes int  `json:"email_delay_minutes,omitempty"`
}

// ErrInvalidNPSSettings means an NPS setting cannot be used.
var ErrInvalidNPSSettings = errors.New("invalid survey settings")

// Validate reports a setting that cannot be used.
func (n NPSSettings) Validate() error {
	switch {
	case n.TTLMinutes < 0 || n.ThrottleDays < 0 || n.IdleSeconds < 0 || n.VisitHours < 0 || n.EmailDelayMinutes < 0:
		return fmt.Errorf("%w: durations cannot be negative", ErrInvalidNPSSettings)
	case n.IdleSeconds > 0 && n.IdleSeconds < 10:
		return fmt.Errorf("%w: an idle time under 10 seconds resets the kiosk while people read", ErrInvalidNPSSettings)
	}
	return nil
}

// Policy returns the invitation rules the settings give.
func (n NPSSettings) Policy() nps.Policy {
	return nps.Policy{
		TTL:         time.Duration(n.TTLMinutes) * time.Minute,
		Throttle:    time.Duration(n.ThrottleDays) * 24 * time.Hour,
		VisitWindow: time.Duration(n.VisitHours) * time.Hour,
	}
}

// Idle returns the kiosk's idle timeout.
func (n NPSSettings) Idle() time.Duration {
	if n.IdleSeconds == 0 {
		return DefaultIdle
	}
	return time.Duration(n.IdleSeconds) * time.Second
}

// NPSSettings returns the survey settings; all defaults if the owner never set them.
func (s *Store) NPSSettings(ctx context.Context) (NPSSettings, error) {
	var n NPSSettings
	if err := s.Setting(ctx, SettingNPS, &n); err != nil && !errors.Is(err, ErrNotFound) {
		return NPSSettings{}, err
	}
	return n, nil
}

// SaveNPSSettings validates and stores the survey settings.
func (s *Store) SaveNPSSettings(ctx context.Context, n NPSSettings) error {
	if err := n.Validate(); err != nil {
		return err
	}
	return s.SaveSetting(ctx, SettingNPS, n)
}

// RecordPurchase is Record for a purchase at the counter: in the same transaction it
// invites the customer to answer the survey on the kiosk, unless they were invited within
// the throttle period.
func (s *Store) RecordPurchase(ctx context.Context, code cards.Code, build func(Account) (loyalty.Operation, error)) (loyalty.Operation, Account, error) {
	set, err := s.NPSSettings(ctx)
	if err != nil {
		return loyalty.Operation{}, Account{}, err
	}
	var inv *nps.Invitation
	op, after, err := s.record(ctx, code, build, func(tx *sql.Tx, op loyalty.Operation) error {
		inv, err = s.invite(ctx, tx, set.Policy(), op)
		return err
	})
	if err == nil && inv != nil {
		s.nps.notify()
	}
	return op, after, err
}

// ErrNoSelfService means the loyalty program gives nothing for self-service visits.
var ErrNoSelfService = errors.New("self-service visits are off")

// RecordVisit credits the program's fixed self-service visit to the card with code, as
// the kiosk does when a customer scans their own card, at most as often as the survey
// settings allow per card (nps.ErrVisitLimit). In the same transaction it invites the
// customer to the survey unless the throttle says no; the invitation is nil then.
func (s *Store) RecordVisit(ctx context.Context, code cards.Code, o loyalty.Origin) (loyalty.Operation, Account, *nps.Invitation, error) {
	p, err := s.Program(ctx)
	if err != nil {
		return loyalty.Operation{}, Account{}, nil, err
	}
	if p.SelfServiceVisit() == (loyalty.Delta{}) {
		return loyalty.Operation{}, Account{}, nil, ErrNoSelfService
	}
	set, err := s.NPSSettings(ctx)
	if err != nil {
		return loyalty.Operation{}, Account{}, nil, err
	}
	policy := set.Policy()
	var inv *nps.Invitation
	op, after, err := s.record(ctx, code, func(a Account) (loyalty.Operation, error) {
		return p.Visit(o, a.Card)
	}, func(tx *sql.Tx, op loyalty.Operation) error {
		// Checked after the insert, inside the write lock: two kiosks scanning the same
		// card at once cannot both pass.
		previous, err := s.visitTimes(ctx, tx, op, policy)
		if err != nil {
			return err
		}
		if err := policy.CheckVisit(previous, op.At); err != nil {
			return err
		}
		inv, err = s.invite(ctx, tx, policy, op)
		return err
	})
	if err != nil {
		return loyalty.Operation{}, Account{}, nil, err
	}
	if inv != nil {
		s.nps.notify()
	}
	return op, after, inv, nil
}

// visitTimes returns the times of the self-service visits of op's card other than op
// within the policy's visit window before op, and any after it.
func (s *Store) visitTimes(ctx context.Context, tx *sql.Tx, op loyalty.Operation, p nps.Policy) ([]time.Time, error) {
	window := p.VisitWindow
	if window == 0 {
		window = nps.DefaultVisitWindow
	}
	rows, err := tx.QueryContext(ctx, `SELECT at FROM operations
		WHERE customer_id = ? AND card_code = ? AND kind = ? AND at > ? AND id <> ?`,
		op.CustomerID, op.CardCode, loyalty.KindVisit, millis(op.At.Add(-window)), op.ID)
	if err != nil {
		return nil, fmt.Errorf("read visits of card %s: %w", op.CardCode, err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("read visits of card %s: %w", op.CardCode, err)
		}
		out = append(out, fromMillis(at))
	}
	return out, rows.Err()
}

// invite makes and queues the invitation that follows op, unless op's customer was
// invited within the throttle period; it returns nil then.
func (s *Store) invite(ctx context.Context, tx *sql.Tx, p nps.Policy, op loyalty.Operation) (*nps.Invitation, error) {
	if op.CustomerID != "" {
		var last sql.NullInt64
		st, err := s.stmt(ctx, tx, `SELECT max(created_at) FROM nps_invitations WHERE customer_id = ?`)
		if err == nil {
			err = st.QueryRowContext(ctx, op.CustomerID).Scan(&last)
		}
		if err != nil {
			return nil, fmt.Errorf("read last invitation of %s: %w", op.CustomerID, err)
		}
		if last.Valid && !p.ShouldInvite(fromMillis(last.Int64), op.At) {
			return nil, nil
		}
	}
	inv, err := p.Invite(op.ID, op.CustomerID, op.CardCode, op.Device, op.At)
	if err != nil {
		return nil, err
	}
	if _, err := s.insertInvitation(ctx, tx, inv); err != nil {
		return nil, err
	}
	if err := s.queue(ctx, tx, TypeNPSInvitation, inv.ID, inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

func (s *Store) queue(ctx context.Context, tx *sql.Tx, typ, key string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", typ, key, err)
	}
	return s.enqueue(ctx, tx, "", typ, key, body)
}

// insertInvitation stores inv once: it reports whether inv was new.
func (s *Store) insertInvitation(ctx context.Context, tx *sql.Tx, inv nps.Invitation) (bool, error) {
	// DO NOTHING on either key: an invitation never changes, and a purchase has one.
	st, err := s.stmt(ctx, tx, `INSERT INTO nps_invitations
			(id, purchase_op_id, customer_id, card_code, device, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return false, fmt.Errorf("store invitation %s: %w", inv.ID, err)
	}
	res, err := st.ExecContext(ctx, inv.ID, inv.PurchaseOpID, inv.CustomerID, inv.CardCode, inv.Device,
		millis(inv.CreatedAt), millis(inv.ExpiresAt))
	if err != nil {
		return false, fmt.Errorf("store invitation %s: %w", inv.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store invitation %s: %w", inv.ID, err)
	}
	return n == 1, nil
}

const invitationColumns = `id, purchase_op_id, customer_id, card_code, device, created_at, expires_at`

func scanInvitation(row scanner) (nps.Invitation, error) {
	var inv nps.Invitation
	var created, expires int64
	err := row.Scan(&inv.ID, &inv.PurchaseOpID, &inv.CustomerID, &inv.CardCode, &inv.Device, &created, &expires)
	inv.CreatedAt, inv.ExpiresAt = fromMillis(created), fromMillis(expires)
	return inv, err
}

// querier is what a transaction and the database both offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// PendingInvitation returns the newest invitation that can still be answered at now:
// not expired, not answered. ErrNotFound if there is none.
func (s *Store) PendingInvitation(ctx context.Context, now time.Time) (nps.Invitation, error) {
	inv, err := scanInvitation(s.db.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM nps_invitations i
		WHERE expires_at > ? AND NOT EXISTS (SELECT 1 FROM nps_responses r WHERE r.invitation_id = i.id)
		ORDER BY created_at DESC, id DESC LIMIT 1`, millis(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nps.Invitation{}, fmt.Errorf("pending invitation: %w", ErrNotFound)
	}
	if err != nil {
		return nps.Invitation{}, fmt.Errorf("read pending invitation: %w", err)
	}
	return inv, nil
}

// Invitation returns the invitation with id.
func (s *Store) Invitation(ctx context.Context, id string) (nps.Invitation, error) {
	return invitation(ctx, s.db, id)
}

func invitation(ctx context.Context, q querier, id string) (nps.Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM nps_invitations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nps.Invitation{}, fmt.Errorf("invitation %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nps.Invitation{}, fmt.Errorf("read invitation %s: %w", id, err)
	}
	return inv, nil
}

// NPSChanged returns a channel closed at the next invitation made by this store: kiosk
// windows of this process wait on it to show a new invitation at once. Changes written
// by another process or pulled by sync do not close it; a kiosk also checks on a timer.
func (s *Store) NPSChanged() <-chan struct{} { return s.nps.wait() }

// signal is a broadcast: every waiter's channel closes at the next notify.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (g *signal) wait() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *signal) notify() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

// Answer stores the answer to the invitation with id, given at now in lang. A second
// answer is refused with nps.ErrAlreadyAnswered and a late one with nps.ErrExpired; the
// check and the write are one transaction, so two kiosks cannot both answer.
func (s *Store) Answer(ctx context.Context, invitationID string, score int, comment string, lang nps.Lang, now time.Time) (nps.Response, error) {
	var r nps.Response
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		inv, err := invitation(ctx, tx, invitationID)
		if err != nil {
			return err
		}
		var answered bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM nps_responses WHERE invitation_id = ?)`,
			inv.ID).Scan(&answered); err != nil {
			return fmt.Errorf("look for answer to %s: %w", inv.ID, err)
		}
		if r, err = inv.Answer(score, comment, lang, answered, now); err != nil {
			return err
		}
		if err := putResponse(ctx, tx, r); err != nil {
			return err
		}
		return s.queue(ctx, tx, TypeNPSResponse, r.ID, r)
	})
	if err != nil {
		return nps.Response{}, fmt.Errorf("answer survey: %w", err)
	}
	return r, nil
}

// putResponse inserts r, or updates the status and assignee of the stored response with
// r's id: the only things about a response that change, but for its comment, which can be erased
// (EraseCustomer). A blank comment wins, so that an erasure made on another device
// applies here and a copy from before it does not bring the comment back.
func putResponse(ctx context.Context, tx *sql.Tx, r nps.Response) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO nps_responses
			(id, invitation_id, purchase_op_id, customer_id, card_code, score, comment, lang, at, status, assignee)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status,
			comment = iif(excluded.comment = '', '', comment), assignee = excluded.assignee`,
		r.ID, r.InvitationID, r.PurchaseOpID, r.CustomerID, r.CardCode, r.Score, r.Comment, r.Lang, millis(r.At), r.Status, r.Assignee)
	if err != nil {
		return fmt.Errorf("store response %s: %w", r.ID, err)
	}
	return nil
}

// eraseComments blanks the comments of the answers of the customer id and queues the
// blank answers for the shop's other devices.
func (s *Store) eraseComments(ctx context.Context, tx *sql.Tx, id string) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+responseColumns+` FROM nps_responses
		WHERE customer_id = ? AND customer_id <> '' AND comment <> ''`, id)
	if err != nil {
		return fmt.Errorf("read answers of %s: %w", id, err)
	}
	var rs []nps.Response
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("read answers of %s: %w", id, err)
		}
		rs = append(rs, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("read answers of %s: %w", id, err)
	}
	for _, r := range rs {
		r.Comment = ""
		if err := putResponse(ctx, tx, r); err != nil {
			return err
		}
		if err := s.queue(ctx, tx, TypeNPSResponse, r.ID, r); err != nil {
			return err
		}
	}
	return nil
}

const responseColumns = `id, invitation_id, purchase_op_id, customer_id, card_code, score, comment, lang, at, status, assignee`

func scanResponse(row scanner) (nps.Response, error) {
	var r nps.Response
	var at int64
	err := row.Scan(&r.ID, &r.InvitationID, &r.PurchaseOpID, &r.CustomerID, &r.CardCode, &r.Score, &r.Comment, &r.Lang, &at, &r.Status, &r.Assignee)
	r.At = fromMillis(at)
	return r, err
}

// Response returns the response with id.
func (s *Store) Response(ctx context.Context, id string) (nps.Response, error) {
	return response(ctx, s.db, `id = ?`, id)
}

func response(ctx context.Context, q querier, where string, arg any) (nps.Response, error) {
	r, err := scanResponse(q.QueryRowContext(ctx, `SELECT `+responseColumns+` FROM nps_responses WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nps.Response{}, fmt.Errorf("response %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return nps.Response{}, fmt.Errorf("read response %v: %w", arg, err)
	}
	return r, nil
}

// ResponseFilter selects responses. Zero fields select everything.
type ResponseFilter struct {
	Status   nps.Status // only responses in this status
	From, To time.Time  // answered at or after From and before To
	Limit    int        // at most this many, newest first
	// Assignee keeps the answers handed to this staff id; Unassigned for nobody's.
	Assignee string
	// Search keeps the answers of customers whose name, email, phone, company or tax ID
	// holds it, in any case.
	Search string
}

// Unassigned is the ResponseFilter.Assignee of the answers handed to nobody.
const Unassigned = "-"

// where returns f's conditions but for its status, and their arguments.
func (f ResponseFilter) where() ([]string, []any) {
	var where []string
	var args []any
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, millis(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, millis(f.To))
	}
	switch f.Assignee {
	case "":
	case Unassigned:
		where = append(where, "assignee = ''")
	default:
		where, args = append(where, "assignee = ?"), append(args, f.Assignee)
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
		cols := []string{"name", "email", "phone", "company", "tax_id"}
		var or []string
		for _, c := range cols {
			or, args = append(or, "lower("+c+`) LIKE ? ESCAPE '\'`), append(args, like)
		}
		where = append(where, "customer_id IN (SELECT id FROM customers WHERE "+strings.Join(or, " OR ")+")")
	}
	return where, args
}

// Responses returns the responses f selects, newest first: the owner's inbox and the
// score of a period read them.
func (s *Store) Responses(ctx context.Context, f ResponseFilter) ([]nps.Response, error) {
	where, args := f.where()
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	query := `SELECT ` + responseColumns + ` FROM nps_responses`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY at DESC, id DESC`
	if f.Limit > 0 {
		query, args = query+` LIMIT ?`, append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list responses: %w", err)
	}
	defer rows.Close()
	var out []nps.Response
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return nil, fmt.Errorf("list responses: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountResponses counts the responses f selects by status, whatever f.Status says: the
// inbox's tabs and the dashboard show them.
func (s *Store) CountResponses(ctx context.Context, f ResponseFilter) (map[nps.Status]int, error) {
	where, args := f.where()
	query := `SELECT status, count(*) FROM nps_responses`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, query+` GROUP BY status`, args...)
	if err != nil {
		return nil, fmt.Errorf("count responses: %w", err)
	}
	defer rows.Close()
	out := map[nps.Status]int{}
	for rows.Next() {
		var st nps.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count responses: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// AssignResponse hands the answer id to the staff member staff ("" takes it back) and
// queues the change for the shop's other devices.
func (s *Store) AssignResponse(ctx context.Context, id, staff string) (nps.Response, error) {
	var r nps.Response
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		if r, err = response(ctx, tx, `id = ?`, id); err != nil {
			return err
		}
		if r.Assignee == staff {
			return nil
		}
		r.Assignee = staff
		if err := putResponse(ctx, tx, r); err != nil {
			return err
		}
		return s.queue(ctx, tx, TypeNPSResponse, r.ID, r)
	})
	return r, err
}

// SetResponseStatus changes the status of the response with id, as the inbox does when
// the owner opens an answer (nps.Status.Open); closing and reopening go through AddAction,
// which keeps them in the answer's history.
func (s *Store) SetResponseStatus(ctx context.Context, id string, status nps.Status) (nps.Response, error) {
	var r nps.Response
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		if r, err = response(ctx, tx, `id = ?`, id); err != nil {
			return err
		}
		if r.Status == status {
			return nil
		}
		r.Status = status
		if err := r.Validate(); err != nil {
			return err
		}
		if err := putResponse(ctx, tx, r); err != nil {
			return err
		}
		return s.queue(ctx, tx, TypeNPSResponse, r.ID, r)
	})
	return r, err
}

// AddAction applies the follow-up draft (see nps.Response.Act) to the response with
// responseID and keeps it in the response's history. It returns the response with its
// new status and the action as stored.
func (s *Store) AddAction(ctx context.Context, responseID string, draft nps.Action) (nps.Response, nps.Action, error) {
	var r nps.Response
	var a nps.Action
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		current, err := response(ctx, tx, `id = ?`, responseID)
		if err != nil {
			return err
		}
		if r, a, err = current.Act(draft); err != nil {
			return err
		}
		if err := insertAction(ctx, tx, a); err != nil {
			return err
		}
		if err := s.queue(ctx, tx, TypeNPSAction, a.ID, a); err != nil {
			return err
		}
		if r.Status == current.Status {
			return nil
		}
		if err := putResponse(ctx, tx, r); err != nil {
			return err
		}
		return s.queue(ctx, tx, TypeNPSResponse, r.ID, r)
	})
	return r, a, err
}

func insertAction(ctx context.Context, tx *sql.Tx, a nps.Action) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO nps_actions (id, response_id, kind, reached, note, staff, at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		a.ID, a.ResponseID, a.Kind, a.Reached, a.Note, a.Staff, millis(a.At))
	if err != nil {
		return fmt.Errorf("store follow-up %s: %w", a.ID, err)
	}
	return nil
}

// Actions returns the follow-ups of the response with responseID, oldest first.
func (s *Store) Actions(ctx context.Context, responseID string) ([]nps.Action, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, response_id, kind, reached, note, staff, at
		FROM nps_actions WHERE response_id = ? ORDER BY at, id`, responseID)
	if err != nil {
		return nil, fmt.Errorf("list follow-ups of %s: %w", responseID, err)
	}
	defer rows.Close()
	var out []nps.Action
	for rows.Next() {
		var a nps.Action
		var reached sql.NullBool
		var at int64
		if err := rows.Scan(&a.ID, &a.ResponseID, &a.Kind, &reached, &a.Note, &a.Staff, &at); err != nil {
			return nil, fmt.Errorf("list follow-ups of %s: %w", responseID, err)
		}
		if reached.Valid {
			a.Reached = &reached.Bool
		}
		a.At = fromMillis(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// errBadNPSRecord marks a pulled survey record this app cannot read.
var errBadNPSRecord = errors.New("unreadable survey record")

// applyNPSRecord stores a survey record pulled from the shop's other devices, without
// queueing it again. Invitations and follow-ups never change once made; a response
// changes only its status. Two kiosks that answered the same invitation offline both
// push an answer: every device keeps the earlier one (then the smaller id), so all agree.
func (s *Store) applyNPSRecord(ctx context.Context, tx *sql.Tx, typ, key string, body []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s %s: %w: %s", typ, key, errBadNPSRecord, fmt.Sprintf(format, args...))
	}
	switch typ {
	case TypeNPSInvitation:
		var inv nps.Invitation
		if err := json.Unmarshal(body, &inv); err != nil {
			return bad("%v", err)
		}
		if inv.ID != key || inv.PurchaseOpID == "" || inv.CreatedAt.IsZero() || !inv.ExpiresAt.After(inv.CreatedAt) {
			return bad("not an invitation with this id, a purchase and a lifetime")
		}
		if isNew, err := s.insertInvitation(ctx, tx, inv); err != nil || !isNew {
			return err
		}
		return countInvitation(ctx, tx, inv)
	case TypeNPSResponse:
		var r nps.Response
		if err := json.Unmarshal(body, &r); err != nil {
			return bad("%v", err)
		}
		if err := r.Validate(); err != nil {
			return bad("%v", err)
		}
		if r.ID != key {
			return bad("the body is response %q", r.ID)
		}
		stored, err := response(ctx, tx, `invitation_id = ?`, r.InvitationID)
		switch {
		case errors.Is(err, ErrNotFound) || stored.ID == r.ID:
		case err != nil:
			return err
		case answeredFirst(stored, r):
			return nil
		default:
			if _, err := tx.ExecContext(ctx, `DELETE FROM nps_responses WHERE id = ?`, stored.ID); err != nil {
				return fmt.Errorf("replace response %s: %w", stored.ID, err)
			}
		}
		return putResponse(ctx, tx, r)
	case TypeNPSAction:
		var a nps.Action
		if err := json.Unmarshal(body, &a); err != nil {
			return bad("%v", err)
		}
		if err := a.Validate(); err != nil {
			return bad("%v", err)
		}
		if a.ID != key {
			return bad("the body is follow-up %q", a.ID)
		}
		return insertAction(ctx, tx, a)
	}
	return bad("unknown type")
}

// answeredFirst reports whether a was given before b, ids breaking ties.
func answeredFirst(a, b nps.Response) bool {
	ta, tb := millis(a.At), millis(b.At)
	return ta < tb || ta == tb && a.ID < b.ID
}
