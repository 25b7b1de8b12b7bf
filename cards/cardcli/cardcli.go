// Package cardcli carries out the printed-card commands of the merci command line:
//
//	merci cards print --count N [--credit X] [--paper A4|Letter] (--out FILE.pdf | --print [--printer NAME])
//	merci cards print [--paper A4|Letter] (--out FILE.pdf|FILE.png | --print [--printer NAME]) CODE...
//	merci cards escpos --printer HOST[:PORT]|DEVICE [--paper 58|80] [--raster] CODE...
//
// "print" issues N new cards (each pre-credited with an opening balance of X if given: points,
// or money in a cashback-only program; see Shop.OpeningPoints) and lays them out ten to a
// sheet, or reprints existing cards given by code. Cards are issued before anything is
// printed, so a printer that fails leaves them issued, saved in the PDF and reprintable.
// "escpos" prints existing cards on a thermal receipt printer, one ticket each.
package cardcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/loyalty"
)

// Issuer creates new cards. Merci's local store implements it.
type Issuer interface {
	// IssueCards stores n new cards, each credited with opening (none if zero), and
	// returns their codes. opening is in points when the shop's OpeningPoints is set,
	// else in minor units of its currency.
	IssueCards(ctx context.Context, n int, opening loyalty.Money) ([]cards.Code, error)
}

// Shop is what the shop's settings put on its cards.
type Shop struct {
	Name     string
	Logo     image.Image // optional
	BaseURL  string      // the shop's cloud URL; empty if it has none
	Currency string      // ISO 4217 code, for --credit
	// OpeningPoints says that --credit is a whole number of points, the opening balance
	// of a points program, rather than an amount of money.
	OpeningPoints bool
}

// maxBatch bounds one print run: 100 sheets.
const maxBatch = 1000

// face returns the card face of code, with opening text when it was pre-credited.
func (s Shop) face(code cards.Code, opening loyalty.Money) cards.Face {
	f := cards.Face{ShopName: s.Name, Logo: s.Logo, Code: code, QRPayload: cards.Payload(s.BaseURL, code)}
	if opening > 0 {
		f.Opening = "Opening balance " + s.formatOpening(opening)
	}
	return f
}

// formatOpening writes an opening balance: "50 points" or "5.00 EUR".
func (s Shop) formatOpening(opening loyalty.Money) string {
	if s.OpeningPoints {
		return fmt.Sprintf("%d points", opening)
	}
	return formatMoney(opening, s.Currency)
}

// parseOpening reads the --credit text: a whole number of points, or an amount.
func (s Shop) parseOpening(text string) (loyalty.Money, error) {
	if !s.OpeningPoints {
		return loyalty.ParseAmount(text, s.Currency)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not a whole number of points")
	}
	return loyalty.Money(n), nil
}

// formatMoney writes m in the currency's units with a decimal point: "5.00 EUR".
func formatMoney(m loyalty.Money, currency string) string {
	d := loyalty.MinorDigits(currency)
	per := loyalty.MinorPerUnit(currency)
	s := fmt.Sprint(int64(m) / per)
	if d > 0 {
		s += fmt.Sprintf(".%0*d", d, int64(m)%per)
	}
	return strings.TrimSpace(s + " " + strings.ToUpper(currency))
}

// parseFlags parses args with fs, printing the usage to stdout for -h. It reports
// whether the command should go on.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) (bool, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return false, nil
		}
		return false, fmt.Errorf("%w\n%s", err, usage)
	}
	return true, nil
}

// parseCodes reads card codes typed on the command line.
func parseCodes(args []string) ([]cards.Code, error) {
	var codes []cards.Code
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("%q: options go before the card codes", a)
		}
		c, err := cards.ParseCode(a)
		if err != nil {
			return nil, fmt.Errorf("card code %q: %w", a, err)
		}
		codes = append(codes, c)
	}
	return codes, nil
}

// writeAtomic writes a file through a temporary file in the same folder, so that a failed
// write never leaves half a file under the name asked for.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}
