package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// MaxPullLimit is the most changes one pull returns.
const MaxPullLimit = 1000

// MaxPullBytes is about the most bytes of changes one pull returns: a page stops at
// the first change that would take it past, unless that change is the first. A
// thousand operations take about 400 KB; a thousand records of 64 KiB would take
// 64 MiB of the server's memory for every pull at once.
const MaxPullBytes = 1 << 20

// pulledOverhead is about what a change takes in a page besides its strings.
const pulledOverhead = 100

// Pull returns the live changes of shopID with a version above cursor, in version
// order, at most limit of them and, past the first, at most MaxPullBytes of them. A
// record value superseded by a later one is skipped: the later one is there. The
// answer's Cursor is where the next pull starts.
func (db *DB) Pull(ctx context.Context, shopID string, cursor int64, limit int) (syncwire.PullResponse, error) {
	limit = min(max(limit, 1), MaxPullLimit)
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, ctype, ckey, body, device, at, version FROM changes
		WHERE shop_id = ? AND version > ? AND live = 1 ORDER BY version LIMIT ?`), shopID, cursor, limit+1)
	if err != nil {
		return syncwire.PullResponse{}, fmt.Errorf("pull: %w", err)
	}
	defer rows.Close()
	resp := syncwire.PullResponse{Changes: []syncwire.Pulled{}, Cursor: cursor, Epoch: db.epoch}
	size := 0
	for rows.Next() {
		if len(resp.Changes) == limit {
			resp.More = true
			break
		}
		var c syncwire.Pulled
		var body, at string
		if err := rows.Scan(&c.ID, &c.Type, &c.Key, &body, &c.Device, &at, &c.Version); err != nil {
			return syncwire.PullResponse{}, fmt.Errorf("pull: %w", err)
		}
		size += len(c.ID) + len(c.Type) + len(c.Key) + len(body) + len(c.Device) + len(at) + pulledOverhead
		if size > MaxPullBytes && len(resp.Changes) > 0 {
			resp.More = true
			break
		}
		c.Body = json.RawMessage(body)
		if c.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return syncwire.PullResponse{}, fmt.Errorf("pull: change %s: %w", c.ID, err)
		}
		resp.Changes = append(resp.Changes, c)
		resp.Cursor = c.Version
	}
	if err := rows.Err(); err != nil {
		return syncwire.PullResponse{}, fmt.Errorf("pull: %w", err)
	}
	return resp, nil
}

// Overdrawn lists the operations of shopID that took a balance below zero, oldest
// first.
func (db *DB) Overdrawn(ctx context.Context, shopID string) ([]syncwire.Overdrawn, error) {
	rows, err := db.r.QueryContext(ctx, db.q(
		"SELECT customer_id, op_id, points, cashback, at FROM overdrawn WHERE shop_id = ? ORDER BY at, op_id"), shopID)
	if err != nil {
		return nil, fmt.Errorf("list overdrawn: %w", err)
	}
	defer rows.Close()
	list := []syncwire.Overdrawn{}
	for rows.Next() {
		var o syncwire.Overdrawn
		var at int64
		if err := rows.Scan(&o.CustomerID, &o.OpID, &o.Points, &o.Cashback, &at); err != nil {
			return nil, fmt.Errorf("list overdrawn: %w", err)
		}
		o.At = fromMillis(at)
		list = append(list, o)
	}
	return list, rows.Err()
}

// Balance returns the balance of customerID in shopID, the sum of their operations.
func (db *DB) Balance(ctx context.Context, shopID, customerID string) (loyalty.Balance, error) {
	var b loyalty.Balance
	err := db.r.QueryRowContext(ctx, db.q("SELECT points, cashback, xp FROM balances WHERE shop_id = ? AND customer_id = ?"),
		shopID, customerID).Scan(&b.Points, &b.Cashback, &b.XP)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("read balance: %w", err)
	}
	return b, nil
}

// CardView is what the public page of a card shows: nothing of the shop but its name,
// nothing of the customer but the balance.
type CardView struct {
	ShopName string
	ShopTag  string
	HasLogo  bool // the shop pushed a logo: ShopLogo returns it
	Card     loyalty.Card
	Balance  loyalty.Balance
	Program  *loyalty.Program // nil if the shop has not pushed one
	// Ledger is the customer's operations when the program makes points expire or its
	// tiers are for a period: what expires, and the tier, come from them.
	Ledger []loyalty.Operation
}

// Card returns the public view of the card with code of the shop tagged tag, or
// ErrNotFound, or ErrSuspended while its shop is suspended.
func (db *DB) Card(ctx context.Context, tag, code string) (CardView, error) {
	return db.cardView(ctx, code, `SELECT c.shop_id, s.name, s.tag, c.customer_id, c.status, c.replaced_by
		FROM cards c JOIN shops s ON s.id = c.shop_id WHERE s.tag = ? AND c.code = ?`, tag, code)
}

// LegacyCard returns the public view of a card pushed before codes were scoped to
// their shop, whose printed QR code may hold /c/CODE, or ErrNotFound. The code was
// unique then; no card pushed since answers here.
func (db *DB) LegacyCard(ctx context.Context, code string) (CardView, error) {
	return db.cardView(ctx, code, `SELECT c.shop_id, s.name, s.tag, c.customer_id, c.status, c.replaced_by
		FROM cards c JOIN shops s ON s.id = c.shop_id WHERE c.code = ? AND c.legacy = 1`, code)
}

func (db *DB) cardView(ctx context.Context, code, query string, args ...any) (CardView, error) {
	var v CardView
	var shopID string
	err := db.r.QueryRowContext(ctx, db.q(query), args...).
		Scan(&shopID, &v.ShopName, &v.ShopTag, &v.Card.CustomerID, &v.Card.Status, &v.Card.ReplacedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return CardView{}, fmt.Errorf("card %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return CardView{}, fmt.Errorf("read card: %w", err)
	}
	if err := db.checkSuspended(ctx, db.r, shopID); err != nil {
		return CardView{}, err
	}
	v.Card.Code = code
	if v.Balance, err = db.Balance(ctx, shopID, v.Card.CustomerID); err != nil {
		return CardView{}, err
	}
	switch body, err := db.setting(ctx, db.r, shopID, syncwire.SettingProgram); {
	case err != nil:
		return CardView{}, err
	case body != nil:
		var p loyalty.Program
		if err := json.Unmarshal(body, &p); err != nil {
			return CardView{}, fmt.Errorf("read program: %w", err)
		}
		v.Program = &p
		if p.Expires() || p.TiersForAPeriod() {
			if v.Ledger, err = db.customerLedger(ctx, db.r, shopID, v.Card.CustomerID); err != nil {
				return CardView{}, err
			}
		}
	}
	logo, err := db.logo(ctx, shopID)
	if err != nil {
		return CardView{}, err
	}
	v.HasLogo = len(logo) > 0
	return v, nil
}

// customerLedger returns the operations of customerID applied in shopID. The log is
// keyed by operation: its bodies are searched for the customer's id, then read.
func (db *DB) customerLedger(ctx context.Context, q querier, shopID, customerID string) ([]loyalty.Operation, error) {
	pattern := `%"customer_id":` + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(jsonString(customerID)) + `%`
	rows, err := q.QueryContext(ctx, db.q(`SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND version IS NOT NULL
		AND body LIKE ? ESCAPE '\'`), shopID, syncwire.TypeOp, pattern)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer rows.Close()
	var ops []loyalty.Operation
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read ledger: %w", err)
		}
		var op loyalty.Operation
		if json.Unmarshal([]byte(body), &op) == nil && op.CustomerID == customerID {
			ops = append(ops, op)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return ops, nil
}

// jsonString is s as the log's canonical JSON writes it.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ShopLogo returns the logo of the shop tagged tag as a PNG, or ErrNotFound if it has
// none, or ErrSuspended while the shop is suspended.
func (db *DB) ShopLogo(ctx context.Context, tag string) ([]byte, error) {
	var shopID string
	err := db.r.QueryRowContext(ctx, db.q("SELECT id FROM shops WHERE tag = ?"), tag).Scan(&shopID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("shop %s: %w", tag, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read shop: %w", err)
	}
	if err := db.checkSuspended(ctx, db.r, shopID); err != nil {
		return nil, err
	}
	logo, err := db.logo(ctx, shopID)
	if err == nil && len(logo) == 0 {
		err = fmt.Errorf("logo of shop %s: %w", tag, ErrNotFound)
	}
	return logo, err
}

// pngMagic starts every PNG file.
const pngMagic = "\x89PNG\r\n\x1a\n"

// logo returns the shop's logo, or nothing if it has none. What a device pushed as a
// logo is shown to the public only if it is a PNG: anything else is left out, and
// never stops the card page.
func (db *DB) logo(ctx context.Context, shopID string) ([]byte, error) {
	body, err := db.setting(ctx, db.r, shopID, syncwire.SettingShop)
	if err != nil || body == nil {
		return nil, err
	}
	var sh syncwire.ShopSetting
	if json.Unmarshal(body, &sh) != nil || !bytes.HasPrefix(sh.Logo, []byte(pngMagic)) {
		return nil, nil
	}
	return sh.Logo, nil
}

// setting returns the live value of the setting key of shopID, read through q (the
// reader pool, or a push's transaction), or nil if there is none.
func (db *DB) setting(ctx context.Context, q querier, shopID, key string) ([]byte, error) {
	var body string
	err := q.QueryRowContext(ctx, db.q("SELECT body FROM changes WHERE shop_id = ? AND ctype = ? AND ckey = ? AND live = 1"),
		shopID, syncwire.TypeSetting, key).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read setting %s: %w", key, err)
	}
	return []byte(body), nil
}
