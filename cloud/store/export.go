package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// ExportFormat names the layout of a shop's export, for whoever reads it later.
const ExportFormat = "merci-shop-export/1"

// SyncWriter is where DeleteShop writes a shop's data: a file, synced to disk before
// any row is deleted.
type SyncWriter interface {
	io.Writer
	Sync() error
}

// DeleteShop deletes shopID and everything of it, for an operator whose customer
// leaves. First, in the same transaction, it writes all of the shop's rows to w as one
// JSON object, {"format", "exported_at", "shop", "tables": {table: [row...]}}, and
// syncs w: rows are deleted only once their copy is on disk, and either every row of
// the shop goes or none does. The shop must be suspended first, so that a mistyped id
// cannot delete a shop in use. It returns how many rows it deleted, by table.
//
// Every table with a shop_id column is exported and emptied of the shop, so a table
// added later is not forgotten. On SQLite, other shops' pushes wait while it runs.
func (db *DB) DeleteShop(ctx context.Context, shopID string, w SyncWriter) (map[string]int64, error) {
	deleted := map[string]int64{}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := db.lockShop(ctx, tx, shopID); err != nil {
			return err
		}
		switch err := db.checkSuspended(ctx, tx, shopID); {
		case err == nil:
			return fmt.Errorf("%w: suspend the shop before deleting it", ErrInvalid)
		case !errors.Is(err, ErrSuspended):
			return err
		}
		tables, err := db.shopTables(ctx, tx)
		if err != nil {
			return err
		}
		if err := db.export(ctx, tx, shopID, tables, w); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, t := range tables {
			res, err := tx.ExecContext(ctx, db.q("DELETE FROM "+quoteIdent(t)+" WHERE shop_id = ?"), shopID)
			if err != nil {
				return fmt.Errorf("delete from %s: %w", t, err)
			}
			if deleted[t], err = res.RowsAffected(); err != nil {
				return fmt.Errorf("delete from %s: %w", t, err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.q("DELETE FROM shops WHERE id = ?"), shopID); err != nil {
			return fmt.Errorf("delete shop: %w", err)
		}
		deleted["shops"] = 1
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete shop %s: %w", shopID, err)
	}
	// Its devices' waiting pulls end now: their tokens are gone.
	db.wake(ctx, shopID)
	return deleted, nil
}

// shopTables lists the tables with a shop_id column, in an order to delete from:
// devices and codes, which other tables may refer to, last.
func (db *DB) shopTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	query := `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name = 'shop_id' ORDER BY m.name`
	if db.dialect == postgres {
		query = `SELECT table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'shop_id' ORDER BY table_name`
	}
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var tables, parents []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		if t == "devices" || t == "codes" {
			parents = append(parents, t)
		} else {
			tables = append(tables, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return append(tables, parents...), nil
}

func (db *DB) export(ctx context.Context, tx *sql.Tx, shopID string, tables []string, w SyncWriter) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `{"format":%q,"exported_at":%q,"shop":`, ExportFormat, db.Now().UTC().Format(time.RFC3339))
	if err := writeRows(ctx, tx, bw, false, db.q("SELECT * FROM shops WHERE id = ?"), shopID); err != nil {
		return err
	}
	bw.WriteString(`,"tables":{`)
	for i, t := range tables {
		if i > 0 {
			bw.WriteByte(',')
		}
		name, _ := json.Marshal(t)
		bw.Write(name)
		bw.WriteByte(':')
		if err := writeRows(ctx, tx, bw, true, db.q("SELECT * FROM "+quoteIdent(t)+" WHERE shop_id = ?"), shopID); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	bw.WriteString("}}\n")
	if err := bw.Flush(); err != nil {
		return err
	}
	return w.Sync()
}

// writeRows writes the rows of query as JSON objects, column by column: in an array
// if many, else the one row. A body that holds a JSON object (a record's) is written
// as JSON, not as a string of it.
func writeRows(ctx context.Context, tx *sql.Tx, w *bufio.Writer, many bool, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if many {
		w.WriteByte('[')
	}
	n := 0
	for ; rows.Next(); n++ {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok && utf8.Valid(b) {
				v = string(b)
			}
			if s, ok := v.(string); ok && c == "body" && strings.HasPrefix(s, "{") && json.Valid([]byte(s)) {
				v = json.RawMessage(s)
			}
			row[c] = v
		}
		b, err := json.Marshal(row)
		if err != nil {
			return err
		}
		if n > 0 {
			w.WriteByte(',')
		}
		w.Write(b)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if many {
		w.WriteByte(']')
	} else if n != 1 {
		return fmt.Errorf("%d rows, want 1", n)
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
