package localdb_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/merci-loyalty/merci/cloud/api"
	"github.com/merci-loyalty/merci/localdb"
)

// NotSynced lists the changes of this device that will not reach the cloud, newest
// first: set aside or rejected on push; a pulled change this app could not read is
// not one of them.
func TestNotSyncedListsPushRejectionsOnly(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	for _, k := range []string{"a", "b", "c"} {
		if err := s.PutRecord(ctx, "note", k, map[string]string{"text": k}); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := s.Outgoing(ctx, 10)
	if err != nil || len(batch) != 3 {
		t.Fatalf("Outgoing = %d, %v; want 3", len(batch), err)
	}
	resp := api.PushResponse{Epoch: "e1", Accepted: []string{batch[2].ID}, Rejected: []api.Rejection{
		{ID: batch[0].ID, Code: localdb.CodeSetAside, Reason: "the server failed on it"},
		{ID: batch[1].ID, Code: api.CodeInvalid, Reason: "bad"},
	}}
	if err := s.Acknowledge(ctx, batch, resp); err != nil {
		t.Fatal(err)
	}
	unreadable := api.Pulled{Change: api.Change{ID: "x", Type: api.TypeOp, Key: "x", Body: json.RawMessage(`{"kind":1}`)}, Version: 1}
	if err := s.ApplyPull(ctx, 0, api.PullResponse{Changes: []api.Pulled{unreadable}, Cursor: 1, Epoch: "e1"}); err != nil {
		t.Fatal(err)
	}
	if all, err := s.Rejected(ctx, 10); err != nil || len(all) != 3 {
		t.Fatalf("Rejected = %d, %v; want 3 (2 pushed, 1 pulled)", len(all), err)
	}
	list, n, err := s.NotSynced(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(list) != 1 || list[0].ID != batch[1].ID {
		t.Fatalf("NotSynced(1) = %+v of %d, want the newest, %s, of 2", list, n, batch[1].ID)
	}
	if pending(t, s) != 0 {
		t.Errorf("%d changes still queued, want none", pending(t, s))
	}
}
