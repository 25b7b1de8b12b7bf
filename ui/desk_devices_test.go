package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/syncclient/tokentest"
	"github.com/merci-loyalty/merci/syncwire"
)

// testCloud is the real cloud server on loopback, over a SQLite file, with one shop.
type testCloud struct {
	db   *store.DB
	http *httptest.Server
	shop store.Shop
	code string // the owner's enrollment code
}

func startTestCloud(t *testing.T) *testCloud {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloud.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, server.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	c := &testCloud{db: db, http: httptest.NewServer(srv)}
	t.Cleanup(func() {
		srv.Close()
		c.http.Close()
		db.Close()
	})
	shop, code, err := db.CreateShop(ctx, "Boulangerie Lemoine")
	if err != nil {
		t.Fatal(err)
	}
	c.shop, c.code = shop, code.Code
	return c
}

// enroll enrolls a device the way a new device does with code, and returns it with
// its token.
func (c *testCloud) enroll(t *testing.T, code, name string) (store.Device, string) {
	t.Helper()
	dev, _, token, err := c.db.Enroll(context.Background(), code, name)
	if err != nil {
		t.Fatalf("enroll %s with %q: %v", name, code, err)
	}
	return dev, token
}

// status returns the server's answer to a pull with token.
func (c *testCloud) status(t *testing.T, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.http.URL+"/v1/sync/pull", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// connectUI gives u a sync client enrolled in c's shop with code, as "Till 1". Its
// spends wait for the cloud's check however busy the machine is.
func connectUI(t *testing.T, u *UI, c *testCloud, code string) {
	t.Helper()
	client := syncclient.New(u.store, syncclient.Config{Tokens: &tokentest.Memory{}, Logger: u.log, SpendTimeout: time.Hour})
	req := syncclient.JoinRequest{ServerURL: c.http.URL, Code: code, DeviceName: "Till 1", Local: localdb.LocalDataBring}
	if _, err := client.Join(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	u.SetSync(client)
}

// openDevices opens the owner's desk on its Devices page and waits for it to load.
func openDevices(t *testing.T, u *UI) *desk {
	t.Helper()
	// The test driver runs fyne.Do at once on the caller's goroutine: the page's two
	// loads take turns here as they do on Fyne's thread.
	var mu sync.Mutex
	u.do = func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
	}
	d := openOwnerDesk(t, u)
	d.win.Resize(fyne.NewSize(1366, 768))
	i := slices.IndexFunc(d.pages, func(p deskPage) bool { return p.key == "owner.nav.devices" })
	d.nav.Select(i)
	if got, want := d.title.Text, "Devices"; got != want {
		t.Fatalf("desk page %d is %q, want %q", i, got, want)
	}
	d.work.Wait()
	return d
}

// texts returns the strings of the visible labels and texts under o, one a line; the
// texts a label draws itself with are not counted again.
func texts(o fyne.CanvasObject) string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Button:
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return strings.Join(out, "\n")
}

// buttons returns the visible buttons under o whose text is text.
func buttons(o fyne.CanvasObject, text string) []*widget.Button {
	var out []*widget.Button
	for _, b := range findAll[*widget.Button](o) {
		if b.Text == text && b.Visible() {
			out = append(out, b)
		}
	}
	return out
}

// overdraw pushes, as dev, a redemption of all the points of a that the server
// never saw credited: the server takes the customer below zero.
func overdraw(t *testing.T, c *testCloud, dev store.Device, a localdb.Account) loyalty.Operation {
	t.Helper()
	op, err := loyalty.Debit(loyalty.Origin{Device: dev.ID, At: time.Now()}, a.Card, a.Balance, a.Balance.Points)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	ch := syncwire.Change{ID: op.ID, Type: syncwire.TypeOp, Key: op.ID, Body: body, Device: dev.ID, At: op.At}
	resp, err := c.db.Push(context.Background(), dev, []syncwire.Change{ch})
	if err != nil || len(resp.Accepted) != 1 {
		t.Fatalf("push the redemption: %+v, %v", resp, err)
	}
	return op
}

// The owner device's Devices page against the real server: it lists the devices and
// a customer taken below zero, makes a code that enrolls a new device, revokes another
// device, whose token the server then refuses, and says so when the server is gone.
func TestDevicesPage(t *testing.T) {
	ctx := context.Background()
	u := newTestUI(t)
	c := startTestCloud(t)
	connectUI(t, u, c, c.code)
	kioskCode, err := c.db.NewCode(ctx, c.shop.ID, syncwire.RoleTill)
	if err != nil {
		t.Fatal(err)
	}
	kiosk, kioskToken := c.enroll(t, kioskCode.Code, "Kiosk")
	accounts, err := u.store.Customers(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(accounts, func(a localdb.Account) bool { return a.Balance.Points > 0 && a.Customer.Name != "" })
	if i < 0 {
		t.Fatal("no demo customer with a name has points")
	}
	alice := accounts[i]
	overdraw(t, c, kiosk, alice)

	d := openDevices(t, u)
	page := texts(d.content)
	for _, want := range []string{"Boulangerie Lemoine", "Server: " + c.http.URL, "Till 1", "Kiosk", "This device",
		alice.Customer.Name, "went to -" + u.lang.Number(alice.Balance.Points) + " pts on "} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q; it shows:\n%s", want, page)
		}
	}
	if got, want := len(buttons(d.content, "Revoke")), 1; got != want {
		t.Errorf("%d Revoke buttons, want %d: the kiosk's, not this device's", got, want)
	}

	// Add a kiosk: the code shown enrolls it, as a kiosk.
	test.Tap(button(t, d.content, "Add a device"))
	kinds := findAll[*widget.RadioGroup](topOverlay(t, d.win))
	if len(kinds) != 1 || len(kinds[0].Options) != 3 || kinds[0].Selected != u.lang.T("devices.kind_till") {
		t.Fatalf("the new device's kinds = %+v, want till, kiosk and owner, till first", kinds)
	}
	kinds[0].SetSelected(u.lang.T("devices.kind_kiosk"))
	dialogButton(t, d.win, "Make the code")
	d.work.Wait()
	var code string
	for _, line := range strings.Split(texts(topOverlay(t, d.win)), "\n") {
		if len(line) == len("XXXX-XXXX-XXXX-XXXX") && strings.Count(line, "-") == 3 {
			code = line
		}
	}
	if code == "" {
		t.Fatalf("no code in the dialog:\n%s", texts(topOverlay(t, d.win)))
	}
	if shown := texts(topOverlay(t, d.win)); !strings.Contains(shown, c.http.URL) || !strings.Contains(shown, "Kiosk · works once, until ") {
		t.Errorf("the code's dialog does not give the server and the expiry:\n%s", shown)
	}
	dialogButton(t, d.win, "Close")
	if office, _ := c.enroll(t, code, "Office"); office.Role != syncwire.RoleKiosk {
		t.Errorf("the device enrolled with a kiosk code is a %s", office.Role)
	}

	// Revoke the kiosk.
	if got := c.status(t, kioskToken); got != http.StatusOK {
		t.Fatalf("the kiosk's token before revoking: status %d, want 200", got)
	}
	test.Tap(buttons(d.content, "Revoke")[0])
	if msg := texts(topOverlay(t, d.win)); !strings.Contains(msg, "Revoke Kiosk?") {
		t.Errorf("the confirmation does not name the kiosk:\n%s", msg)
	}
	dialogButton(t, d.win, "Revoke")
	d.work.Wait()
	if got, want := c.status(t, kioskToken), http.StatusUnauthorized; got != want {
		t.Errorf("the revoked kiosk's token: status %d, want %d", got, want)
	}
	page = texts(d.content)
	if got, want := strings.Count(page, "\nRevoked\n"), 1; got != want {
		t.Errorf("%d devices shown revoked, want %d:\n%s", got, want, page)
	}
	for _, want := range []string{"Office", "revoked " + time.Now().Format("2006-01-02")} {
		if !strings.Contains(page, want) {
			t.Errorf("after revoking, the page does not show %q:\n%s", want, page)
		}
	}
	if got, want := len(buttons(d.content, "Revoke")), 1; got != want {
		t.Errorf("after revoking: %d Revoke buttons, want %d (the office's)", got, want)
	}

	// The overdrawn customer opens in Customers.
	test.Tap(button(t, d.content, "Open"))
	if got, want := d.title.Text, "Customers"; got != want {
		t.Fatalf("after Open: page %q, want %q", got, want)
	}
	if got, want := findAll[*widget.Entry](d.content)[0].Text, alice.Code().String(); got != want {
		t.Errorf("Customers searches for %q, want the overdrawn customer's card %q", got, want)
	}
	if shown := texts(d.content); !strings.Contains(shown, "Card "+alice.Code().String()) {
		t.Errorf("Customers does not show the overdrawn customer's account:\n%s", shown)
	}

	// Offline: each list says so and offers to try again; the account stays shown.
	d.nav.Select(slices.IndexFunc(d.pages, func(p deskPage) bool { return p.key == "owner.nav.devices" }))
	d.work.Wait()
	c.http.Close()
	test.Tap(button(t, d.content, "Refresh"))
	d.work.Wait()
	page = texts(d.content)
	if got, want := strings.Count(page, "The cloud server cannot be reached."), 2; got != want {
		t.Errorf("offline: %d lists say the server cannot be reached, want %d:\n%s", got, want, page)
	}
	if got, want := len(buttons(d.content, "Try again")), 2; got != want {
		t.Errorf("offline: %d Try again buttons, want %d", got, want)
	}
	if !strings.Contains(page, "Boulangerie Lemoine") {
		t.Errorf("offline: the account is not shown:\n%s", page)
	}
}

// A device not in the cloud says so and offers to connect; a cashier device sees the
// overdrawn customers but cannot manage devices.
func TestDevicesPageNotOwner(t *testing.T) {
	ctx := context.Background()
	u := newTestUI(t)
	client := syncclient.New(u.store, syncclient.Config{Tokens: &tokentest.Memory{}, Logger: u.log})
	u.SetSync(client)
	d := openDevices(t, u)
	if page := texts(d.content); !strings.Contains(page, "This device is not connected to the cloud") {
		t.Errorf("not connected, the page shows:\n%s", page)
	}
	if b := button(t, d.content, "Connect to the cloud"); b.Disabled() {
		t.Errorf("Connect to the cloud is disabled")
	}

	c := startTestCloud(t)
	c.enroll(t, c.code, "Back office") // the owner device
	code, err := c.db.NewCode(ctx, c.shop.ID, syncwire.RoleTill)
	if err != nil {
		t.Fatal(err)
	}
	req := syncclient.JoinRequest{ServerURL: c.http.URL, Code: code.Code, DeviceName: "Till 2", Local: localdb.LocalDataBring}
	if _, err := client.Join(ctx, req); err != nil {
		t.Fatal(err)
	}
	d.reload()
	d.work.Wait()
	page := texts(d.content)
	for _, want := range []string{"managed from its owner device", "No customer is below zero."} {
		if !strings.Contains(page, want) {
			t.Errorf("cashier device: the page does not show %q:\n%s", want, page)
		}
	}
	if got := len(buttons(d.content, "Add a device")); got != 0 {
		t.Errorf("cashier device: %d Add a device buttons, want none", got)
	}
	if got := len(buttons(d.content, "Connect to the cloud")); got != 0 {
		t.Errorf("cashier device: %d Connect buttons, want none while its token works", got)
	}

	// Revoked, the device is told to connect again, and can from here.
	conn, err := client.Connection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.db.Revoke(ctx, c.shop.ID, conn.DeviceID); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, d.content, "Refresh"))
	d.work.Wait()
	if page := texts(d.content); !strings.Contains(page, "The cloud no longer accepts this device") {
		t.Errorf("revoked device: the page does not say so:\n%s", page)
	}
	if got, want := len(buttons(d.content, "Connect to the cloud")), 1; got != want {
		t.Errorf("revoked device: %d Connect buttons, want %d", got, want)
	}
}
