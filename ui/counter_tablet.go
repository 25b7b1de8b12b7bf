package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	stop func() // stops serving; the server reports nothing after it returns
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
	reports := newEndingHandler(u.log.Handler())
	log := slog.New(reports)
	srv := tablet.New(u.store, u.lang, log)
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("customer tablet server stopped", "err", err)
		}
	}()
	// The server's goroutines are not waited for: a look for invitations may still
	// be under way, and fail once the store closes. Its reports end here instead.
	stop := func() {
		cancel()
		if err := hs.Close(); err != nil {
			log.Warn("close the customer tablet server", "err", err)
		}
		reports.end()
	}
	port := ln.Addr().(*net.TCPAddr).Port
	u.tablet = &customerTablet{srv: srv, base: "http://" + net.JoinHostPort(lanAddress(), strconv.Itoa(port)), stop: stop}
	return u.tablet, nil
}

// stopTablet stops serving the customer screen; the store may close after it.
func (u *UI) stopTablet() {
	if u.tablet != nil {
		u.tablet.stop()
		u.tablet = nil
	}
}

// endingHandler passes log records on until end, then drops them: what a stopped
// server's goroutines say about the store it no longer serves is noise (and, in a
// test, a log after the test's end).
type endingHandler struct {
	h     slog.Handler
	mu    *sync.RWMutex // held for reading while a record is passed on
	ended *bool
}

func newEndingHandler(h slog.Handler) *endingHandler {
	return &endingHandler{h: h, mu: &sync.RWMutex{}, ended: new(bool)}
}

// end returns once no record is being passed on, and drops every later one.
func (e *endingHandler) end() {
	e.mu.Lock()
	defer e.mu.Unlock()
	*e.ended = true
}

func (e *endingHandler) Enabled(ctx context.Context, l slog.Level) bool { return e.h.Enabled(ctx, l) }

func (e *endingHandler) Handle(ctx context.Context, r slog.Record) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if *e.ended {
		return nil
	}
	return e.h.Handle(ctx, r)
}

func (e *endingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &endingHandler{h: e.h.WithAttrs(attrs), mu: e.mu, ended: e.ended}
}

func (e *endingHandler) WithGroup(name string) slog.Handler {
	return &endingHandler{h: e.h.WithGroup(name), mu: e.mu, ended: e.ended}
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
