package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// The owner's desk says, over every page, which changes of this device will not reach
// the cloud: here one the sync client set aside and one the server refused.
func TestDeskShowsChangesNotSynced(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	openDeskWindow := func() *desk {
		t.Helper()
		d := openOwnerDesk(t, u)
		return d
	}
	openDesk := func() string { return texts(openDeskWindow().win.Content()) }
	if got := openDesk(); strings.Contains(got, "will not reach the cloud") {
		t.Errorf("desk with every change synced says:\n%s", got)
	}

	err := u.store.SaveEnrollment(ctx, localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", ShopName: "Café", Epoch: "e1"})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := u.store.Outgoing(ctx, 2)
	if err != nil || len(batch) != 2 {
		t.Fatalf("Outgoing = %d changes, %v; want 2 of the demo shop", len(batch), err)
	}
	resp := syncwire.PushResponse{Rejected: []syncwire.Rejection{
		{ID: batch[0].ID, Code: localdb.CodeSetAside, Reason: "the server failed on this change 3 times"},
		{ID: batch[1].ID, Code: syncwire.CodeInvalid, Reason: "the body must be a JSON object"},
	}, Epoch: "e1"}
	if err := u.store.Acknowledge(ctx, batch, resp); err != nil {
		t.Fatal(err)
	}
	d := openDeskWindow()
	got := texts(d.win.Content())
	for _, want := range []string{
		"Changes made on this computer that will not reach the cloud: 2",
		"set aside: the server failed on it again and again",
		"refused by the server: the body must be a JSON object",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("desk does not say %q; it says:\n%s", want, got)
		}
	}
	// A set-aside record cannot be sent again (a later edit may be on the cloud): the
	// demo shop's first changes are records, so no button.
	if b := buttons(d.win.Content(), "Send the set-aside operations again (1)"); len(b) != 0 {
		t.Errorf("a button sends set-aside records again")
	}
}

// A set-aside operation can be sent again from the alert: it goes back to the queue.
func TestDeskSendsSetAsideOperationsAgain(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	err := u.store.SaveEnrollment(ctx, localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", ShopName: "Café", Epoch: "e1"})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := u.store.Customers(ctx, "")
	if err != nil || len(accounts) == 0 {
		t.Fatalf("Customers = %d, %v; want the demo shop's", len(accounts), err)
	}
	program, err := u.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	op, _, err := u.store.Record(ctx, cards.Code(accounts[0].Card.Code), func(a localdb.Account) (loyalty.Operation, error) {
		return program.Credit(loyalty.Origin{Device: "d1", At: time.Now()}, a.Card, 1250)
	})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := u.store.OutgoingOps(ctx, op.CustomerID)
	if err != nil || len(batch) == 0 || batch[len(batch)-1].ID != op.ID {
		t.Fatalf("OutgoingOps = %d, %v; want the credit last", len(batch), err)
	}
	batch = batch[len(batch)-1:]
	resp := syncwire.PushResponse{Rejected: []syncwire.Rejection{{ID: op.ID, Code: localdb.CodeSetAside, Reason: "failed 3 times"}}, Epoch: "e1"}
	if err := u.store.Acknowledge(ctx, batch, resp); err != nil {
		t.Fatal(err)
	}
	d := openOwnerDesk(t, u)
	if got, want := texts(d.win.Content()), "Purchase"; !strings.Contains(got, want) {
		t.Errorf("the alert does not name the operation (%q):\n%s", want, got)
	}
	again := buttons(d.win.Content(), "Send the set-aside operations again (1)")
	if len(again) != 1 {
		t.Fatalf("no button to send the set-aside operation again:\n%s", texts(d.win.Content()))
	}
	test.Tap(again[0])
	d.work.Wait()
	d.work.Wait() // the alert read again after the queue
	queued, err := u.store.OutgoingOps(ctx, op.CustomerID)
	if err != nil || len(queued) == 0 || queued[len(queued)-1].ID != op.ID {
		t.Errorf("after Send again, queued %d, %v; want the credit queued again", len(queued), err)
	}
	if got := texts(d.win.Content()); strings.Contains(got, "will not reach the cloud") {
		t.Errorf("the alert stays after the only change was queued again:\n%s", got)
	}
}
