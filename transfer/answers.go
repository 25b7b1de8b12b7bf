package transfer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/nps"
)

// answerHeader is the header of exported answers: an answer's columns, then one of its
// follow-ups'.
var answerHeader = []any{"Answered", "Score", "Group", "Comment", "Language", "Status", "Assigned to",
	"Customer", "Email", "Phone", "Company", "Tax ID", "Card", "Purchase", "Currency",
	"Follow-up date", "Follow-up", "Note", "By", "Answer id"}

// ExportAnswers writes the answers f selects, newest first, with their follow-up
// history: a row per follow-up, oldest first, then one for its coupon, the answer's
// columns repeated so that each row reads alone when sorted or filtered; an answer
// without follow-ups has one row.
func ExportAnswers(ctx context.Context, s *localdb.Store, w io.Writer, format Format, f localdb.ResponseFilter) error {
	rs, err := s.Responses(ctx, f)
	if err != nil {
		return err
	}
	staff, err := s.StaffNames(ctx)
	if err != nil {
		return err
	}
	staff[localdb.RuleStaff] = "Automatic"
	sw, err := newSheetWriter(w, format, "Answers")
	if err != nil {
		return err
	}
	if err := sw.row(answerHeader...); err != nil {
		return err
	}
	for _, r := range rs {
		if err := exportAnswer(ctx, s, sw, r, staff); err != nil {
			return fmt.Errorf("export answer %s: %w", r.ID, err)
		}
	}
	return sw.close()
}

func exportAnswer(ctx context.Context, s *localdb.Store, sw sheetWriter, r nps.Response, staff map[string]string) error {
	var c localdb.CustomerData
	if r.CustomerID != "" {
		var err error
		if c, err = s.Customer(ctx, r.CustomerID); err != nil && !errors.Is(err, localdb.ErrNotFound) {
			return err
		}
	}
	var purchase any = ""
	currency := ""
	if op, err := s.Operation(ctx, r.PurchaseOpID); err == nil && op.Amount != 0 {
		purchase, currency = amount(int64(op.Amount), op.Currency), op.Currency
	} else if err != nil && !errors.Is(err, localdb.ErrNotFound) {
		return err
	}
	group, _ := nps.CategoryOf(r.Score)
	cu := c.Customer
	answer := []any{r.At.Local().Format(dateTime), r.Score, string(group), r.Comment, string(r.Lang), string(r.Status),
		staff[r.Assignee], cu.Name, cu.Email, cu.Phone, cu.Company, cu.TaxID, r.CardCode, purchase, currency}
	acts, err := s.Actions(ctx, r.ID)
	if err != nil {
		return err
	}
	var rows [][]any
	for _, a := range acts {
		rows = append(rows, []any{a.At.Local().Format(dateTime), string(a.Kind), a.Note, cmp.Or(staff[a.Staff], a.Staff)})
	}
	if cp, err := s.CouponFor(ctx, r.ID); err == nil {
		note := cp.Code + " · " + cp.Offer
		if !cp.RedeemedAt.IsZero() {
			note += " · used " + cp.RedeemedAt.Local().Format(dateTime)
		}
		rows = append(rows, []any{cp.CreatedAt.Local().Format(dateTime), "coupon", note, ""})
	} else if !errors.Is(err, localdb.ErrNotFound) {
		return err
	}
	if len(rows) == 0 {
		rows = append(rows, []any{"", "", "", ""})
	}
	for _, follow := range rows {
		cells := append(append(append([]any{}, answer...), follow...), r.ID)
		if err := sw.row(cells...); err != nil {
			return err
		}
	}
	return nil
}

// dateTime is how exported instants read: local time, sortable as text.
const dateTime = "2006-01-02 15:04:05"
