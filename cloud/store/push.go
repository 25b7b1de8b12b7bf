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
	prep := prepare(changes)
	resp, emails, err := db.push(ctx, dev, changes, prep, false)
	if errors.Is(err, errChangeFailed) && ctx.Err() == nil {
		resp, emails, err = db.push(ctx, dev, changes, prep, true)
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
func (db *DB) push(ctx context.Context, dev Device, changes []syncwire.Change, prep []prepared, isolate bool) (syncwire.PushResponse, bool, error) {
	resp := syncwire.PushResponse{Accepted: []string{}, Duplicate: []string{}, Rejected: []syncwire.Rejection{}, Epoch: db.epoch}
	var emails bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		p, err := db.newPusher(ctx, tx, dev)
		if err != nil {
			return err
		}
		p.isolate = isolate
		if err := p.prefetch(ctx, changes, prep); err != nil {
			return err
		}
		for i, c := range changes {
			out, rej, err := p.applyIsolated(ctx, c, &prep[i])
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
		return p.finish(ctx)
	})
	return resp, emails, err
}

type outcome int

const (
	accepted outcome = iota
	duplicate
	rejected
)

// pusher applies the changes of one push transaction.
type pusher struct {
	db      *DB
	tx      *sql.Tx
	dev     Device
	start   int64
	version int64
	now     int64
	isolate bool // each change in a savepoint

	// What the changes applied so far left unwritten, and the balances they moved
	// (pushbuf.go).
	pending  pending
	balances map[string]*heldBalance
	// known holds what the shop's log already has under the ids being pushed.
	known map[string]prior

	// What authorize reads: the shop's storage used, and its program.
	stored, storedStart int64
	programBody         sql.NullString
}

// prior is what the log holds under a change id.
type prior struct {
	hash         string
	code, reason sql.NullString // set for a rejected change
}

func (db *DB) newPusher(ctx context.Context, tx *sql.Tx, dev Device) (*pusher, error) {
	p := &pusher{db: db, tx: tx, dev: dev, now: db.millis()}
	// The shop's lock, its version, its storage used and its program, in one round trip.
	err := tx.QueryRowContext(ctx, db.q(`UPDATE shops SET version = version WHERE id = ? RETURNING version, stored_bytes,
		(SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1)`),
		dev.ShopID, dev.ShopID, syncwire.TypeSetting, syncwire.SettingProgram).Scan(&p.start, &p.stored, &p.programBody)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("shop %s: %w", dev.ShopID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("lock shop: %w", err)
	}
	p.version, p.storedStart = p.start, p.stored
	return p, nil
}

// applyIsolated applies c, inside a savepoint if p.isolate. Whatever goes wrong while c
// applies (a database error, a value the database cannot hold) is then undone back to
// the savepoint and rejects c alone, so that one change never fails the changes pushed
// with it, nor every later push of the same batch. Only a fault that leaves the
// transaction unusable, or the request's end, fails the push: those are worth a retry.
// Without the savepoint, such a fault fails the push with errChangeFailed.
func (p *pusher) applyIsolated(ctx context.Context, c syncwire.Change, pc *prepared) (outcome, syncwire.Rejection, error) {
	if !p.isolate {
		out, rej, err := p.apply(ctx, c, pc)
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
	known, wasKnown := p.known[c.ID]
	out, rej, err := p.apply(ctx, c, pc)
	var refused *refusedError
	if err == nil || errors.As(err, &refused) {
		// What c applied is written inside its savepoint, where a failure is c's alone.
		if ferr := p.flush(ctx); ferr != nil {
			err = ferr
		} else {
			if _, rerr := p.tx.ExecContext(ctx, "RELEASE SAVEPOINT change"); rerr != nil {
				return 0, syncwire.Rejection{}, fmt.Errorf("release savepoint: %w", rerr)
			}
			return out, rej, err
		}
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
	p.forget()
	delete(p.known, c.ID)
	if wasKnown {
		p.known[c.ID] = known
	}
	// The detail is for the operator; the device gets a sentence and keeps the change.
	slog.Warn("push: a change failed and is rejected", "shop", p.dev.ShopID, "change", clip(c.ID, 40), "err", err)
	r := syncwire.Rejection{ID: c.ID, Code: syncwire.CodeFailed, Reason: "the server could not apply this change"}
	p.reject(c, pc.hash, r)
	// Written now: the next change's savepoint must not undo it.
	if err := p.flush(ctx); err != nil {
		return 0, syncwire.Rejection{}, err
	}
	return rejected, r, nil
}

// apply applies one change. An error is a fault of the database, or a
// *refusedError for a guarded spend that nothing covers; whatever is wrong with the
// change itself is a rejection.
func (p *pusher) apply(ctx context.Context, c syncwire.Change, pc *prepared) (outcome, syncwire.Rejection, error) {
	reject := func(code, format string, args ...any) (outcome, syncwire.Rejection, error) {
		return rejected, syncwire.Rejection{ID: c.ID, Code: code, Reason: fmt.Sprintf(format, args...)}, nil
	}
	if !validID(c.ID) {
		// Without a valid id there is nothing to key the rejection on: it is not kept.
		return reject(syncwire.CodeInvalid, "the change id is not a lower-case UUIDv7")
	}
	body, hash := pc.body, pc.hash
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

	rej, err := p.check(ctx, c, pc)
	if err != nil {
		return 0, syncwire.Rejection{}, err // a refusal too: nothing of it is kept
	}
	if rej != nil {
		p.reject(c, hash, *rej)
		return rejected, *rej, nil
	}
	p.append(c, body, hash)
	p.known[c.ID] = prior{hash: hash}
	if c.Type == syncwire.TypeSetting && c.Key == syncwire.SettingProgram {
		// The operations after it in the batch are checked against it, as they were made.
		p.programBody = sql.NullString{String: body, Valid: true}
	}
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
	tx, err := p.read(ctx)
	if err != nil {
		return false, err
	}
	var stored string
	err = tx.QueryRowContext(ctx, p.db.q("SELECT body FROM changes WHERE shop_id = ? AND id = ? AND version IS NOT NULL"),
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
func (p *pusher) reject(c syncwire.Change, hash string, rej syncwire.Rejection) {
	if !p.roomForRejection(c, &rej) {
		return
	}
	p.pending.addChange(changeRow{id: c.ID, hash: hash, ctype: clip(c.Type, 40), ckey: clip(c.Key, MaxKeyBytes), body: "{}",
		at: c.At.UTC().Format(time.RFC3339Nano), code: sql.NullString{String: rej.Code, Valid: true},
		reason: sql.NullString{String: rej.Reason, Valid: true}})
	p.known[c.ID] = prior{hash: hash, code: sql.NullString{String: rej.Code, Valid: true}, reason: sql.NullString{String: rej.Reason, Valid: true}}
}

// validID reports whether id is a UUIDv7 in its canonical lower-case form.
func validID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.Version() == 7 && u.String() == id
}

// append adds c to the log at the shop's next version; a record's earlier value stops
// being pulled.
func (p *pusher) append(c syncwire.Change, body, hash string) {
	p.version++
	p.stored += int64(len(body))
	p.pending.addChange(changeRow{id: c.ID, hash: hash, ctype: c.Type, ckey: c.Key, body: body,
		at: c.At.UTC().Format(time.RFC3339Nano), version: sql.NullInt64{Int64: p.version, Valid: true}, live: true})
}

// check validates c and applies its projections (balance, card, outbox). It returns
// why c can never apply, or nil, and an error only for a fault of the database. A
// rejected change writes no projection: every refusal comes before the first write.
func (p *pusher) check(ctx context.Context, c syncwire.Change, pc *prepared) (*syncwire.Rejection, error) {
	body := pc.body
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
	case !pc.valid || body == "" || body[0] != '{':
		return bad(syncwire.CodeInvalid, "the body must be a JSON object")
	case !storable(body) || strings.Contains(body, `\u0000`):
		// PostgreSQL text holds neither, and no Merci record needs them.
		return bad(syncwire.CodeInvalid, "the body must be UTF-8 without NUL characters")
	case c.At.IsZero():
		return bad(syncwire.CodeInvalid, "the change has no time")
	}
	if rej, err := p.authorize(ctx, c, pc); rej != nil || err != nil {
		return rej, err
	}
	var err error
	switch c.Type {
	case syncwire.TypeEmailStatus:
		return bad(syncwire.CodeInvalid, "only the server writes %s changes", c.Type)
	case syncwire.TypeOp:
		err = p.applyOp(ctx, c, pc)
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
	case typeNPSInvitation, typeNPSResponse:
		err = p.projectSurvey(ctx, c, body)
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

func (p *pusher) applyOp(ctx context.Context, c syncwire.Change, pc *prepared) error {
	if pc.opErr != nil {
		return pc.opErr
	}
	op := pc.op
	if err := op.Validate(); err != nil {
		return err
	}
	if op.ID != c.Key || op.ID != c.ID {
		return fmt.Errorf("%w: the operation id %q must be the change id and key", errRule, op.ID)
	}
	takes := op.Delta.Points < 0 || op.Delta.Cashback < 0
	held, err := p.balance(ctx, op.CustomerID)
	if err != nil {
		return err
	}
	// Checked: a balance near the int64 limits must not wrap into one that covers, nor
	// leave the range a balance may hold.
	after, err := held.b.Apply(op.Delta)
	if c.Guard && takes {
		// The shop's row is locked for the push: no other spend can come in between.
		if err != nil {
			return fmt.Errorf("%w: %w", errRule, err)
		}
		if after.Points < 0 || after.Cashback < 0 {
			return &refusedError{points: held.b.Points, cashback: int64(held.b.Cashback)}
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errRule, err)
	}
	held.b, held.dirty = after, true
	p.record(op)
	if takes && (after.Points < 0 || after.Cashback < 0) {
		p.pending.overdrawn = append(p.pending.overdrawn, overdrawnRow{opID: op.ID, customerID: op.CustomerID,
			points: after.Points, cashback: int64(after.Cashback)})
	}
	return nil
}

// record keeps what the checks of later operations read: cancellations and visits.
// It runs once op can no longer be refused or rejected, since a refused spend is not
// kept and its retry must not meet its own cancellation or visit.
func (p *pusher) record(op loyalty.Operation) {
	switch op.Kind {
	case loyalty.KindVoid:
		p.pending.voids = append(p.pending.voids, voidRow{opID: op.ID, target: op.Target})
		// A cancelled spend no longer overdraws anybody.
		p.pending.clearOverdrawn(op.Target)
	case loyalty.KindVisit:
		p.pending.visits = append(p.pending.visits, visitRow{opID: op.ID, cardCode: op.CardCode, at: op.At.UnixMilli()})
	}
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

// prepared is what a change is before it applies, worked out before the push's
// transaction, so that the shop's lock is held for less: its canonical body and hash
// and, for an operation, the operation, decoded once for every check.
type prepared struct {
	body, hash string
	valid      bool // the body is JSON
	op         loyalty.Operation
	opErr      error // why the body is not an operation
}

func prepare(changes []syncwire.Change) []prepared {
	prep := make([]prepared, len(changes))
	for i, c := range changes {
		pc := &prep[i]
		pc.body, pc.hash, pc.valid = canonical(c)
		if c.Type == syncwire.TypeOp {
			pc.opErr = decodeStrict(pc.body, &pc.op)
		}
	}
	return prep
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
