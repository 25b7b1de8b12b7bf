package escpos_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/merci-loyalty/merci/cards/escpos"
	"github.com/merci-loyalty/merci/cards/escpos/escpostest"
)

// A slip sent to the printer reads back, in order, as the shop's name, the lines in
// the shop's words, the QR code of the card's page, the card's code and a cut.
func TestSlipReadBack(t *testing.T) {
	f := testFace(t, "Café Zoë")
	lines := []string{"06/12 14:02", "Achat 19,00 €, 2 articles : +21 points", "Solde : 45 points · 3,20 €", "Prochaine récompense : 1 menu, encore 5 points"}
	data, err := escpos.Slip(f, lines, escpos.Options{Width: escpos.Width58})
	if err != nil {
		t.Fatal(err)
	}
	printer := escpostest.Start(t)
	if err := escpos.Send(context.Background(), printer.Addr, data); err != nil {
		t.Fatal(err)
	}
	cmds := parse(t, receive(t, printer.Job))
	if cmds[0].name != "ESC @" || cmds[len(cmds)-1].name != "GS V" {
		t.Errorf("slip runs from %s to %s, want ESC @ (initialise) to GS V (cut)", cmds[0].name, cmds[len(cmds)-1].name)
	}
	// What the paper shows, top to bottom; the QR code as its payload.
	var paper []string
	for _, c := range cmds {
		switch {
		case c.name == "text":
			text, err := charmap.Windows1252.NewDecoder().String(string(c.data))
			if err != nil {
				t.Fatal(err)
			}
			paper = append(paper, strings.Split(strings.TrimSuffix(text, "\n"), "\n")...)
		case c.name == "GS ( k" && c.args[1] == 80:
			paper = append(paper, "QR "+string(c.data))
		}
	}
	want := append(append([]string{"Café Zoë"}, lines...), "QR "+f.QRText(), f.Code.String())
	if got, want := strings.Join(paper, "\n"), strings.Join(want, "\n"); got != want {
		t.Errorf("the slip reads:\n%s\nwant:\n%s", got, want)
	}
}

func TestSlipRasterQR(t *testing.T) {
	f := testFace(t, "Café Zoë")
	data, err := escpos.Slip(f, []string{"Purchase"}, escpos.Options{Width: escpos.Width80, Raster: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range parse(t, data) {
		if c.name == "GS ( k" {
			t.Fatal("a raster slip sends QR commands the printer lacks")
		}
	}
	if _, err := escpos.Slip(f, nil, escpos.Options{Width: 10}); err == nil {
		t.Error("Slip on a 10-dot printer: no error")
	}
}
