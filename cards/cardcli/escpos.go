package cardcli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/merci-loyalty/merci/cards/escpos"
)

const escposUsage = `usage: merci cards escpos --printer HOST[:PORT]|DEVICE [--paper 58|80] [--dots N] [--raster] CODE...`

// ESCPOS carries out "merci cards escpos": it prints existing cards on a receipt printer,
// one ticket each, cut after each.
func ESCPOS(ctx context.Context, args []string, shop Shop, stdout io.Writer) error {
	var printer string
	var paper, dots int
	var raster bool
	fs := flag.NewFlagSet("cards escpos", flag.ContinueOnError)
	fs.StringVar(&printer, "printer", "", "network printer HOST[:PORT] (port 9100 by default) or device file such as /dev/usb/lp0")
	fs.IntVar(&paper, "paper", 80, "paper width in mm: 58 or 80")
	fs.IntVar(&dots, "dots", 0, "printable width in dots, if not the usual for the paper (384 for 58 mm, 576 for 80 mm)")
	fs.BoolVar(&raster, "raster", false, "print the QR code as an image, for printers without QR commands")
	if ok, err := parseFlags(fs, args, escposUsage, stdout); !ok || err != nil {
		return err
	}
	codes, err := parseCodes(fs.Args())
	if err != nil {
		return err
	}
	if len(codes) == 0 {
		return fmt.Errorf("give the codes of the cards to print\n%s", escposUsage)
	}
	if printer == "" {
		return fmt.Errorf("--printer is missing: give the printer's address (HOST:9100) or device\n%s", escposUsage)
	}
	o := escpos.Options{Width: dots, Raster: raster}
	if o.Width == 0 {
		switch paper {
		case 58:
			o.Width = escpos.Width58
		case 80:
			o.Width = escpos.Width80
		default:
			return fmt.Errorf("--paper %d: receipt paper is 58 or 80 mm wide (or give --dots)", paper)
		}
	}
	var job []byte
	for _, c := range codes {
		b, err := escpos.Card(shop.face(c, 0), o)
		if err != nil {
			return err
		}
		job = append(job, b...)
	}
	if err := escpos.Send(ctx, printer, job); err != nil {
		return fmt.Errorf("print %d cards: %w", len(codes), err)
	}
	fmt.Fprintf(stdout, "Printed %d cards on %s\n", len(codes), printer)
	return nil
}
