package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/skip2/go-qrcode"

	"github.com/merci-loyalty/merci/tablet"
)

// tabletPort is where the counter serves the customer screen on the shop's network,
// unless MERCI_TABLET_ADDR says otherwise.
const tabletPort = 8417

// customerTablet is the counter's tablet server, started once.
type customerTablet struct {
	srv  *tablet.Server
	base string // the address a tablet on the shop's network opens
	stop func() // ends the server and waits for its goroutines
}

// startTablet serves the customer screen on addr (":8417" style) for the app's
// lifetime; a second call returns the running server.
func (u *UI) startTablet(addr string) (*customerTablet, error) {
	if u.tablet != nil {
		return u.tablet, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve the customer tablet on %s: %w", addr, err)
	}
	srv := tablet.New(u.store, u.lang, u.log)
	ctx, cancel := context.WithCancel(context.Background())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	var running sync.WaitGroup
	running.Add(2)
	go func() {
		defer running.Done()
		srv.Run(ctx)
	}()
	go func() {
		defer running.Done()
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			u.log.Error("customer tablet server stopped", "err", err)
		}
	}()
	stop := func() {
		cancel() // ends Run and the requests in flight, which read the store
		hs.Close()
		running.Wait()
	}
	port := ln.Addr().(*net.TCPAddr).Port
	u.tablet = &customerTablet{srv: srv, base: "http://" + net.JoinHostPort(lanAddress(), strconv.Itoa(port)), stop: stop}
	return u.tablet, nil
}

// Close stops what the UI serves and closes its store: the app has ended, or the
// demo was left.
func (u *UI) Close() error {
	if u.tablet != nil {
		u.tablet.stop()
		u.tablet = nil
	}
	return u.store.Close()
}

// resumeTablet serves the customer screen at start when a tablet is paired, so the
// tablet works again after the counter restarts.
func (u *UI) resumeTablet() {
	tablets, err := u.store.Tablets(u.context())
	if err != nil {
		u.log.Error("customer tablet: list the paired tablets", "err", err)
		return
	}
	for _, t := range tablets {
		if t.RevokedAt.IsZero() {
			if _, err := u.startTablet(tabletAddr()); err != nil {
				u.log.Error("customer tablet", "err", err)
			}
			return
		}
	}
}

// tabletAddr is where the tablet server listens: every interface, for the shop's network.
func tabletAddr() string {
	if a := os.Getenv("MERCI_TABLET_ADDR"); a != "" {
		return a
	}
	return ":" + strconv.Itoa(tabletPort)
}

// lanAddress returns this computer's first IPv4 address on a network, or localhost.
func lanAddress() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return "localhost"
	}
	for _, i := range ifaces {
		if i.Flags&net.FlagUp == 0 || i.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := i.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	return "localhost"
}

// showTablets is Settings › Customer tablet: the address and a pairing QR for a new
// tablet, and the paired tablets, each revocable.
func (u *UI) showTablets(w fyne.Window) {
	l := u.lang
	t, err := u.startTablet(tabletAddr())
	if err != nil {
		dialog.ShowError(errors.New(l.T("tablet.err_listen")), w)
		u.log.Error("customer tablet", "err", err)
		return
	}
	code, err := t.srv.NewPairingCode()
	if err != nil {
		dialog.ShowError(errors.New(u.describe(err)), w)
		return
	}
	link := tablet.PairURL(t.base, code)
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		dialog.ShowError(errors.New(u.describe(err)), w)
		return
	}
	img := canvas.NewImageFromImage(q.Image(320))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(240, 240))
	addr := widget.NewLabel(l.T("tablet.address", t.base))
	addr.Wrapping = fyne.TextWrapWord
	how := widget.NewLabel(l.T("tablet.how"))
	how.Wrapping = fyne.TextWrapWord
	list := container.NewVBox()
	var refresh func()
	refresh = func() {
		list.RemoveAll()
		tablets, err := u.store.Tablets(u.context())
		if err != nil {
			dialog.ShowError(errors.New(u.describe(err)), w)
			return
		}
		if len(tablets) == 0 {
			list.Add(widget.NewLabel(l.T("tablet.none")))
		}
		for _, tb := range tablets {
			label := widget.NewLabel(l.T("tablet.paired_at", l.ShortDate(tb.PairedAt)) + " · " + tb.Name)
			label.Truncation = fyne.TextTruncateEllipsis
			var right fyne.CanvasObject = widget.NewLabel(l.T("tablet.revoked"))
			if tb.RevokedAt.IsZero() {
				id := tb.ID
				right = widget.NewButton(l.T("tablet.revoke"), func() {
					if err := u.store.RevokeTablet(u.context(), id); err != nil {
						dialog.ShowError(errors.New(u.describe(err)), w)
						return
					}
					refresh()
				})
			}
			list.Add(container.NewBorder(nil, nil, nil, right, label))
		}
	}
	refresh()
	body := container.NewVBox(how, container.NewCenter(img), addr, widget.NewSeparator(), widget.NewLabel(l.T("tablet.paired")), list)
	d := dialog.NewCustom(l.T("tablet.title"), l.T("kiosk.done"), body, w)
	d.Resize(fyne.NewSize(560, 640))
	d.Show()
}
