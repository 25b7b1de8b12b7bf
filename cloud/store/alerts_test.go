package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// opAt returns a credit of customer's card made at at, its id a UUIDv7 of that time as
// a till makes it.
func opAt(t *testing.T, customer string, at time.Time) syncwire.Change {
	t.Helper()
	u, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(u[:6], ms[2:])
	id := u.String()
	op := loyalty.Operation{ID: id, CustomerID: customer, CardCode: "K" + customer, Kind: loyalty.KindCredit,
		Delta: loyalty.Delta{Points: 1}, Amount: 500, Currency: "EUR", Device: "till-1", At: at}
	return synctest.Change(t, id, syncwire.TypeOp, id, op)
}

// alertMail writes an alert's email plainly, for the test to read.
func alertMail(m store.AlertMail) (string, string) {
	return "alert " + m.Alert.Key(), fmt.Sprintf("%s|%s|%s|%d", m.ShopName, m.CustomerName, m.Currency, m.Alert.Operations)
}

// The cloud emails the owner each alert once, as the operations reach it: counted in
// the days of the owner's zone, from the operations after the owner asked, never more
// than MaxAlertMailsPerDay a day.
func TestAlertMailsReachTheOwnerOnce(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		dev := mustDevice(t, db, "Café Lumière")
		queue := func() int {
			t.Helper()
			n, err := db.QueueAlertMails(ctx, alertMail)
			if err != nil {
				t.Fatalf("QueueAlertMails: %v", err)
			}
			return n
		}
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		// Before the owner asks, nothing is emailed, nor later for these operations.
		morning := time.Date(2026, 12, 6, 9, 0, 0, 0, paris)
		for i := range 4 {
			mustPush(t, db, dev, opAt(t, "early", morning.Add(time.Duration(i)*time.Minute)))
		}
		if n := queue(); n != 0 {
			t.Fatalf("queued %d alert emails with no address set, want 0", n)
		}
		rules := loyalty.AlertRules{OpsPerDay: 2, Email: "owner@example.com", Lang: "fr", Zone: "Europe/Paris"}
		mustPush(t, db, dev,
			synctest.Record(t, syncwire.TypeSetting, syncwire.SettingAlerts, rules),
			synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, loyalty.Program{Currency: "EUR", PointsPerVisit: 1}),
			synctest.Record(t, syncwire.TypeCustomer, "ana", loyalty.Customer{ID: "ana", Name: "Ana Souza", CreatedAt: synctest.At}))
		if n := queue(); n != 0 {
			t.Fatalf("queued %d alert emails for operations made before the address was set, want 0", n)
		}
		// Three operations on Ana's card on Dec 7 in Paris, one of them on Dec 6 in UTC.
		late := time.Date(2026, 12, 7, 0, 30, 0, 0, paris)
		mustPush(t, db, dev, opAt(t, "ana", late), opAt(t, "ana", late.Add(time.Hour)))
		if n := queue(); n != 0 {
			t.Fatalf("queued %d alert emails for two operations, want 0", n)
		}
		mustPush(t, db, dev, opAt(t, "ana", late.Add(2*time.Hour)))
		if n := queue(); n != 1 {
			t.Fatalf("queued %d alert emails for a third operation in the day, want 1", n)
		}
		mustPush(t, db, dev, opAt(t, "ana", late.Add(3*time.Hour)))
		if n := queue(); n != 0 {
			t.Errorf("queued %d alert emails for a fourth operation the owner was told of, want 0", n)
		}
		due, err := db.DueEmails(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := store.OutboxEmail{ShopID: dev.ShopID, ID: "alert:operations:2026-12-07:ana", To: "owner@example.com",
			Subject: "alert operations:2026-12-07:ana", Text: "Café Lumière|Ana Souza|EUR|3"}
		if len(due) != 1 || due[0] != want {
			t.Errorf("outbox = %+v, want %+v", due, want)
		}
		// A till gone wrong does not flood the owner.
		for i := range store.MaxAlertMailsPerDay + 5 {
			c := fmt.Sprintf("c%02d", i)
			mustPush(t, db, dev, opAt(t, c, late), opAt(t, c, late), opAt(t, c, late))
		}
		if n := queue(); n != store.MaxAlertMailsPerDay-1 {
			t.Errorf("queued %d more alert emails, want %d: at most %d a day", n, store.MaxAlertMailsPerDay-1, store.MaxAlertMailsPerDay)
		}
	})
}
