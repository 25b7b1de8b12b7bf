package ui

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
	"github.com/merci-loyalty/merci/scanner"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/syncclient/tokentest"
	"github.com/merci-loyalty/merci/syncwire"
)

// testLauncher is the app's start over a data folder of its own, with the test driver.
type testLauncher struct {
	*Launcher
	t       *testing.T
	dir     string
	tokens  *tokentest.Memory
	clients []*syncclient.Client
	// progress notes what the progress bar shows after each report of a join.
	progress []float64
	// loop receives the work the join's goroutine hands to the UI goroutine, which the
	// test runs on its own, as Fyne's loop would.
	loop chan func()
}

func newTestLauncher(t *testing.T) *testLauncher {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("LANG", "en_US.UTF-8")
	a := test.NewTempApp(t)
	tl := &testLauncher{t: t, dir: t.TempDir(), tokens: &tokentest.Memory{}, loop: make(chan func())}
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	startSync := func(store *localdb.Store, onStatus func(syncclient.Status)) Syncer {
		c := syncclient.New(store, syncclient.Config{Tokens: tl.tokens, Logger: log, OnStatus: onStatus})
		tl.clients = append(tl.clients, c)
		return progressSpy{c, tl}
	}
	show := func(u *UI) fyne.Window {
		u.openCamera = func(string) (scanner.Source, error) { return nil, scanner.ErrNoCamera }
		return u.ShowCounter()
	}
	tl.Launcher = NewLauncher(a, i18n.English, log, localdb.Folder{Dir: tl.dir, Log: log}, startSync, show)
	tl.do = func(f func()) { tl.loop <- f }
	t.Cleanup(tl.Close)
	if err := tl.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tl
}

// progressSpy passes a join's progress to the screen, then notes what its bar shows.
type progressSpy struct {
	*syncclient.Client
	tl *testLauncher
}

func (s progressSpy) Join(ctx context.Context, req syncclient.JoinRequest) (syncclient.Joined, error) {
	show := req.Progress
	if show == nil {
		return s.Client.Join(ctx, req)
	}
	req.Progress = func(p syncclient.JoinProgress) {
		show(p)
		s.tl.do(func() {
			for _, bar := range findAll[*widget.ProgressBar](s.tl.win.Content()) {
				s.tl.progress = append(s.tl.progress, bar.Value)
			}
		})
	}
	return s.Client.Join(ctx, req)
}

// windows returns the windows open with something in it (the test app keeps an empty
// one of its own).
func (tl *testLauncher) windows() []fyne.Window {
	var open []fyne.Window
	for _, w := range slices.Clone(tl.app.Driver().AllWindows()) {
		if w.Content() != nil {
			open = append(open, w)
		}
	}
	return open
}

// window returns the only window open.
func (tl *testLauncher) window() fyne.Window {
	tl.t.Helper()
	open := tl.windows()
	if len(open) != 1 {
		for _, w := range open {
			tl.t.Logf("window %q:\n%s", w.Title(), texts(w.Content()))
		}
		tl.t.Fatalf("%d windows open, want 1", len(open))
	}
	return open[0]
}

// until runs the work handed to the UI goroutine until cond holds.
func (tl *testLauncher) until(cond func() bool) {
	tl.t.Helper()
	for !cond() {
		select {
		case f := <-tl.loop:
			f()
		case <-time.After(30 * time.Second):
			tl.t.Fatalf("nothing happened in 30 s; the page shows:\n%s", texts(tl.window().Content()))
		}
	}
}

func (tl *testLauncher) tap(label string) {
	tl.t.Helper()
	test.Tap(button(tl.t, tl.window().Content(), label))
}

// typeInto types text into the entry whose placeholder is placeholder, or into the
// index-th entry of the page when placeholder is empty.
func (tl *testLauncher) typeInto(index int, text string) {
	tl.t.Helper()
	entries := findAll[*widget.Entry](tl.window().Content())
	if index >= len(entries) {
		tl.t.Fatalf("the page has %d entries, want %d or more", len(entries), index+1)
	}
	entries[index].SetText(text)
}

func (tl *testLauncher) exists(name string) bool {
	_, err := os.Stat(filepath.Join(tl.dir, name))
	return err == nil
}

// A new device asks what it is for; the demo opens with its banner and never has a
// sync client; leaving it deletes it and opens the shop's setup, which a restart
// shows again until the shop is set up.
func TestFirstStartDemoThenLeave(t *testing.T) {
	tl := newTestLauncher(t)
	page := texts(tl.window().Content())
	for _, want := range []string{"Welcome to Merci", "What is this device for?", "Try the demo", "Set up my shop", "Join my shop"} {
		if !strings.Contains(page, want) {
			t.Errorf("the first start does not show %q:\n%s", want, page)
		}
	}
	tl.tap("Open the demo")
	counter := tl.window()
	if page := texts(counter.Content()); !strings.Contains(page, "DEMO SHOP") || !strings.Contains(page, "Café Merci (demo)") {
		t.Errorf("the demo's counter lacks its banner:\n%s", page)
	}
	if !tl.exists(localdb.DemoFile) || tl.exists(localdb.ShopFile) {
		t.Errorf("the demo must live in %s alone", localdb.DemoFile)
	}
	if len(tl.clients) != 0 {
		t.Errorf("the demo got a sync client")
	}
	tl.demo.showConnect(counter, nil)
	if got := texts(topOverlay(t, counter)); !strings.Contains(got, "demo shop cannot be connected") {
		t.Errorf("connecting the demo says:\n%s", got)
	}
	counter.Canvas().Overlays().Top().Hide()

	tl.tap("Leave the demo")
	test.Tap(button(t, topOverlay(t, counter), "Yes"))
	if tl.exists(localdb.DemoFile) {
		t.Errorf("the demo was not deleted")
	}
	if page := texts(tl.window().Content()); !strings.Contains(page, "Set up your shop") {
		t.Errorf("leaving the demo shows:\n%s", page)
	}
}

// Setting up the shop checks what it is given, then opens the counter of the shop
// with its program, owner and languages.
func TestFirstStartSetUpShop(t *testing.T) {
	tl := newTestLauncher(t)
	tl.tap("Set up my shop")
	tl.typeInto(0, "Boulangerie Lemoine")
	tl.typeInto(1, "Claire")
	tl.typeInto(2, "4821")
	tl.typeInto(3, "4812")
	tl.tap("Create my shop")
	if page := texts(tl.window().Content()); !strings.Contains(page, "The two PINs differ") {
		t.Fatalf("mismatched PINs: the page shows:\n%s", page)
	}
	tl.typeInto(3, "4821")
	tl.tap("Create my shop")
	if page := texts(tl.window().Content()); !strings.Contains(page, "Boulangerie Lemoine") || strings.Contains(page, "DEMO") {
		t.Errorf("the shop's counter shows:\n%s", page)
	}
	ctx := context.Background()
	store := tl.shop.store
	shop, err := store.Shop(ctx)
	if err != nil || shop.Name != "Boulangerie Lemoine" || shop.Demo || len(shop.Languages) != 3 || shop.Languages[0] != "en" {
		t.Errorf("Shop() = %+v, %v", shop, err)
	}
	p, err := store.Program(ctx)
	if err != nil || p.Currency != "USD" || p.PointsPerVisit != 1 || len(p.Rewards) != 1 || p.Rewards[0].Name != "A free coffee" {
		t.Errorf("Program() = %+v, %v; want the points-per-visit starter in USD", p, err)
	}
	if st, err := store.StaffByPIN(ctx, "4821", localdb.RoleOwner); err != nil || st.Name != "Claire" {
		t.Errorf("owner = %+v, %v", st, err)
	}
	if tl.exists(localdb.DemoFile) {
		t.Errorf("setting up made a demo")
	}
}

// Joining pulls the whole shop, with the progress bar filling up, before the counter
// opens on the shop's own program and customers.
func TestFirstStartJoinShop(t *testing.T) {
	ctx := context.Background()
	c := startTestCloud(t)
	// The owner device holds the shop and sends it to the cloud.
	ownerStore := localdbtest.Open(t, localdb.Shop{Name: "Boulangerie Lemoine"})
	// The client announces each status; the store, read then, says whether all is pushed.
	statuses := make(chan struct{}, 1)
	owner := syncclient.New(ownerStore, syncclient.Config{Tokens: &tokentest.Memory{}, Logger: slog.New(slog.DiscardHandler), PullWait: 100 * time.Millisecond,
		OnStatus: func(syncclient.Status) {
			select {
			case statuses <- struct{}{}:
			default:
			}
		}})
	if _, err := owner.Join(ctx, syncclient.JoinRequest{ServerURL: c.http.URL, Code: c.code, DeviceName: "Back office", Local: localdb.LocalDataBring}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); owner.Run(runCtx) }()
	timeout := time.After(30 * time.Second) // a failure bound only
	for {
		if n, err := ownerStore.Pending(ctx); err == nil && n == 0 {
			break
		}
		select {
		case <-statuses:
		case <-timeout:
			t.Fatal("the owner device did not push its shop in 30 s")
		}
	}
	stop()
	<-done
	code, err := c.db.NewCode(ctx, c.shop.ID, syncwire.RoleTill)
	if err != nil {
		t.Fatal(err)
	}

	tl := newTestLauncher(t)
	tl.tap("Join my shop")
	tl.typeInto(0, c.http.URL)
	tl.typeInto(1, "WRONG-CODE")
	tl.tap("Join my shop")
	tl.until(func() bool { return strings.Contains(texts(tl.window().Content()), "code is wrong") })
	tl.typeInto(1, code.Code)
	tl.tap("Join my shop")
	tl.until(func() bool {
		ws := tl.windows()
		return len(ws) == 1 && strings.Contains(texts(ws[0].Content()), "Boulangerie Lemoine")
	})
	if len(tl.progress) < 2 || tl.progress[len(tl.progress)-1] != 1 {
		t.Errorf("the progress bar showed %v, want it to fill up to 1", tl.progress)
	}
	if n, ops, err := tl.shop.store.Counts(ctx); err != nil || n != 4 || ops != 5 {
		t.Errorf("joined with %d customers and %d operations (%v), want the shop's 4 and 5", n, ops, err)
	}
	if _, err := tl.shop.store.StaffByPIN(ctx, localdb.DemoOwnerPIN, localdb.RoleOwner); err != nil {
		t.Errorf("the shop's owner PIN on the joined device: %v", err)
	}
	if _, err := tl.shop.store.Joining(ctx); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("the join is not finished: %v", err)
	}
}

// A device with customers of its own is connected to a shop only by a choice made in a
// dialog and confirmed: here, discarding them, after which it holds the shop alone and
// the owner reads where the copy is.
func TestConnectAsksWhatBecomesOfOwnData(t *testing.T) {
	ctx := context.Background()
	u := newTestUI(t)
	calls := make(chan func())
	u.do = func(f func()) { calls <- f }
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	// run runs what the join hands to the UI goroutine until a dialog says want.
	run := func(want string) {
		t.Helper()
		for {
			if top := w.Canvas().Overlays().Top(); top != nil && strings.Contains(texts(top), want) {
				return
			}
			select {
			case f := <-calls:
				f()
			case <-time.After(30 * time.Second):
				t.Fatalf("no dialog says %q in 30 s", want)
			}
		}
	}
	c := startTestCloud(t)
	u.SetSync(syncclient.New(u.store, syncclient.Config{Tokens: &tokentest.Memory{}, Logger: u.log}))
	u.showConnect(w, nil)
	entries := findAll[*widget.Entry](topOverlay(t, w))
	if len(entries) != 3 {
		t.Fatalf("the connect form has %d entries, want 3", len(entries))
	}
	entries[0].SetText(c.http.URL)
	entries[1].SetText(c.code)
	test.Tap(button(t, topOverlay(t, w), "Connect to the cloud"))
	run("4 customers and 5 operations")
	test.Tap(button(t, topOverlay(t, w), "Discard them"))
	if _, err := u.store.SyncState(ctx); !errors.Is(err, localdb.ErrNotFound) {
		t.Fatalf("the device joined before the discarding was confirmed: %v", err)
	}
	test.Tap(button(t, topOverlay(t, w), "Yes"))
	run("The discarded data is kept in")
	if n, ops, err := u.store.Counts(ctx); err != nil || n != 0 || ops != 0 {
		t.Errorf("after discarding: %d customers, %d operations (%v), want the empty shop's none", n, ops, err)
	}
	if _, err := u.store.SyncState(ctx); err != nil {
		t.Errorf("the device is not connected: %v", err)
	}
}

// A shop set up here, with no customer yet, connects to its new cloud account without
// a question, and its program goes up: it is the shop's first device.
func TestSetUpShopConnectsWithoutAsking(t *testing.T) {
	ctx := context.Background()
	c := startTestCloud(t)
	tl := newTestLauncher(t)
	tl.tap("Set up my shop")
	tl.typeInto(0, "Boulangerie Lemoine")
	tl.typeInto(1, "Claire")
	tl.typeInto(2, "4821")
	tl.typeInto(3, "4821")
	tl.tap("Create my shop")
	counter := tl.window()
	tl.shop.showConnect(counter, nil)
	entries := findAll[*widget.Entry](topOverlay(t, counter))
	entries[0].SetText(c.http.URL)
	entries[1].SetText(c.code)
	test.Tap(button(t, topOverlay(t, counter), "Connect to the cloud"))
	tl.until(func() bool {
		top := counter.Canvas().Overlays().Top()
		return top != nil && strings.Contains(texts(top), "This device is connected")
	})
	if _, err := tl.shop.store.SyncState(ctx); err != nil {
		t.Fatalf("not connected: %v", err)
	}
	if p, err := tl.shop.store.Program(ctx); err != nil || p.PointsPerVisit != 1 {
		t.Errorf("the program after connecting = %+v, %v; want the one set up", p, err)
	}
	if n, err := tl.shop.store.Pending(ctx); err != nil || n == 0 {
		t.Errorf("%d changes to send (%v), want the shop's settings and owner", n, err)
	}
}
