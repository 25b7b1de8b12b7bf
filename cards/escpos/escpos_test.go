package escpos_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/escpos"
	"github.com/merci-loyalty/merci/cards/escpos/escpostest"
)

// command is one parsed ESC/POS command; text is a run of printable bytes.
type command struct {
	name string // "ESC @", "GS ( k", "GS v 0", "GS V", "text", ...
	args []byte
	data []byte // text, QR store payload or raster bits
}

// parse splits an ESC/POS stream the way a printer reads it, failing on anything the
// Epson command reference would not accept.
func parse(t *testing.T, b []byte) []command {
	t.Helper()
	var cmds []command
	need := func(i, n int) {
		if i+n > len(b) {
			t.Fatalf("command at offset %d truncated: need %d bytes, have %d", i, n, len(b)-i)
		}
	}
	for i := 0; i < len(b); {
		switch {
		case b[i] == 0x1b:
			need(i, 2)
			switch b[i+1] {
			case '@':
				cmds = append(cmds, command{name: "ESC @"})
				i += 2
			case 't', 'a', 'E', 'd':
				need(i, 3)
				cmds = append(cmds, command{name: "ESC " + string(b[i+1]), args: b[i+2 : i+3]})
				i += 3
			default:
				t.Fatalf("unknown ESC %#x at offset %d", b[i+1], i)
			}
		case b[i] == 0x1d:
			need(i, 2)
			switch b[i+1] {
			case '!':
				need(i, 3)
				cmds = append(cmds, command{name: "GS !", args: b[i+2 : i+3]})
				i += 3
			case '(':
				need(i, 5)
				if b[i+2] != 'k' {
					t.Fatalf("unknown GS ( %c at offset %d", b[i+2], i)
				}
				n := int(b[i+3]) | int(b[i+4])<<8
				need(i, 5+n)
				p := b[i+5 : i+5+n]
				if len(p) < 2 || p[0] != 49 {
					t.Fatalf("GS ( k at offset %d: cn = %v, want 49 (QR code)", i, p)
				}
				c := command{name: "GS ( k", args: p[:2]}
				if p[1] == 80 { // store: fn, m = 48, data
					if len(p) < 3 || p[2] != 48 {
						t.Fatalf("GS ( k store at offset %d: m = %v, want 48", i, p)
					}
					c.data = p[3:]
				} else {
					c.args = p
				}
				cmds = append(cmds, c)
				i += 5 + n
			case 'v':
				need(i, 8)
				if b[i+2] != '0' {
					t.Fatalf("unknown GS v %c at offset %d", b[i+2], i)
				}
				w, h := int(b[i+4])|int(b[i+5])<<8, int(b[i+6])|int(b[i+7])<<8
				need(i, 8+w*h)
				cmds = append(cmds, command{name: "GS v 0", args: b[i+3 : i+8], data: b[i+8 : i+8+w*h]})
				i += 8 + w*h
			case 'V':
				need(i, 3)
				n := 3
				if b[i+2] == 65 || b[i+2] == 66 {
					n = 4
					need(i, 4)
				}
				cmds = append(cmds, command{name: "GS V", args: b[i+2 : i+n]})
				i += n
			default:
				t.Fatalf("unknown GS %#x at offset %d", b[i+1], i)
			}
		case b[i] == '\n' || b[i] >= 0x20:
			j := i
			for j < len(b) && (b[j] == '\n' || b[j] >= 0x20) {
				j++
			}
			cmds = append(cmds, command{name: "text", data: b[i:j]})
			i = j
		default:
			t.Fatalf("unexpected control byte %#x at offset %d", b[i], i)
		}
	}
	return cmds
}

func testFace(t *testing.T, shop string) cards.Face {
	t.Helper()
	code, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	return cards.Face{ShopName: shop, Code: code, QRPayload: cards.Payload("https://loyalty.example.com", code), Opening: "Opening balance 5.00 EUR"}
}

func receive(t *testing.T, got <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-got:
		return b
	case <-time.After(time.Minute): // a failure bound only
		t.Fatal("fake printer received nothing")
		return nil
	}
}

func TestCardNativeQR(t *testing.T) {
	for _, width := range []int{escpos.Width58, escpos.Width80} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := testFace(t, "Café Zoë")
			data, err := escpos.Card(f, escpos.Options{Width: width})
			if err != nil {
				t.Fatal(err)
			}
			printer := escpostest.Start(t)
			addr, got := printer.Addr, printer.Job
			if err := escpos.Send(context.Background(), addr, data); err != nil {
				t.Fatal(err)
			}
			received := receive(t, got)
			if !bytes.Equal(received, data) {
				t.Fatalf("printer received %d bytes, want the %d sent", len(received), len(data))
			}
			cmds := parse(t, received)
			if cmds[0].name != "ESC @" {
				t.Errorf("first command = %s, want ESC @ (initialise)", cmds[0].name)
			}
			if last := cmds[len(cmds)-1]; last.name != "GS V" {
				t.Errorf("last command = %s, want GS V (cut)", last.name)
			}
			qr := map[byte]command{}
			var order []byte
			var text strings.Builder
			for _, c := range cmds {
				switch c.name {
				case "GS ( k":
					qr[c.args[1]] = c
					order = append(order, c.args[1])
				case "text":
					text.Write(c.data)
				}
			}
			if got, want := fmt.Sprint(order), fmt.Sprint([]byte{65, 67, 69, 80, 81}); got != want {
				t.Fatalf("QR functions in order %s, want %s (model, size, ECC, store, print)", got, want)
			}
			if got := string(qr[80].data); got != f.QRText() {
				t.Errorf("QR store payload = %q, want %q", got, f.QRText())
			}
			if got := qr[65].args[2]; got != 50 {
				t.Errorf("QR model = %d, want 50 (model 2)", got)
			}
			if got := qr[69].args[2]; got != escpos.ECCHigh {
				t.Errorf("QR error correction = %d, want %d (H)", got, escpos.ECCHigh)
			}
			q, err := f.QR()
			if err != nil {
				t.Fatal(err)
			}
			modules := len(q.Bitmap()) - 8
			if size := int(qr[67].args[2]); size < 3 || size*modules > width*3/4 {
				t.Errorf("QR module size %d dots: a %d-module symbol is %d dots on %d-dot paper, want between 3 dots a module and 3/4 of the width", size, modules, size*modules, width)
			}
			for _, want := range []string{"Caf\xe9 Zo\xeb\n", f.Code.String() + "\n", f.Opening + "\n"} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("printed text %q lacks %q", text.String(), want)
				}
			}
		})
	}
}

// rasters joins runs of consecutive GS v 0 bands into images.
func rasters(t *testing.T, cmds []command) []*image.Gray {
	t.Helper()
	var imgs []*image.Gray
	var bands []command
	flush := func() {
		if len(bands) == 0 {
			return
		}
		w := int(bands[0].args[1]) | int(bands[0].args[2])<<8
		h := 0
		for _, b := range bands {
			if bw := int(b.args[1]) | int(b.args[2])<<8; bw != w {
				t.Fatalf("raster bands of widths %d and %d bytes", w, bw)
			}
			h += int(b.args[3]) | int(b.args[4])<<8
		}
		img := image.NewGray(image.Rect(0, 0, w*8, h))
		y := 0
		for _, b := range bands {
			for i, v := range b.data {
				for bit := range 8 {
					c := color.Gray{Y: 255}
					if v&(0x80>>bit) != 0 {
						c.Y = 0
					}
					img.SetGray((i%w)*8+bit, y+i/w, c)
				}
			}
			y += int(b.args[3]) | int(b.args[4])<<8
		}
		imgs = append(imgs, img)
		bands = nil
	}
	for _, c := range cmds {
		if c.name == "GS v 0" {
			bands = append(bands, c)
		} else {
			flush()
		}
	}
	flush()
	return imgs
}

func TestCardRasterQR(t *testing.T) {
	for _, width := range []int{escpos.Width58, escpos.Width80} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := testFace(t, "Книжная лавка")
			logo := image.NewRGBA(image.Rect(0, 0, 80, 40))
			for i := range logo.Pix {
				logo.Pix[i] = 0x80 // half-transparent grey
			}
			f.Logo = logo
			data, err := escpos.Card(f, escpos.Options{Width: width, Raster: true})
			if err != nil {
				t.Fatal(err)
			}
			cmds := parse(t, data)
			for _, c := range cmds {
				if c.name == "GS ( k" {
					t.Fatal("raster mode sent a GS ( k QR command")
				}
			}
			imgs := rasters(t, cmds)
			if len(imgs) != 2 {
				t.Fatalf("got %d raster images, want 2 (logo and QR)", len(imgs))
			}
			for _, img := range imgs {
				if img.Bounds().Dx() > width {
					t.Errorf("raster image %d dots wide on %d-dot paper", img.Bounds().Dx(), width)
				}
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(imgs[1])
			if err != nil {
				t.Fatal(err)
			}
			res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("decode raster QR: %v", err)
			}
			if res.GetText() != f.QRText() {
				t.Errorf("raster QR = %q, want %q", res.GetText(), f.QRText())
			}
			var text strings.Builder
			for _, c := range cmds {
				if c.name == "text" {
					text.Write(c.data)
				}
			}
			if want := "??????? ?????\n"; !strings.Contains(text.String(), want) {
				t.Errorf("printed text %q lacks %q (characters outside WPC1252 as ?)", text.String(), want)
			}
		})
	}
}

func TestCardBadInput(t *testing.T) {
	f := testFace(t, "Shop")
	if _, err := escpos.Card(f, escpos.Options{Width: 10}); err == nil {
		t.Error("Card with a 10-dot width: err = nil, want an error")
	}
	f.ShopName = ""
	if _, err := escpos.Card(f, escpos.Options{Width: escpos.Width58}); err == nil {
		t.Error("Card with no shop name: err = nil, want an error")
	}
}

func TestSendPrinterOff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the connection is refused
	err = escpos.Send(context.Background(), addr, []byte("x"))
	if !errors.Is(err, escpos.ErrUnreachable) {
		t.Fatalf("Send to a closed port: err = %v, want ErrUnreachable", err)
	}
	for _, want := range []string{addr, "refused", "switched on"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Send to a closed port: error %q does not mention %q", err, want)
		}
	}
}

func TestSendStalledPrinter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// The printer accepts the connection and never reads, as one out of paper does,
	// until the test is over. The job is cancelled once the printer has it: more than
	// the socket buffers hold, so the write is stuck until the cancel unblocks it.
	accepted, over := make(chan struct{}), make(chan struct{})
	defer close(over)
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			defer conn.Close()
			close(accepted)
			<-over
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-accepted
		cancel()
	}()
	sent := make(chan error, 1)
	go func() { sent <- escpos.Send(ctx, ln.Addr().String(), make([]byte, 32<<20)) }()
	select {
	case err := <-sent:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Send to a printer that never reads: err = %v, want the context's error", err)
		}
	case <-time.After(15 * time.Second): // a failure bound only, below the 20 s write timeout
		t.Fatal("Send to a printer that never reads still waits 15 s after its job was cancelled")
	}
}

func TestSendDevice(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(dev, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	data := []byte{0x1b, '@', 'h', 'i', '\n', 0x1d, 'V', 65, 0}
	if err := escpos.Send(context.Background(), dev, data); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dev); !bytes.Equal(got, data) {
		t.Errorf("device received %q, want %q", got, data)
	}
	missing := filepath.Join(t.TempDir(), "usb", "lp9")
	err := escpos.Send(context.Background(), missing, data)
	if !errors.Is(err, escpos.ErrUnreachable) || !strings.Contains(err.Error(), "plugged in") {
		t.Errorf("Send to a missing device: err = %v, want ErrUnreachable saying to plug the printer in", err)
	}
	if _, statErr := os.Stat(missing); statErr == nil {
		t.Error("Send to a missing device created a file")
	}
}
