package syncclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
)

// The owner device lists the shop's devices, makes a code that enrolls one more and
// revokes another, whose token then stops working.
func TestOwnerManagesDevices(t *testing.T) {
	ctx := context.Background()
	c, till, kiosk, _ := shopOf(t, server.Config{})
	owner := till.client

	devs, err := owner.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(devs), 2; got != want {
		t.Fatalf("Devices() = %+v, want %d devices", devs, want)
	}
	if d := devs[0]; d.Name != "till" || !d.Owner || !d.This || d.Revoked() || d.EnrolledAt.IsZero() {
		t.Errorf("first device = %+v, want this device, the active owner till", d)
	}
	if d := devs[1]; d.Name != "kiosk" || d.Owner || d.This || d.Revoked() {
		t.Errorf("second device = %+v, want the active cashier kiosk", d)
	}

	code, err := owner.NewCode(ctx, syncclient.RoleTill)
	if err != nil {
		t.Fatal(err)
	}
	if code.Owner || code.ServerURL != c.url() || time.Until(code.ExpiresAt) < 24*time.Hour {
		t.Errorf("NewCode(cashier) = %+v, want a cashier code for %s valid for days", code, c.url())
	}
	office := newDevice(t, "office", false)
	office.enroll(code.ServerURL, code.Code)
	if err := newDevice(t, "again", false).client.Enroll(ctx, code.ServerURL, code.Code, "again"); !errors.Is(err, syncclient.ErrEnrollCode) {
		t.Errorf("a second Enroll with the same code = %v, want ErrEnrollCode", err)
	}
	if err := newDevice(t, "typo", false).client.Enroll(ctx, "cloud.example.com", code.Code, "typo"); !errors.Is(err, syncclient.ErrServerAddress) {
		t.Errorf("Enroll without https:// = %v, want ErrServerAddress", err)
	}
	if err := newDevice(t, "nowhere", false).client.Enroll(ctx, "http://127.0.0.1:1", code.Code, "nowhere"); !errors.Is(err, syncclient.ErrOffline) {
		t.Errorf("Enroll with no server there = %v, want ErrOffline", err)
	}

	if err := owner.Revoke(ctx, devs[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := owner.Revoke(ctx, devs[1].ID); err != nil {
		t.Errorf("Revoke of a revoked device: %v, want no error", err)
	}
	devs, err = owner.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(devs), 3; got != want {
		t.Fatalf("Devices() after a new one = %+v, want %d devices", devs, want)
	}
	if !devs[1].Revoked() || devs[0].Revoked() || devs[2].Revoked() || devs[2].Name != "office" {
		t.Errorf("Devices() after revoking the kiosk = %+v, want the kiosk alone revoked", devs)
	}
	if _, err := kiosk.client.Overdrawn(ctx); !errors.Is(err, syncclient.ErrRefused) {
		t.Errorf("revoked kiosk's Overdrawn() err = %v, want ErrRefused", err)
	}
	if _, err := office.client.Overdrawn(ctx); err != nil {
		t.Errorf("new office's Overdrawn(): %v", err)
	}
}

// Only the owner device manages devices; nobody revokes the device it asks from.
func TestDeviceManagementRefusals(t *testing.T) {
	ctx := context.Background()
	c, till, kiosk, _ := shopOf(t, server.Config{})
	tillID := deviceID(t, till)

	if _, err := kiosk.client.Devices(ctx); !errors.Is(err, syncclient.ErrNotOwner) {
		t.Errorf("cashier Devices() err = %v, want ErrNotOwner", err)
	}
	if _, err := kiosk.client.NewCode(ctx, syncclient.RoleOwner); !errors.Is(err, syncclient.ErrNotOwner) {
		t.Errorf("cashier NewCode() err = %v, want ErrNotOwner", err)
	}
	if err := kiosk.client.Revoke(ctx, tillID); !errors.Is(err, syncclient.ErrNotOwner) {
		t.Errorf("cashier Revoke(owner) err = %v, want ErrNotOwner", err)
	}
	if err := till.client.Revoke(ctx, tillID); !errors.Is(err, syncclient.ErrRevokeSelf) {
		t.Errorf("owner Revoke(itself) err = %v, want ErrRevokeSelf", err)
	}
	if err := till.client.Revoke(ctx, "no-such-device"); !errors.Is(err, syncclient.ErrUnknownDevice) {
		t.Errorf("Revoke(unknown) err = %v, want ErrUnknownDevice", err)
	}
	// Another shop's device is unknown too.
	other, otherCode, err := c.db.CreateShop(ctx, "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, _, err := c.db.Enroll(ctx, otherCode.Code, "stranger")
	if err != nil {
		t.Fatal(err)
	}
	if err := till.client.Revoke(ctx, stranger.ID); !errors.Is(err, syncclient.ErrUnknownDevice) {
		t.Errorf("Revoke(another shop's device) err = %v, want ErrUnknownDevice", err)
	}
	if devs, err := c.db.Devices(ctx, other.ID); err != nil || len(devs) != 1 || devs[0].RevokedAt != nil {
		t.Errorf("the other shop's devices = %+v, %v; want its device active", devs, err)
	}
	if code, err := till.client.NewCode(ctx, syncclient.RoleOwner); err != nil || !code.Owner {
		t.Errorf("owner NewCode(owner) = %+v, %v; want an owner code", code, err)
	}
}

// What a person is told when the account cannot be reached or the device is not in one.
func TestAccountErrors(t *testing.T) {
	ctx := context.Background()
	c, till, _, _ := shopOf(t, server.Config{})

	fresh := newDevice(t, "new", false)
	if _, err := fresh.client.Connection(ctx); !errors.Is(err, syncclient.ErrNotEnrolled) {
		t.Errorf("fresh Connection() err = %v, want ErrNotEnrolled", err)
	}
	if _, err := fresh.client.Devices(ctx); !errors.Is(err, syncclient.ErrNotEnrolled) {
		t.Errorf("fresh Devices() err = %v, want ErrNotEnrolled", err)
	}
	if _, err := fresh.client.NewCode(ctx, syncclient.RoleTill); !errors.Is(err, syncclient.ErrNotEnrolled) {
		t.Errorf("fresh NewCode() err = %v, want ErrNotEnrolled", err)
	}

	conn, err := till.client.Connection(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if conn.ServerURL != c.url() || conn.ShopName != "Café Merci" || conn.DeviceID != deviceID(t, till) {
		t.Errorf("Connection() = %+v, want the shop on %s", conn, c.url())
	}

	// Offline, the account is still known, read locally; its requests say offline.
	c.stop()
	if conn, err := till.client.Connection(ctx); err != nil || conn.ServerURL != c.url() {
		t.Errorf("Connection() offline = %+v, %v; want the account", conn, err)
	}
	if _, err := till.client.Devices(ctx); !errors.Is(err, syncclient.ErrOffline) {
		t.Errorf("Devices() with the server stopped err = %v, want ErrOffline", err)
	}

	// A token lost from the keyring: the device must be connected again.
	if err := syncclient.NewTokens(till.dir).Delete(c.url()); err != nil {
		t.Fatal(err)
	}
	if _, err := till.client.Overdrawn(ctx); !errors.Is(err, syncclient.ErrRefused) {
		t.Errorf("Overdrawn() without a token err = %v, want ErrRefused", err)
	}
}

// Two tills offline each redeem a customer's whole balance: the server lists the
// customer as overdrawn, to every device of the shop.
func TestOverdrawnAfterOfflineRedemptions(t *testing.T) {
	ctx := context.Background()
	c, till, kiosk, made := shopOf(t, server.Config{})
	var acct localdb.Account
	for _, code := range till.codes() {
		a, err := till.store.AccountByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if a.Balance.Points > 0 {
			acct = a
			break
		}
	}
	if acct.Balance.Points == 0 {
		t.Fatal("no demo card has points")
	}
	for _, d := range []*device{till, kiosk} {
		op, _, err := d.store.Record(ctx, acct.Code(), func(a localdb.Account) (loyalty.Operation, error) {
			return loyalty.Debit(loyalty.Origin{Device: d.store.Device(), At: time.Now()}, a.Card, a.Balance, a.Balance.Points)
		})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, op)
	}
	till.start()
	kiosk.start()
	settle(t, c, till, kiosk)
	checkConverged(t, c, made, till, kiosk)

	for _, d := range []*device{till, kiosk} {
		list, err := d.client.Overdrawn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Fatalf("%s: Overdrawn() = %+v, want one customer", d.name, list)
		}
		o := list[0]
		if o.CustomerID != acct.Customer.ID || o.Points != -acct.Balance.Points || o.OpID == "" || o.At.IsZero() {
			t.Errorf("%s: Overdrawn()[0] = %+v, want %s at %d points", d.name, o, acct.Customer.ID, -acct.Balance.Points)
		}
	}
}

// deviceID returns the server's id of d.
func deviceID(t *testing.T, d *device) string {
	t.Helper()
	st, err := d.store.SyncState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.DeviceID
}
