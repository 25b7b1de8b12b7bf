package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Limits on one change. A change over them is rejected, never stored.
const (
	MaxBodyBytes = 64 << 10
	MaxKeyBytes  = 200
)

// maxBalance is loyalty.MaxBalance in SQL.
var maxBalance = strconv.FormatInt(loyalty.MaxBalance, 10)

var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Push applies changes pushed by dev in one transaction, in order, and says what
// became of each: accepted (a new version of the shop), duplicate (already applied:
// nothing changes) or rejected (it can never apply; the rejection is kept, so a retry
// gets the same answer). The same id with a different content is rejected as a
// conflict. The shop is dev's: nothing in the changes can name another.
//
// An operation that takes a customer's balance below zero is still accepted (it
// happened at the till) and the customer is listed by Overdrawn, unless the change is
// guarded: a till online asks first, and such a spend is refused and not kept.
//
// A fault met while one change applies rejects that change alone (code "failed"): the
// push is then applied again with each change in a savepoint, which the usual push
// does without, since savepoints cost two round trips a change on PostgreSQL.
func (db *DB) Push(ctx context.Context, dev Device, changes []syncwire.Change) (syncwire.PushResponse, error) {
	resp, emails, err := db.push(ctx, dev, changes, false)
	if errors.Is(err, errChangeFailed) && ctx.Err() == nil {
		resp, emails, err = db.push(ctx, dev, changes, true)
	}
	if err != nil {
		return syncwire.PushResponse{}, fmt.Errorf("push: %w", err)
	}
	if len(resp.Accepted) > 0 {
		db.hub.notify(dev.ShopID)
		if emails {
			db.hub.notify(outboxTopic)
		}
	}
	return resp, nil
}

// errChangeFailed marks a fault met while one change applied, outside a savepoint.
var errChangeFailed = errors.New("a change failed")

// push applies changes in one transaction; isolate puts each in a savepoint. It
// reports whether an email was queued.
func (db *DB) push(ctx context.Context, dev Device, changes []syncwire.Change, isolate bool) (syncwire.PushResponse, bool, error) {
	resp := syncwire.PushResponse{Accepted: []string{}, Duplicate: []string{}, Rejected: []syncwire.Rejection{}, Epoch: db.epoch}
	var emails bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		p, err := db.newPusher(ctx, tx, dev)
		if err != nil {
			return err
		}
		defer p.close()
		p.isolate = isolate
		if err := p.prefetch(ctx, changes); err != nil {
			return err
		}
		for _, c := range changes {
			out, rej, err := p.applyIsolated(ctx, c)
			var refused *refusedError
			if errors.As(err, &refused) {
				resp.Refused = append(resp.Refused, syncwire.Refusal{ID: c.ID, Points: refused.points, Cashback: refused.cashback})
				continue
			}
			if err != nil {
				return fmt.Errorf("change %.40q: %w", c.ID, err)
			}
			switch out {
			case accepted:
				resp.Accepted = append(resp.Accepted, c.ID)
				emails = emails || c.Type == syncwire.TypeEmail
			case duplicate:
				resp.Duplicate = append(resp.Duplicate, c.ID)
			case rejected:
				resp.Rejected = append(resp.Rejected, rej)
			}
		}
		resp.Version = p.version
		if err := p.saveUsage(ctx); err != nil {
			return err
		}
		if p.version == p.start {
			return nil
		}
		return db.setVersion(ctx, tx, dev.ShopID, p.version)
	})
	return resp, emails, err
}

type outcome int

const (
	accepted outcome = iota
	duplicate
	rejected
)

// pusher holds one push transaction's prepared statements: a batch of 500 changes
// runs each of them hundreds of times.
type pusher struct {
	db      *DB
	tx      *sql.Tx
	dev     Device
	start   int64
	version int64
	now     int64
	isolate bool // each change in a savepoint

	insert, supersede, balance *sql.Stmt
	// known holds what the shop's log already has under the ids being pushed.
	known map[string]prior

	// What authorize reads: the shop's storage used, and its program once.
	stored, storedStart int64
	program             *loyalty.Program
	programRead         bool
}

// prior is what the log holds under a change id.
type prior struct {
	hash         string
	code, reason sql.NullString // set for a rejected change
}

func (db *DB) newPusher(ctx context.Context, tx *sql.Tx, dev Device) (*pusher, error) {
	v, err := db.lockShop(ctx, tx, dev.ShopID)
	if err != nil {
		return nil, err
	}
	p := &pusher{db: db, tx: tx, dev: dev, start: v, version: v, now: db.millis()}
	if err := p.loadUsage(ctx); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&p.insert, `INSERT INTO changes (shop_id, id, hash, ctype, ckey, body, device, at, version, live, reject_code, reject_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&p.supersede, "UPDATE changes SET live = 0 WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1"},
		// The condition keeps every balance within ±loyalty.MaxBalance without adding
		// anything first: a sum past the int64 range is an error on PostgreSQL and a
		// float on SQLite. A balance it refuses returns no row.
		{&p.balance, `INSERT INTO balances (shop_id, customer_id, points, cashback, xp) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (shop_id, customer_id) DO UPDATE SET points = balances.points + excluded.points,
			cashback = balances.cashback + excluded.cashback, xp = balances.xp + excluded.xp
			WHERE balances.points BETWEEN -` + maxBalance + ` - excluded.points AND ` + maxBalance + ` - excluded.points
			AND balances.cashback BETWEEN -` + maxBalance + ` - excluded.cashback AND ` + maxBalance + ` - excluded.cashback
			AND balances.xp BETWEEN -` + maxBalance + ` - excluded.xp AND ` + maxBalance + ` - excluded.xp
			RETURNING points, cashback`},
	} {
		if *s.stmt, err = tx.PrepareContext(ctx, db.q(s.query)); err != nil {
			p.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	return p, nil
}

func (p *pusher) close() {
	for _, s := range []*sql.Stmt{p.insert, p.supersede, p.balance} {
		if s != nil {
			s.Close()
		}
	}
}

// applyIsolated applies c, inside a savepoint if p.isolate. Whatever goes wrong while c
// applies (a database error, a value the database cannot hold) is then undone back to
// the savepoint and rejects c alone, so that one change never fails the changes pushed
// with it, nor every later push of the same batch. Only a fault that leaves the
// transaction unusable, or the request's end, fails the push: those are worth a retry.
// Without the savepoint, such a fault fails the push with errChangeFailed.
func (p *pusher) applyIsolated(ctx context.Context, c syncwire.Change) (outcome, syncwire.Rejection, error) {
	if !p.isolate {
		out, rej, err := p.apply(ctx, c)
		var refused *refusedError
		if err != nil && !errors.As(err, &refused) {
			err = fmt.Errorf("%w: %w", errChangeFailed, err)
		}
		return out, rej, err
	}
	if _, err := p.tx.ExecContext(ctx, "SAVEPOINT change"); err != nil {
		return 0, syncwire.Rejection{}, fmt.Errorf("savepoint: %w", err)
	}
	version, stored := p.version, p.stored
	out, rej, err := p.apply(ctx, c)
	var refused *refusedError
	if err == nil || errors.As(err, &refused) {
		if _, rerr := p.tx.ExecContext(ctx, "RELEASE SAVEPOINT change"); rerr != nil {
			return 0, syncwire.Rejection{}, fmt.Errorf("release savepoint: %w", rerr)
		}
		return out, rej, err
	}
	if ctx.Err() != nil {
		return 0, syncwire.Rejection{}, err
	}
	if _, rerr := p.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT change"); rerr != nil {
		return 0, syncwire.Rejection{}, errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
	}
	if _, rerr := p.tx.ExecContext(ctx, "RELEASE SAVEPOINT change"); rerr != nil {
		return 0, syncwire.Rejection{}, errors.Join(err, fmt.Errorf("release savepoint: %w", rerr))
	}
	p.version, p.stored = version, stored
	// The detail is for the operator; the device gets a sentence and keeps the change.
	slog.Warn("push: a change failed and is rejected", "shop", p.dev.ShopID, "change", clip(c.ID, 40), "err", err)
	_, hash, _ := canonical(c)
	r := syncwire.Rejection{ID: c.ID, Code: syncwire.CodeFailed, Reason: "the server could not apply this change"}
	if err := p.reject(ctx, c, hash, r); err != nil {
		return 0, syncwire.Rejection{}, err
	}
	return rejected, r, nil
}

// apply applies one change. An error is a fault of the database, or a
// *refusedError for a guarded spend that nothing covers; whatever is wrong with the
// change itself is a rejection.
func (p *pusher) apply(ctx context.Context, c syncwire.Change) (outcome, syncwire.Rejection, error) {
	reject := func(code, format string, args ...any) (outcome, syncwire.Rejection, error) {
		return rejected, syncwire.Rejection{ID: c.ID, Code: code, Reason: fmt.Sprintf(format, args...)}, nil
	}
	if !validID(c.ID) {
		// Without a valid id there is nothing to key the rejection on: it is not kept.
		return reject(syncwire.CodeInvalid, "the change id is not a lower-case UUIDv7")
	}
	body, hash, valid := canonical(c)
	if old, ok := p.known[c.ID]; ok {
		switch {
		case old.hash != hash && old.hash != contentHash(c, body):
			same, err := p.sameVoid(ctx, c, body)
			if err != nil {
				return 0, syncwire.Rejection{}, err
			}
			if !same {
				return reject(syncwire.CodeConflict, "another change with this id was pushed before")
			}
			return duplicate, syncwire.Rejection{}, nil
		case old.code.Valid:
			return reject(old.code.String, "%s", old.reason.String)
		default:
			return duplicate, syncwire.Rejection{}, nil
		}
	}

	rej, err := p.check(ctx, c, body, valid)
	if err != nil {
		return 0, syncwire.Rejection{}, err // a refusal too: nothing of it is kept
	}
	if rej != nil {
		if err := p.reject(ctx, c, hash, *rej); err != nil {
			return 0, syncwire.Rejection{}, err
		}
		return rejected, *rej, nil
	}
	if err := p.append(ctx, c, body, hash); err != nil {
		return 0, syncwire.Rejection{}, err
	}
	p.known[c.ID] = prior{hash: hash}
	return accepted, syncwire.Rejection{}, nil
}

// sameVoid reports whether c is a cancellation that the log holds under its id as
// made on another device: a void's id is its target's (loyalty.VoidID), so two devices
// cancelling one operation at once push the same cancellation, told apart only by who
// made it, when and why. An expiry's and a bonus's ids derive from the ledger the same way
// (loyalty.SameDerived). The first taken stands.
func (p *pusher) sameVoid(ctx context.Context, c syncwire.Change, body string) (bool, error) {
	if c.Type != syncwire.TypeOp {
		return false, nil
	}
	var op, prior loyalty.Operation
	if json.Unmarshal([]byte(body), &op) != nil || op.Kind != loyalty.KindVoid && op.Kind != loyalty.KindExpire && op.Kind != loyalty.KindBonus {
		return false, nil
	}
	var stored string
	err := p.tx.QueryRowContext(ctx, p.db.q("SELECT body FROM changes WHERE shop_id = ? AND id = ? AND version IS NOT NULL"),
		p.dev.ShopID, c.ID).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: read cancellation: %w", errDB, err)
	}
	if json.Unmarshal([]byte(stored), &prior) != nil {
		return false, nil
	}
	return loyalty.SameDerived(prior, op) || prior.Kind == loyalty.KindVoid && prior.ID == op.ID && prior.Target == op.Target &&
		prior.CustomerID == op.CustomerID && prior.Delta == op.Delta, nil
}

// reject keeps the rejection of c, so that a retry gets the same answer, unless kept
// rejections would fill the shop's storage past its quota.
func (p *pusher) reject(ctx context.Context, c syncwire.Change, hash string, rej syncwire.Rejection) error {
	if !p.roomForRejection(c, &rej) {
		return nil
	}
	_, err := p.insert.ExecContext(ctx, p.dev.ShopID, c.ID, hash, clip(c.Type, 40), clip(c.Key, MaxKeyBytes), "{}", p.dev.ID,
		c.At.UTC().Format(time.RFC3339Nano), nil, 0, rej.Code, rej.Reason)
	if err != nil {
		return fmt.Errorf("record rejection: %w", err)
	}
	p.known[c.ID] = prior{hash: hash, code: sql.NullString{String: rej.Code, Valid: true}, reason: sql.NullString{String: rej.Reason, Valid: true}}
	return nil
}

// prefetch reads what the log holds under the ids of changes, a few hundred ids per
// query rather than one query per change.
func (p *pusher) prefetch(ctx context.Context, changes []syncwire.Change) error {
	p.known = make(map[string]prior, len(changes))
	ids := make([]any, 0, len(changes)+1)
	for _, c := range changes {
		if validID(c.ID) {
			ids = append(ids, c.ID)
		}
	}
	const chunk = 500
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		query := "SELECT id, hash, reject_code, reject_reason FROM changes WHERE shop_id = ? AND id IN (?" +
			strings.Repeat(", ?", n-1) + ")"
		rows, err := p.tx.QueryContext(ctx, p.db.q(query), append([]any{p.dev.ShopID}, ids[:n]...)...)
		if err != nil {
			return fmt.Errorf("find changes: %w", err)
		}
		for rows.Next() {
			var id string
			var pr prior
			if err := rows.Scan(&id, &pr.hash, &pr.code, &pr.reason); err != nil {
				rows.Close()
				return fmt.Errorf("find changes: %w", err)
			}
			p.known[id] = pr
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find changes: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// validID reports whether id is a UUIDv7 in its canonical lower-case form.
func validID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.Version() == 7 && u.String() == id
}

// append adds c to the log at the shop's next version; a record's earlier value stops
// being pulled.
func (p *pusher) append(ctx context.Context, c syncwire.Change, body, hash string) error {
	if c.Type != syncwire.TypeOp {
		if _, err := p.supersede.ExecContext(ctx, p.dev.ShopID, c.Type, c.Key); err != nil {
			return fmt.Errorf("supersede record: %w", err)
		}
	}
	p.version++
	p.stored += int64(len(body))
	if _, err := p.insert.ExecContext(ctx, p.dev.ShopID, c.ID, hash, c.Type, c.Key, body, p.dev.ID,
		c.At.UTC().Format(time.RFC3339Nano), p.version, 1, nil, nil); err != nil {
		return fmt.Errorf("insert change: %w", err)
	}
	return nil
}

// check validates c and applies its projections (balance, card, outbox). It returns
// why c can never apply, or nil, and an error only for a fault of the database. A
// rejected change writes no projection: every refusal comes before the first write.
func (p *pusher) check(ctx context.Context, c syncwire.Change, body string, valid bool) (*syncwire.Rejection, error) {
	bad := func(code, format string, args ...any) (*syncwire.Rejection, error) {
		return &syncwire.Rejection{ID: c.ID, Code: code, Reason: fmt.Sprintf(format, args...)}, nil
	}
	switch {
	case !typePattern.MatchString(c.Type):
		return bad(syncwire.CodeInvalid, "the type must be 1 to 40 lower-case letters, digits or _")
	case c.Key == "" || len(c.Key) > MaxKeyBytes || !storable(c.Key):
		return bad(syncwire.CodeInvalid, "the key must be 1 to %d bytes of UTF-8 without NUL", MaxKeyBytes)
	case len(body) > MaxBodyBytes:
		return bad(syncwire.CodeInvalid, "the body is larger than %d bytes", MaxBodyBytes)
	case !valid || body == "" || body[0] != '{':
		return bad(syncwire.CodeInvalid, "the body must be a JSON object")
	case !storable(body) || strings.Contains(body, `\u0000`):
		// PostgreSQL text holds neither, and no Merci record needs them.
		return bad(syncwire.CodeInvalid, "the body must be UTF-8 without NUL characters")
	case c.At.IsZero():
		return bad(syncwire.CodeInvalid, "the change has no time")
	}
	if rej, err := p.authorize(ctx, c, body); rej != nil || err != nil {
		return rej, err
	}
	var err error
	switch c.Type {
	case syncwire.TypeEmailStatus:
		return bad(syncwire.CodeInvalid, "only the server writes %s changes", c.Type)
	case syncwire.TypeOp:
		err = p.applyOp(ctx, c, body)
	case syncwire.TypeCard:
		err = p.applyCard(ctx, c, body)
	case syncwire.TypeCustomer:
		var cu loyalty.Customer
		if err = decodeStrict(body, &cu); err == nil && cu.ID != c.Key {
			err = fmt.Errorf("%w: the customer id %q is not the key", errRule, cu.ID)
		}
	case syncwire.TypeSetting:
		if c.Key == syncwire.SettingProgram {
			var prog loyalty.Program
			if err = decodeStrict(body, &prog); err == nil {
				err = prog.Validate()
			}
		}
	case syncwire.TypeEmail:
		err = p.applyEmail(ctx, c, body)
	}
	var refused *refusedError
	switch {
	case err == nil:
		return nil, nil
	case errors.Is(err, errDB), errors.As(err, &refused):
		return nil, err
	default:
		return bad(syncwire.CodeInvalid, "%s", err)
	}
}

var (
	errRule = errors.New("invalid")
	// errDB marks a database fault met while checking a change.
	errDB = errors.New("database")
)

// refusedError is a guarded spend that the customer's balance, points and cashback
// here, does not cover.
type refusedError struct{ points, cashback int64 }

func (e *refusedError) Error() string {
	return fmt.Sprintf("the balance (%d points, %d cashback) does not cover the spend", e.points, e.cashback)
}

func (p *pusher) applyOp(ctx context.Context, c syncwire.Change, body string) error {
	var op loyalty.Operation
	if err := decodeStrict(body, &op); err != nil {
		return err
	}
	if err := op.Validate(); err != nil {
		return err
	}
	if op.ID != c.Key || op.ID != c.ID {
		return fmt.Errorf("%w: the operation id %q must be the change id and key", errRule, op.ID)
	}
	takes := op.Delta.Points < 0 || op.Delta.Cashback < 0
	if c.Guard && takes {
		// The shop's row is locked for the push: no other spend can come in between.
		var b loyalty.Balance
		err := p.tx.QueryRowContext(ctx, p.db.q("SELECT points, cashback, xp FROM balances WHERE shop_id = ? AND customer_id = ?"),
			p.dev.ShopID, op.CustomerID).Scan(&b.Points, &b.Cashback, &b.XP)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: read balance: %w", errDB, err)
		}
		// Checked: a balance near the int64 limits must not wrap into one that covers.
		after, err := b.Apply(op.Delta)
		if err != nil {
			return fmt.Errorf("%w: %w", errRule, err)
		}
		if after.Points < 0 || after.Cashback < 0 {
			return &refusedError{points: b.Points, cashback: int64(b.Cashback)}
		}
	}
	var points, cashback int64
	err := p.balance.QueryRowContext(ctx, p.dev.ShopID, op.CustomerID, op.Delta.Points, int64(op.Delta.Cashback), op.Delta.XP).
		Scan(&points, &cashback)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", errRule, loyalty.ErrBalanceOutOfRange)
	}
	if err != nil {
		return fmt.Errorf("%w: update balance: %w", errDB, err)
	}
	if err := p.record(ctx, op); err != nil {
		return err
	}
	if takes && (points < 0 || cashback < 0) {
		if _, err := p.tx.ExecContext(ctx, p.db.q(
			"INSERT INTO overdrawn (shop_id, op_id, customer_id, points, cashback, at) VALUES (?, ?, ?, ?, ?, ?)"),
			p.dev.ShopID, op.ID, op.CustomerID, points, cashback, p.now); err != nil {
			return fmt.Errorf("%w: flag overdrawn: %w", errDB, err)
		}
	}
	return nil
}

// record keeps what the checks of later operations read: cancellations and visits.
// It runs once op can no longer be refused or rejected, since a refused spend is not
// kept and its retry must not meet its own cancellation or visit.
func (p *pusher) record(ctx context.Context, op loyalty.Operation) error {
	switch op.Kind {
	case loyalty.KindVoid:
		if _, err := p.tx.ExecContext(ctx, p.db.q("INSERT INTO voids (shop_id, op_id, target) VALUES (?, ?, ?)"),
			p.dev.ShopID, op.ID, op.Target); err != nil {
			return fmt.Errorf("%w: record cancellation: %w", errDB, err)
		}
		// A cancelled spend no longer overdraws anybody.
		if _, err := p.tx.ExecContext(ctx, p.db.q("DELETE FROM overdrawn WHERE shop_id = ? AND op_id = ?"), p.dev.ShopID, op.Target); err != nil {
			return fmt.Errorf("%w: clear overdrawn: %w", errDB, err)
		}
	case loyalty.KindVisit:
		if _, err := p.tx.ExecContext(ctx, p.db.q("INSERT INTO visits (shop_id, op_id, card_code, at) VALUES (?, ?, ?, ?)"),
			p.dev.ShopID, op.ID, op.CardCode, op.At.UnixMilli()); err != nil {
			return fmt.Errorf("%w: record visit: %w", errDB, err)
		}
	}
	return nil
}

func (p *pusher) applyCard(ctx context.Context, c syncwire.Change, body string) error {
	var card loyalty.Card
	if err := decodeStrict(body, &card); err != nil {
		return err
	}
	switch {
	case card.Code != c.Key:
		return fmt.Errorf("%w: the card code %q is not the key", errRule, card.Code)
	case card.CustomerID == "":
		return fmt.Errorf("%w: the card has no customer", errRule)
	case card.Status != loyalty.CardActive && card.Status != loyalty.CardBlocked && card.Status != loyalty.CardReplaced:
		return fmt.Errorf("%w: unknown card status %q", errRule, card.Status)
	}
	// Keyed by shop and code: another shop's card of the same code is another card,
	// which nothing pushed here can reveal or take.
	_, err := p.tx.ExecContext(ctx, p.db.q(`INSERT INTO cards (shop_id, code, customer_id, status, replaced_by, legacy) VALUES (?, ?, ?, ?, ?, 0)
		ON CONFLICT (shop_id, code) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status, replaced_by = excluded.replaced_by`),
		p.dev.ShopID, card.Code, card.CustomerID, string(card.Status), card.ReplacedBy)
	if err != nil {
		return fmt.Errorf("%w: update card: %w", errDB, err)
	}
	return nil
}

func (p *pusher) applyEmail(ctx context.Context, c syncwire.Change, body string) error {
	var e syncwire.Email
	if err := decodeStrict(body, &e); err != nil {
		return err
	}
	// The devices' rule: a bare address, so that what is sent to is what was typed.
	switch {
	case loyalty.CheckEmail(e.To) != nil:
		return fmt.Errorf("%w: %q is not an email address", errRule, e.To)
	case strings.TrimSpace(e.Subject) == "" || len(e.Subject) > 200 || strings.ContainsAny(e.Subject, "\r\n"):
		return fmt.Errorf("%w: the subject must be one line of 1 to 200 bytes", errRule)
	case strings.TrimSpace(e.Text) == "":
		return fmt.Errorf("%w: the email has no text", errRule)
	}
	// A later version of the same email record never sends it again.
	_, err := p.tx.ExecContext(ctx, p.db.q(`INSERT INTO outbox (shop_id, id, recipient, subject, body, status, attempts, next_at, lease_until, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, '', ?) ON CONFLICT (shop_id, id) DO NOTHING`),
		p.dev.ShopID, c.Key, e.To, e.Subject, e.Text, syncwire.EmailQueued, p.now, p.now)
	if err != nil {
		return fmt.Errorf("%w: queue email: %w", errDB, err)
	}
	return nil
}

// decodeStrict decodes a record body, refusing fields of the wrong type. Unknown fields
// are allowed: a newer app may add some.
func decodeStrict(body string, v any) error {
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return fmt.Errorf("%w: the body does not fit its type: %v", errRule, err)
	}
	return nil
}

// canonical returns c's body without insignificant white space, the hash that tells a
// retry of c from a different change reusing its id, and whether the body is JSON.
func canonical(c syncwire.Change) (body, hash string, valid bool) {
	var b bytes.Buffer
	valid = json.Compact(&b, c.Body) == nil
	if !valid {
		b.Reset()
		b.Write(c.Body)
	}
	body = b.String()
	return body, retryHash(c, body, valid), valid
}

// clip makes s storable in at most n bytes, for the record of a rejected change.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}

// storable reports whether both databases can keep s as text.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
