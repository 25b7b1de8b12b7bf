// Package transfer imports customers from the spreadsheets shops already keep (.xlsx or
// .csv) and exports customers and operations to them.
//
// An import never evaluates a formula and never trusts a file's size: a spreadsheet is
// read within fixed limits (file size, uncompressed size, rows, columns), a cell holding
// a formula rejects the file, and every row is checked before anything is written. What
// is written, is written in one transaction: an import applies completely or not at all.
//
// Re-importing the same file creates no duplicates. Customers are matched on card code,
// email or phone. Opening balances and past visits become operations whose ids are
// derived from the customer and what they stand for (see opID), not drawn at random, so
// a second import finds them already there and adds nothing.
package transfer

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Limits on what an import reads. A shop's customer list is far below them; a file
// above them is a mistake or an attack.
const (
	MaxFileSize = 20 << 20  // bytes of the file as given
	MaxUnzipped = 100 << 20 // bytes of an .xlsx once uncompressed: stops zip bombs
	MaxRows     = 200_000
	MaxColumns  = 100
	// maxUnzippedXML is how much of one worksheet excelize keeps in memory before it
	// spills to a temporary file.
	maxUnzippedXML = 32 << 20
)

// Errors that reject a whole file.
var (
	ErrTooLarge       = errors.New("the file is too large")
	ErrTooManyRows    = errors.New("the file has too many rows")
	ErrTooManyColumns = errors.New("the file has too many columns")
	ErrUnreadable     = errors.New("the file is damaged or not a spreadsheet")
	ErrFormat         = errors.New("only .xlsx and .csv files can be imported")
	ErrEmpty          = errors.New("the file has no rows under its header")
	ErrFormula        = errors.New("the file holds formulas")
)

// Table is a spreadsheet's first sheet as text: a header row and the rows under it.
type Table struct {
	Header []string
	Rows   [][]string
}

// RowNumber returns the spreadsheet row number of Rows[i], as the owner sees it in their
// spreadsheet app: the header is row 1.
func RowNumber(i int) int { return i + 2 }

// Read reads a spreadsheet named name (its extension says its format) from r.
func Read(r io.Reader, name string) (Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return Table{}, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return Table{}, fmt.Errorf("%s: %w (over %d MB)", name, ErrTooLarge, MaxFileSize>>20)
	}
	var rows [][]string
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		rows, err = readXLSX(data)
	case ".csv", ".txt":
		rows, err = readCSV(data)
	default:
		return Table{}, fmt.Errorf("%s: %w", name, ErrFormat)
	}
	if err != nil {
		return Table{}, fmt.Errorf("%s: %w", name, err)
	}
	for len(rows) > 0 && blank(rows[len(rows)-1]) {
		rows = rows[:len(rows)-1]
	}
	if len(rows) < 2 {
		return Table{}, fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	t := Table{Header: rows[0], Rows: rows[1:]}
	for i := range t.Header {
		t.Header[i] = strings.TrimSpace(t.Header[i])
	}
	return t, nil
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    MaxUnzipped,
		UnzipXMLSizeLimit: maxUnzippedXML,
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, fmt.Errorf("%w: over %d MB once uncompressed", ErrTooLarge, MaxUnzipped>>20)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, ErrEmpty
	}
	if err := noFormulas(data); err != nil {
		return nil, err
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		if len(rows) > MaxRows {
			return nil, fmt.Errorf("%w (more than %d)", ErrTooManyRows, MaxRows)
		}
		// Raw values: numbers as stored ("1234.5"), not as formatted for display
		// ("1 234,50 €"), and dates as serial numbers.
		row, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		if len(row) > MaxColumns {
			return nil, fmt.Errorf("%w (more than %d)", ErrTooManyColumns, MaxColumns)
		}
		rows = append(rows, row)
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return rows, nil
}

// noFormulas rejects a workbook any of whose worksheets has a formula. The reader would
// only see the value the spreadsheet app last computed, which may be stale or empty;
// Merci never computes one itself. excelize has already checked the sizes.
func noFormulas(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") || !strings.HasSuffix(zf.Name, ".xml") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		cell, err := firstFormula(io.LimitReader(rc, MaxUnzipped))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		if cell != "" {
			return fmt.Errorf("%w (cell %s): paste the values only and import again", ErrFormula, cell)
		}
	}
	return nil
}

// firstFormula returns the reference of the first cell of a worksheet that has a
// formula, or "".
func firstFormula(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	cell := ""
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "c":
				cell = ""
				for _, a := range se.Attr {
					if a.Name.Local == "r" {
						cell = a.Value
					}
				}
			case "f":
				return cell, nil
			}
		}
	}
}

func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		data = latin1ToUTF8(data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sniffComma(data)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
		}
		if len(rows) > MaxRows {
			return nil, fmt.Errorf("%w (more than %d)", ErrTooManyRows, MaxRows)
		}
		if len(row) > MaxColumns {
			return nil, fmt.Errorf("%w (more than %d)", ErrTooManyColumns, MaxColumns)
		}
		rows = append(rows, row)
	}
}

// sniffComma picks the separator of the first line: spreadsheet apps in French and
// Portuguese write semicolons, since the comma is their decimal separator.
func sniffComma(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if m := bytes.Count(line, []byte(string(c))); m > n {
			best, n = c, m
		}
	}
	return best
}

// latin1ToUTF8 decodes data as ISO 8859-1, the encoding of CSV files saved by older
// spreadsheet apps in Western Europe and Brazil.
func latin1ToUTF8(data []byte) []byte {
	out := make([]rune, len(data))
	for i, b := range data {
		out[i] = rune(b)
	}
	return []byte(string(out))
}
