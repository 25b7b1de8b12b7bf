package syncclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/syncwire"
)

// folderDevice is a device started from its data folder, as the app starts: the
// shop's store, and the demo's apart.
func folderDevice(t *testing.T, name string) (*device, localdb.Folder) {
	t.Helper()
	d := &device{t: t, name: name, dir: t.TempDir()}
	return d, localdb.Folder{Dir: d.dir, Log: quiet}
}

// open opens the folder's shop store as the device's store, with its sync client.
func (d *device) open(f localdb.Folder) {
	d.t.Helper()
	s, err := f.OpenShop(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { s.Close() })
	d.store, d.client = s, syncclient.New(s, clientConfig(d.dir))
}

// The bug of issue 11: every device used to seed the demo shop in its own store on
// first start, and a device connected afterwards pushed the demo's program, shop name,
// staff and customers into the real shop's account. Here a real shop runs on its owner
// device; a second till that ran the demo (an older version's, in its shop file) and
// then a fresh kiosk join it. The demo cannot be connected, and afterwards every device
// and the server hold the same program, shop, staff and customers, and nothing of the
// demo is on the server.
func TestDemoDeviceJoiningRealShopPushesNoDemo(t *testing.T) {
	ctx := context.Background()
	c := startCloud(t, server.Config{})

	// The owner sets up the real shop and works with it, then connects it.
	owner, ownerDir := folderDevice(t, "back office")
	owner.open(ownerDir)
	program := loyalty.Starter(loyalty.StarterPerAmount, "EUR", "Croissant offert")
	if _, err := owner.store.SetUpShop(ctx, localdb.Setup{
		Shop:      localdb.Shop{Name: "Boulangerie Lemoine", Languages: []string{"fr", "en"}},
		Program:   program,
		OwnerName: "Claire",
		OwnerPIN:  "4821",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.store.AddStaff(ctx, "Hugo", localdb.RoleCashier, "5930"); err != nil {
		t.Fatal(err)
	}
	var made []loyalty.Operation
	for _, name := range []string{"Inès Moreau", "Paul Girard", "Léa Fontaine"} {
		a, err := owner.store.NewAccount(ctx, loyalty.Customer{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		op, _, err := owner.store.Record(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
			return program.Credit(loyalty.Origin{Device: owner.store.Device(), At: time.Now()}, a.Card, 1250)
		})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, op)
	}
	if _, err := owner.client.Join(ctx, syncclient.JoinRequest{ServerURL: c.url(), Code: c.code, DeviceName: owner.name}); !errors.Is(err, localdb.ErrOwnData) {
		t.Fatalf("connecting a shop with data of its own with no choice: err = %v, want ErrOwnData", err)
	}
	if _, err := owner.client.Join(ctx, syncclient.JoinRequest{ServerURL: c.url(), Code: c.code, DeviceName: owner.name, Local: localdb.LocalDataBring}); err != nil {
		t.Fatal(err)
	}
	owner.start()
	settle(t, c, owner)

	// The second till ran the demo of an older version, which lived in its shop file.
	till, tillDir := folderDevice(t, "till 2")
	old, err := localdb.Open(ctx, filepath.Join(till.dir, localdb.ShopFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := old.SeedSample(ctx, localdb.Shop{Name: "Café Merci (demo)", Demo: true}); err != nil {
		t.Fatal(err)
	}
	old.Close()
	start, err := tillDir.Start(ctx)
	if err != nil || start != localdb.StartDemo {
		t.Fatalf("Start() with an older version's demo = %v, %v; want StartDemo", start, err)
	}
	demo, err := tillDir.OpenDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	demoRecords := demoKeys(t, demo)
	code := c.newCode()
	// Connecting the demo is refused, whatever the choice, before the code is used.
	for _, local := range []localdb.LocalData{localdb.LocalDataNone, localdb.LocalDataBring} {
		req := syncclient.JoinRequest{ServerURL: c.url(), Code: code, DeviceName: till.name, Local: local}
		if _, err := syncclient.New(demo, clientConfig(till.dir)).Join(ctx, req); !errors.Is(err, localdb.ErrDemo) {
			t.Errorf("Join of the demo with choice %d: err = %v, want ErrDemo", local, err)
		}
	}
	if err := demo.SaveEnrollment(ctx, localdb.SyncState{ServerURL: c.url(), DeviceID: "d", ShopID: c.shop.ID}); !errors.Is(err, localdb.ErrDemo) {
		t.Errorf("SaveEnrollment of the demo: err = %v, want ErrDemo", err)
	}
	// Leaving the demo deletes it; the till joins the shop from an empty store.
	demo.Close()
	if err := tillDir.RemoveDemo(); err != nil {
		t.Fatal(err)
	}
	if start, err := tillDir.Start(ctx); err != nil || start != localdb.StartChoice {
		t.Fatalf("Start() after leaving the demo = %v, %v; want StartChoice", start, err)
	}
	till.open(tillDir)
	var steps []syncclient.JoinProgress
	joined, err := till.client.Join(ctx, syncclient.JoinRequest{ServerURL: c.url(), Code: code, DeviceName: till.name,
		Progress: func(p syncclient.JoinProgress) { steps = append(steps, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if joined.ShopName != "Café Merci" {
		t.Errorf("joined shop %q, want the cloud's Café Merci", joined.ShopName)
	}
	if len(steps) < 2 {
		t.Fatalf("%d progress reports, want one before and one after each page", len(steps))
	}
	last := steps[len(steps)-1]
	if last.Fraction() != 1 || last.Customers != 3 || last.Operations != 3 || last.Changes != len(c.log()) {
		t.Errorf("last progress = %+v (%.2f), want all %d changes, 3 customers, 3 operations", last, last.Fraction(), len(c.log()))
	}
	if n := till.pending(); n != 0 {
		t.Errorf("the till joined with %d changes to send, want none", n)
	}

	// A fresh kiosk joins too.
	kiosk, kioskDir := folderDevice(t, "kiosk")
	kiosk.open(kioskDir)
	if err := kiosk.client.Enroll(ctx, c.url(), c.newCode(), kiosk.name); err != nil {
		t.Fatal(err)
	}

	till.start()
	kiosk.start()
	settle(t, c, owner, till, kiosk)
	checkConverged(t, c, made, owner, till, kiosk)
	want := shopView(t, owner)
	if want.Shop.Name != "Boulangerie Lemoine" || want.Shop.Demo || len(want.Staff) != 2 || len(want.Customers) != 3 {
		t.Errorf("the owner's shop = %+v, want Boulangerie Lemoine, its 2 staff and 3 customers", want)
	}
	if diff := cmp.Diff(program, want.Program); diff != "" {
		t.Errorf("the owner's program changed (-set up +now):\n%s", diff)
	}
	for _, d := range []*device{till, kiosk} {
		if diff := cmp.Diff(want, shopView(t, d)); diff != "" {
			t.Errorf("%s differs from the owner device (-owner +%s):\n%s", d.name, d.name, diff)
		}
	}
	if diff := cmp.Diff(want, serverView(t, c)); diff != "" {
		t.Errorf("the server differs from the owner device (-owner +server):\n%s", diff)
	}
	for _, ch := range c.log() {
		if demoRecords[ch.Key] || demoRecords[ch.ID] {
			t.Errorf("the server holds %s %s of the demo", ch.Type, ch.Key)
		}
	}
	if _, err := owner.store.StaffByPIN(ctx, "4821", localdb.RoleOwner); err != nil {
		t.Errorf("the owner's PIN on the owner device: %v", err)
	}
	for _, d := range []*device{till, kiosk} {
		if _, err := d.store.StaffByPIN(ctx, "4821", localdb.RoleOwner); err != nil {
			t.Errorf("the owner's PIN on %s: %v", d.name, err)
		}
		if _, err := d.store.StaffByPIN(ctx, localdb.DemoOwnerPIN, ""); !errors.Is(err, localdb.ErrWrongPIN) {
			t.Errorf("the demo's owner PIN on %s: err = %v, want ErrWrongPIN", d.name, err)
		}
	}
}

// A device with a shop of its own joins another only by an explicit choice: brought
// in, its customers join the shop as new ones and the shop's settings win; discarded,
// they are gone from the device, kept in a copy beside it, and never reach the shop.
func TestOwnDataJoinsOnlyByChoice(t *testing.T) {
	ctx := context.Background()
	c, a, _, made := shopOf(t, server.Config{})
	shop := shopView(t, a)
	for _, local := range []localdb.LocalData{localdb.LocalDataBring, localdb.LocalDataDiscard} {
		d, f := folderDevice(t, "till")
		d.open(f)
		if _, err := d.store.SetUpShop(ctx, localdb.Setup{Shop: localdb.Shop{Name: "Mistake"},
			Program: loyalty.Starter(loyalty.StarterCashback, "BRL", "Brinde"), OwnerName: "Zé", OwnerPIN: "7777"}); err != nil {
			t.Fatal(err)
		}
		own, err := d.store.NewAccount(ctx, loyalty.Customer{Name: "Own customer"})
		if err != nil {
			t.Fatal(err)
		}
		code := c.newCode()
		if _, err := d.client.Join(ctx, syncclient.JoinRequest{ServerURL: c.url(), Code: code, DeviceName: "till"}); !errors.Is(err, localdb.ErrOwnData) {
			t.Fatalf("Join with no choice: err = %v, want ErrOwnData", err)
		}
		joined, err := d.client.Join(ctx, syncclient.JoinRequest{ServerURL: c.url(), Code: code, DeviceName: "till", Local: local})
		if err != nil {
			t.Fatalf("Join with choice %d: %v (the refused join must not use the code)", local, err)
		}
		d.start()
		a.start()
		settle(t, c, a, d)
		a.stop()
		d.stop()
		got := shopView(t, d)
		if diff := cmp.Diff(shop.Program, got.Program); diff != "" {
			t.Errorf("choice %d: the shop's program was not kept (-shop +now):\n%s", local, diff)
		}
		if diff := cmp.Diff(shop.Shop, got.Shop); diff != "" {
			t.Errorf("choice %d: the shop's name was not kept (-shop +now):\n%s", local, diff)
		}
		_, onServer := serverView(t, c).Customers[own.Customer.ID]
		switch local {
		case localdb.LocalDataBring:
			if !onServer {
				t.Errorf("brought in: the device's own customer is not on the server")
			}
		case localdb.LocalDataDiscard:
			if onServer {
				t.Errorf("discarded: the device's own customer reached the server")
			}
			kept, err := localdb.Open(ctx, joined.Backup)
			if err != nil {
				t.Fatalf("the copy of the discarded store: %v", err)
			}
			if _, err := kept.AccountByCode(ctx, own.Code()); err != nil {
				t.Errorf("the copy lacks the discarded customer: %v", err)
			}
			kept.Close()
		}
		checkConverged(t, c, made, a, d)
	}
}

// shopViewOf is what the issue asks to be identical everywhere.
type shopViewOf struct {
	Program   loyalty.Program
	Shop      localdb.Shop
	Staff     map[string]string // id -> name|role|PIN hash
	Customers map[string]string // id -> name
}

func shopView(t *testing.T, d *device) shopViewOf {
	t.Helper()
	ctx := context.Background()
	v := shopViewOf{Staff: map[string]string{}, Customers: map[string]string{}}
	var err error
	if v.Program, err = d.store.Program(ctx); err != nil {
		t.Fatalf("%s: %v", d.name, err)
	}
	if v.Shop, err = d.store.Shop(ctx); err != nil {
		t.Fatalf("%s: %v", d.name, err)
	}
	for _, q := range []struct {
		query string
		into  map[string]string
	}{
		{`SELECT id, name || '|' || role || '|' || pin_hash FROM staff`, v.Staff},
		{`SELECT id, name FROM customers`, v.Customers},
	} {
		rows, err := d.store.DB().QueryContext(ctx, q.query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, val string
			if err := rows.Scan(&k, &val); err != nil {
				t.Fatal(err)
			}
			q.into[k] = val
		}
		rows.Close()
	}
	return v
}

// serverView reads the same from the server's log: the last value of each record.
func serverView(t *testing.T, c *cloud) shopViewOf {
	t.Helper()
	v := shopViewOf{Staff: map[string]string{}, Customers: map[string]string{}}
	for _, ch := range c.log() {
		var err error
		switch ch.Type {
		case syncwire.TypeSetting:
			switch ch.Key {
			case localdb.SettingProgram:
				err = json.Unmarshal(ch.Body, &v.Program)
			case localdb.SettingShop:
				v.Shop = localdb.Shop{}
				err = json.Unmarshal(ch.Body, &v.Shop)
			}
		case localdb.TypeStaff:
			var st struct {
				Name    string `json:"name"`
				Role    string `json:"role"`
				Hash    string `json:"pin_hash"`
				Removed bool   `json:"removed"`
			}
			err = json.Unmarshal(ch.Body, &st)
			delete(v.Staff, ch.Key)
			if !st.Removed {
				v.Staff[ch.Key] = st.Name + "|" + st.Role + "|" + st.Hash
			}
		case syncwire.TypeCustomer:
			var cu loyalty.Customer
			err = json.Unmarshal(ch.Body, &cu)
			v.Customers[ch.Key] = cu.Name
		}
		if err != nil {
			t.Fatalf("server's %s %s: %v", ch.Type, ch.Key, err)
		}
	}
	return v
}

// demoKeys returns the ids and keys of everything the demo store holds or queued.
func demoKeys(t *testing.T, s *localdb.Store) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	rows, err := s.DB().Query(`SELECT id FROM customers UNION SELECT code FROM cards UNION SELECT id FROM operations
		UNION SELECT id FROM staff UNION SELECT change_id FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys[k] = true
	}
	if len(keys) < 10 {
		t.Fatalf("the demo holds %d records, want its customers, cards, operations and staff", len(keys))
	}
	return keys
}
