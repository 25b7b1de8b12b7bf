package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// A push writes what its changes apply in a few multi-row statements rather than a few
// statements per change: on PostgreSQL every statement is a round trip, and a batch of
// 500 operations took over a thousand of them (docs/scaling.md). What a change applies
// is held in pending until a read of the push needs it (pusher.read) or the push ends;
// balances are read once per push and summed here, with the bounds the database used to
// check (loyalty.Balance.Apply).

// pending is what a push has applied and not written yet.
type pending struct {
	changes []changeRow
	// live indexes the rows of changes that hold a record's live value, by type and key.
	live map[recordKey]int
	// superseded are the records whose live value in the database a pending row replaces.
	superseded []recordKey
	overdrawn  []overdrawnRow
	// cleared are the operations whose overdrawn flag in the database a cancellation clears.
	cleared []string
	voids   []voidRow
	visits  []visitRow
}

type recordKey struct{ ctype, ckey string }

type changeRow struct {
	id, hash, ctype, ckey, body, at string
	version                         sql.NullInt64
	live                            bool
	code, reason                    sql.NullString
}

type overdrawnRow struct {
	opID, customerID string
	points, cashback int64
}

type voidRow struct{ opID, target string }

type visitRow struct {
	opID, cardCode string
	at             int64
}

// heldBalance is a customer's balance as the push leaves it; dirty until written.
type heldBalance struct {
	b     loyalty.Balance
	dirty bool
}

func (w *pending) empty() bool {
	return len(w.changes) == 0 && len(w.superseded) == 0 && len(w.overdrawn) == 0 && len(w.cleared) == 0 &&
		len(w.voids) == 0 && len(w.visits) == 0
}

// addChange holds a row of the change log; a live record value supersedes the one
// before it, held or written.
func (w *pending) addChange(r changeRow) {
	if r.live && r.ctype != syncwire.TypeOp {
		k := recordKey{r.ctype, r.ckey}
		if i, ok := w.live[k]; ok {
			w.changes[i].live = false
		} else {
			w.superseded = append(w.superseded, k)
		}
		if w.live == nil {
			w.live = map[recordKey]int{}
		}
		w.live[k] = len(w.changes)
	}
	w.changes = append(w.changes, r)
}

// clearOverdrawn drops the overdrawn flag of the operation target, held or written.
func (w *pending) clearOverdrawn(target string) {
	w.overdrawn = slices.DeleteFunc(w.overdrawn, func(o overdrawnRow) bool { return o.opID == target })
	w.cleared = append(w.cleared, target)
}

// read returns the push's transaction for a read, once what the push has applied so
// far is written: every read of the push sees the changes before it.
func (p *pusher) read(ctx context.Context) (*sql.Tx, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.tx, nil
}

// finish writes what is pending and the shop's new version and storage used: the end
// of a transaction that appended to the log.
func (p *pusher) finish(ctx context.Context) error {
	if err := p.flush(ctx); err != nil {
		return err
	}
	return p.saveUsage(ctx)
}

// flush writes what is pending. A failure cannot be told apart between the changes
// held: it is errChangeFailed, and the push is applied again a change at a time.
func (p *pusher) flush(ctx context.Context) error {
	w := &p.pending
	if !w.empty() {
		if err := p.write(ctx); err != nil {
			return fmt.Errorf("%w: %w", errChangeFailed, err)
		}
		*w = pending{}
	}
	var rows [][]any
	for id, h := range p.balances {
		if h.dirty {
			rows = append(rows, []any{p.dev.ShopID, id, h.b.Points, int64(h.b.Cashback), h.b.XP})
			h.dirty = false
		}
	}
	if err := p.insertRows(ctx, "INSERT INTO balances (shop_id, customer_id, points, cashback, xp)", rows,
		`ON CONFLICT (shop_id, customer_id) DO UPDATE SET points = excluded.points, cashback = excluded.cashback, xp = excluded.xp`); err != nil {
		return fmt.Errorf("%w: write balances: %w", errChangeFailed, err)
	}
	return nil
}

// write writes the pending rows, supersessions before the rows that supersede and
// cleared flags before new ones, as applying them one by one would have.
func (p *pusher) write(ctx context.Context) error {
	w := &p.pending
	shop := p.dev.ShopID
	for chunk := range slices.Chunk(w.superseded, maxRowsPerStatement) {
		args := []any{shop}
		for _, k := range chunk {
			args = append(args, k.ctype, k.ckey)
		}
		query := "UPDATE changes SET live = 0 WHERE shop_id = ? AND live = 1 AND (ctype, ckey) IN ((?, ?)" +
			strings.Repeat(", (?, ?)", len(chunk)-1) + ")"
		if _, err := p.tx.ExecContext(ctx, p.db.q(query), args...); err != nil {
			return fmt.Errorf("supersede records: %w", err)
		}
	}
	rows := make([][]any, 0, len(w.changes))
	for _, r := range w.changes {
		rows = append(rows, []any{shop, r.id, r.hash, r.ctype, r.ckey, r.body, p.dev.ID, r.at, r.version, boolInt(r.live), r.code, r.reason})
	}
	if err := p.insertRows(ctx, "INSERT INTO changes (shop_id, id, hash, ctype, ckey, body, device, at, version, live, reject_code, reject_reason)", rows, ""); err != nil {
		return fmt.Errorf("insert changes: %w", err)
	}
	for chunk := range slices.Chunk(w.cleared, maxRowsPerStatement) {
		args := []any{shop}
		for _, id := range chunk {
			args = append(args, id)
		}
		query := "DELETE FROM overdrawn WHERE shop_id = ? AND op_id IN (?" + strings.Repeat(", ?", len(chunk)-1) + ")"
		if _, err := p.tx.ExecContext(ctx, p.db.q(query), args...); err != nil {
			return fmt.Errorf("clear overdrawn: %w", err)
		}
	}
	rows = rows[:0]
	for _, o := range w.overdrawn {
		rows = append(rows, []any{shop, o.opID, o.customerID, o.points, o.cashback, p.now})
	}
	if err := p.insertRows(ctx, "INSERT INTO overdrawn (shop_id, op_id, customer_id, points, cashback, at)", rows, ""); err != nil {
		return fmt.Errorf("flag overdrawn: %w", err)
	}
	rows = rows[:0]
	for _, v := range w.voids {
		rows = append(rows, []any{shop, v.opID, v.target})
	}
	if err := p.insertRows(ctx, "INSERT INTO voids (shop_id, op_id, target)", rows, ""); err != nil {
		return fmt.Errorf("record cancellations: %w", err)
	}
	rows = rows[:0]
	for _, v := range w.visits {
		rows = append(rows, []any{shop, v.opID, v.cardCode, v.at})
	}
	if err := p.insertRows(ctx, "INSERT INTO visits (shop_id, op_id, card_code, at)", rows, ""); err != nil {
		return fmt.Errorf("record visits: %w", err)
	}
	return nil
}

// maxRowsPerStatement keeps a statement's parameters (12 a change) well within
// SQLite's 32,766 and PostgreSQL's 65,535.
const maxRowsPerStatement = 500

// insertRows runs "head VALUES (...), (...) tail" for rows, in chunks.
func (p *pusher) insertRows(ctx context.Context, head string, rows [][]any, tail string) error {
	for chunk := range slices.Chunk(rows, maxRowsPerStatement) {
		tuple := "(?" + strings.Repeat(", ?", len(chunk[0])-1) + ")"
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			args = append(args, r...)
		}
		b.WriteString(" ")
		b.WriteString(tail)
		if _, err := p.tx.ExecContext(ctx, p.db.q(b.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// balance returns the balance of customer as the push has left it so far.
func (p *pusher) balance(ctx context.Context, customer string) (*heldBalance, error) {
	if h, ok := p.balances[customer]; ok {
		return h, nil
	}
	if err := p.fetch(ctx, nil, []string{customer}); err != nil {
		return nil, err
	}
	return p.balances[customer], nil
}

// prefetch reads what the log holds under the ids of the changes and the balances of
// the customers of their operations: in one query for a push of up to 500 changes.
func (p *pusher) prefetch(ctx context.Context, changes []syncwire.Change, prep []prepared) error {
	p.known = make(map[string]prior, len(changes))
	var ids, customers []string
	seen := map[string]bool{}
	for i, c := range changes {
		if validID(c.ID) {
			ids = append(ids, c.ID)
		}
		// A customer id the database cannot hold is left to the change's own checks.
		if id := prep[i].op.CustomerID; prep[i].opErr == nil && id != "" && storable(id) && !seen[id] {
			seen[id] = true
			customers = append(customers, id)
		}
	}
	return p.fetch(ctx, ids, customers)
}

// fetch reads what the log holds under ids into p.known, and the balances of customers
// not held yet (none for one without a row), a few hundred of each per query.
func (p *pusher) fetch(ctx context.Context, ids, customers []string) error {
	if p.balances == nil {
		p.balances = map[string]*heldBalance{}
	}
	customers = slices.DeleteFunc(customers, func(c string) bool { _, ok := p.balances[c]; return ok })
	for len(ids) > 0 || len(customers) > 0 {
		n, m := min(len(ids), maxRowsPerStatement), min(len(customers), maxRowsPerStatement)
		var parts []string
		var args []any
		if n > 0 {
			parts = append(parts, "SELECT 0, id, hash, reject_code, reject_reason, 0, 0, 0 FROM changes WHERE shop_id = ? AND id IN (?"+
				strings.Repeat(", ?", n-1)+")")
			args = append(args, p.dev.ShopID)
			for _, id := range ids[:n] {
				args = append(args, id)
			}
		}
		if m > 0 {
			parts = append(parts, "SELECT 1, customer_id, '', NULL, NULL, points, cashback, xp FROM balances WHERE shop_id = ? AND customer_id IN (?"+
				strings.Repeat(", ?", m-1)+")")
			args = append(args, p.dev.ShopID)
			for _, c := range customers[:m] {
				args = append(args, c)
				p.balances[c] = &heldBalance{}
			}
		}
		if err := p.scanFetched(ctx, strings.Join(parts, " UNION ALL "), args); err != nil {
			return fmt.Errorf("%w: find changes and balances: %w", errDB, err)
		}
		ids, customers = ids[n:], customers[m:]
	}
	return nil
}

func (p *pusher) scanFetched(ctx context.Context, query string, args []any) error {
	rows, err := p.tx.QueryContext(ctx, p.db.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var balance bool
		var key string
		var pr prior
		var b loyalty.Balance
		if err := rows.Scan(&balance, &key, &pr.hash, &pr.code, &pr.reason, &b.Points, &b.Cashback, &b.XP); err != nil {
			return err
		}
		if balance {
			p.balances[key] = &heldBalance{b: b}
		} else {
			p.known[key] = pr
		}
	}
	return rows.Err()
}

// forget drops what the push holds, after a savepoint undid what was written of it:
// balances are read again.
func (p *pusher) forget() {
	p.pending = pending{}
	p.balances = nil
}
