package transfer

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// Format is a spreadsheet file format.
type Format string

// The formats Merci exports.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// sheetWriter writes rows to a CSV or XLSX file.
type sheetWriter interface {
	row(cells ...any) error
	close() error
}

func newSheetWriter(w io.Writer, f Format, sheet string) (sheetWriter, error) {
	switch f {
	case CSV:
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case XLSX:
		return newXLSXWriter(w, sheet)
	}
	return nil, fmt.Errorf("export: %w", ErrFormat)
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) row(cells ...any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case string:
			rec[i] = safeText(v)
		case bool:
			rec[i] = yes(v)
		default:
			rec[i] = fmt.Sprint(v)
		}
	}
	return c.w.Write(rec)
}

func (c *csvWriter) close() error {
	c.w.Flush()
	return c.w.Error()
}

// safeText keeps a spreadsheet app from running text typed by a customer as a formula
// when it opens the CSV (CSV injection): such text gets a leading apostrophe.
func safeText(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

type xlsxWriter struct {
	w  io.Writer
	f  *excelize.File
	sw *excelize.StreamWriter
	n  int // rows written
}

func newXLSXWriter(w io.Writer, sheet string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &xlsxWriter{w: w, f: f, sw: sw}, nil
}

// row writes cells as values: strings stay text in an .xlsx, whatever they start with.
func (x *xlsxWriter) row(cells ...any) error {
	for i, v := range cells {
		switch v := v.(type) {
		case decimal:
			if f, err := strconv.ParseFloat(string(v), 64); err == nil {
				cells[i] = f
			}
		case bool:
			cells[i] = yes(v)
		}
	}
	x.n++
	cell, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxWriter) close() error {
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := x.f.WriteTo(x.w); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return x.f.Close()
}

// customerHeader is the header of exported customers: the names Guess reads back, so an
// export can be imported again.
var customerHeader = []any{"Name", "Email", "Phone", "Card", "Company", "Tax ID", "Consent", "Points", "Cashback", "Experience", "Card status", "Created", "Birthday"}

// ExportCustomers writes every customer with their current card and balance.
func ExportCustomers(ctx context.Context, s *localdb.Store, w io.Writer, f Format) error {
	p, err := s.Program(ctx)
	if err != nil {
		return err
	}
	all, err := s.Customers(ctx, "")
	if err != nil {
		return err
	}
	sw, err := newSheetWriter(w, f, "Customers")
	if err != nil {
		return err
	}
	if err := sw.row(customerHeader...); err != nil {
		return err
	}
	for _, a := range all {
		c := a.Customer
		if err := sw.row(c.Name, c.Email, c.Phone, a.Code().String(), c.Company, c.TaxID, c.Consent, a.Balance.Points,
			amount(int64(a.Balance.Cashback), p.Currency), a.Balance.XP, string(a.Card.Status), c.CreatedAt.Format(time.DateOnly),
			loyalty.FormatBirthday(c.BirthDay, c.BirthMonth)); err != nil {
			return fmt.Errorf("export customers: %w", err)
		}
	}
	return sw.close()
}

// ExportOperations writes the operations made in [from, to), oldest first.
func ExportOperations(ctx context.Context, s *localdb.Store, w io.Writer, f Format, from, to time.Time) error {
	sw, err := newSheetWriter(w, f, "Operations")
	if err != nil {
		return err
	}
	if err := sw.row("Date", "Customer", "Card", "Kind", "Points", "Cashback", "Experience", "Amount", "Currency",
		"Reward", "Reason", "Cancelled", "Staff", "Device", "Id"); err != nil {
		return err
	}
	err = s.EachOperation(ctx, from, to, func(e localdb.Entry) error {
		return sw.row(e.At.Local().Format("2006-01-02 15:04:05"), e.CustomerName, e.CardCode, string(e.Kind), e.Delta.Points,
			amount(int64(e.Delta.Cashback), e.Currency), e.Delta.XP, amount(int64(e.Amount), e.Currency), e.Currency,
			e.RewardID, e.Reason, e.Voided, cmp.Or(e.StaffName, e.Staff), e.Device, e.ID)
	})
	if err != nil {
		return fmt.Errorf("export operations: %w", err)
	}
	return sw.close()
}

// decimal is an amount written as a plain decimal number ("12.50"): a number cell in an
// .xlsx, and text every spreadsheet app reads as a number in a CSV.
type decimal string

func amount(minor int64, currency string) decimal {
	digits := loyalty.MinorDigits(currency)
	if digits == 0 {
		return decimal(strconv.FormatInt(minor, 10))
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	per := loyalty.MinorPerUnit(currency)
	return decimal(fmt.Sprintf("%s%d.%0*d", sign, minor/per, digits, minor%per))
}
