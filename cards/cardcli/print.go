package cardcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/osprint"
	"github.com/merci-loyalty/merci/cards/sheet"
	"github.com/merci-loyalty/merci/loyalty"
)

const printUsage = `usage: merci cards print --count N [--credit X] [--paper A4|Letter] (--out FILE.pdf | --print [--printer NAME])
       merci cards print [--paper A4|Letter] (--out FILE.pdf|FILE.png | --print [--printer NAME]) CODE...`

// printJob is a checked "cards print" command line.
type printJob struct {
	count   int
	credit  loyalty.Money
	paper   sheet.Paper
	out     string
	print   bool
	printer string
	codes   []cards.Code // cards to reprint
}

// Print carries out "merci cards print": it checks every argument before issuing any
// card, issues the cards, saves the PDF (or PNG), and sends it to the printer.
func Print(ctx context.Context, args []string, shop Shop, issuer Issuer, stdout io.Writer) error {
	job, ok, err := parsePrint(args, shop, stdout)
	if !ok || err != nil {
		return err
	}
	codes := job.codes
	if job.count > 0 {
		if codes, err = issuer.IssueCards(ctx, job.count, job.credit); err != nil {
			return fmt.Errorf("issue %d cards: %w", job.count, err)
		}
		fmt.Fprintf(stdout, "Issued %d cards", len(codes))
		if job.credit > 0 {
			fmt.Fprintf(stdout, ", each credited with %s", shop.formatOpening(job.credit))
		}
		fmt.Fprintln(stdout, ":")
		for _, c := range codes {
			fmt.Fprintln(stdout, " ", c)
		}
	}
	faces := make([]cards.Face, len(codes))
	for i, c := range codes {
		faces[i] = shop.face(c, job.credit)
	}
	path, err := job.save(faces)
	if err != nil {
		return job.failed(codes, "saving", "", err)
	}
	fmt.Fprintln(stdout, "Saved", path)
	if !job.print {
		return nil
	}
	id, err := osprint.PrintPDF(ctx, job.printer, path, "Merci loyalty cards")
	if err != nil {
		return job.failed(codes, "printing", path, err)
	}
	if id != "" {
		fmt.Fprintf(stdout, "Sent to the printer (job %s)\n", id)
	} else {
		fmt.Fprintln(stdout, "Sent to the printer")
	}
	return nil
}

func parsePrint(args []string, shop Shop, stdout io.Writer) (printJob, bool, error) {
	var job printJob
	var credit, paper string
	fs := flag.NewFlagSet("cards print", flag.ContinueOnError)
	fs.IntVar(&job.count, "count", 0, "issue this many new cards")
	fs.StringVar(&credit, "credit", "", "credit each new card with this opening balance: points (e.g. 50), or an amount (e.g. 5.00) if the program earns cashback only")
	fs.StringVar(&paper, "paper", "A4", "sheet size: A4 or Letter")
	fs.StringVar(&job.out, "out", "", "save the cards to this PDF file (or PNG, for one card)")
	fs.BoolVar(&job.print, "print", false, "send the sheet to the printer")
	fs.StringVar(&job.printer, "printer", "", "printer name (default: the system's default printer); implies --print")
	if ok, err := parseFlags(fs, args, printUsage, stdout); !ok || err != nil {
		return job, false, err
	}
	job.print = job.print || job.printer != ""
	var err error
	if job.codes, err = parseCodes(fs.Args()); err != nil {
		return job, false, err
	}
	if job.paper, err = sheet.PaperByName(paper); err != nil {
		return job, false, err
	}
	if err := job.check(credit, shop); err != nil {
		return job, false, fmt.Errorf("%w\n%s", err, printUsage)
	}
	return job, true, nil
}

// check validates job before any card is issued; credit is the --credit text.
func (job *printJob) check(credit string, shop Shop) error {
	n := job.count + len(job.codes)
	switch {
	case job.count < 0 || job.count > maxBatch:
		return fmt.Errorf("--count %d: issue between 1 and %d cards at a time", job.count, maxBatch)
	case job.count > 0 && len(job.codes) > 0:
		return errors.New("give --count to issue new cards, or the codes of cards to reprint, not both")
	case n == 0:
		return errors.New("give --count N to issue new cards, or the codes of cards to reprint")
	case credit != "" && job.count == 0:
		return errors.New("--credit applies to new cards only; a reprinted card keeps its balance")
	case job.out == "" && !job.print:
		return errors.New("say where the cards go: --out FILE.pdf, --print, or both")
	}
	if strings.TrimSpace(shop.Name) == "" {
		return errors.New("the shop has no name yet: set it in the shop settings first")
	}
	if credit != "" {
		m, err := shop.parseOpening(credit)
		if err != nil {
			return fmt.Errorf("--credit %q: %w", credit, err)
		}
		job.credit = m
	}
	if job.out != "" {
		switch ext := strings.ToLower(filepath.Ext(job.out)); {
		case ext == ".png" && (n != 1 || job.print):
			return errors.New("a PNG holds one card and is not sent to the printer: use a .pdf file for more")
		case ext != ".png" && ext != ".pdf":
			return fmt.Errorf("--out %s: the file name must end in .pdf (or .png for one card)", job.out)
		}
		if st, err := os.Stat(filepath.Dir(job.out)); err != nil || !st.IsDir() {
			return fmt.Errorf("--out %s: the folder %s does not exist", job.out, filepath.Dir(job.out))
		}
	}
	return nil
}

// save writes faces to job.out, or to a new file in the temporary folder if only printing,
// and returns its path.
func (job *printJob) save(faces []cards.Face) (string, error) {
	if strings.EqualFold(filepath.Ext(job.out), ".png") {
		return job.out, writeAtomic(job.out, func(w io.Writer) error { return sheet.WritePNG(w, faces[0], 300) })
	}
	write := func(w io.Writer) error { return sheet.WritePDF(w, job.paper, faces) }
	if job.out != "" {
		return job.out, writeAtomic(job.out, write)
	}
	f, err := os.CreateTemp("", "merci-cards-*.pdf")
	if err != nil {
		return "", fmt.Errorf("save the cards for printing: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("save the cards for printing: %w", err)
	}
	return f.Name(), nil
}

// failed explains a failure, in doing what, after the cards were issued: they exist, and
// here is how to reprint them. saved is the file holding them, if any.
func (job *printJob) failed(codes []cards.Code, what, saved string, err error) error {
	if job.count == 0 {
		return err
	}
	where := ""
	if saved != "" {
		where = " and saved in " + saved
	}
	again := []string{"merci cards print"}
	if job.paper.Name != sheet.A4.Name {
		again = append(again, "--paper", job.paper.Name)
	}
	if job.out != "" {
		again = append(again, "--out", job.out)
	}
	if job.printer != "" {
		again = append(again, "--printer", job.printer)
	} else if job.print {
		again = append(again, "--print")
	}
	for _, c := range codes {
		again = append(again, c.String())
	}
	return fmt.Errorf("the %d cards are issued%s, but %s failed: %w\nreprint them with: %s",
		len(codes), where, what, err, strings.Join(again, " "))
}
