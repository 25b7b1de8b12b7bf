package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cloud/api"
	"github.com/merci-loyalty/merci/localdb"
)

// The owner's desk says, over every page, which changes of this device will not reach
// the cloud: here one the sync client set aside and one the server refused.
func TestDeskShowsChangesNotSynced(t *testing.T) {
	u := newTestUI(t)
	ctx := context.Background()
	openDesk := func() string {
		t.Helper()
		owner, err := u.store.StaffByPIN(ctx, localdb.DemoOwnerPIN, localdb.RoleOwner)
		if err != nil {
			t.Fatal(err)
		}
		d := u.openDesk(owner, nil)
		t.Cleanup(d.win.Close)
		d.work.Wait()
		return texts(d.win.Content())
	}
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
	resp := api.PushResponse{Rejected: []api.Rejection{
		{ID: batch[0].ID, Code: localdb.CodeSetAside, Reason: "the server failed on this change 3 times"},
		{ID: batch[1].ID, Code: api.CodeInvalid, Reason: "the body must be a JSON object"},
	}, Epoch: "e1"}
	if err := u.store.Acknowledge(ctx, batch, resp); err != nil {
		t.Fatal(err)
	}
	got := openDesk()
	for _, want := range []string{
		"Changes made on this computer that will not reach the cloud: 2",
		"set aside: the server failed on it again and again",
		"refused by the server: the body must be a JSON object",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("desk does not say %q; it says:\n%s", want, got)
		}
	}
}
