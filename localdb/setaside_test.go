package localdb_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncwire"
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
	resp := syncwire.PushResponse{Epoch: "e1", Accepted: []string{batch[2].ID}, Rejected: []syncwire.Rejection{
		{ID: batch[0].ID, Code: localdb.CodeSetAside, Reason: "the server failed on it"},
		{ID: batch[1].ID, Code: syncwire.CodeInvalid, Reason: "bad"},
	}}
	if err := s.Acknowledge(ctx, batch, resp); err != nil {
		t.Fatal(err)
	}
	unreadable := syncwire.Pulled{Change: syncwire.Change{ID: "x", Type: syncwire.TypeOp, Key: "x", Body: json.RawMessage(`{"kind":1}`)}, Version: 1}
	if err := s.ApplyPull(ctx, 0, syncwire.PullResponse{Changes: []syncwire.Pulled{unreadable}, Cursor: 1, Epoch: "e1"}); err != nil {
		t.Fatal(err)
	}
	if all, err := s.Rejected(ctx, 10); err != nil || len(all) != 3 {
		t.Fatalf("Rejected = %d, %v; want 3 (2 pushed, 1 pulled)", len(all), err)
	}
	l, err := s.NotSynced(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if l.Total != 2 || len(l.Changes) != 1 || l.Changes[0].ID != batch[1].ID || l.SetAsideOps != 0 {
		t.Fatalf("NotSynced(1) = %+v, want the newest, %s, of 2, and no operation set aside", l, batch[1].ID)
	}
	if pending(t, s) != 0 {
		t.Errorf("%d changes still queued, want none", pending(t, s))
	}
}

// Set-aside operations go back to the outbox on demand; set-aside records and
// rejected changes do not.
func TestQueueSetAsideAgain(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	if err := s.PutRecord(ctx, "note", "a", map[string]string{"text": "a"}); err != nil {
		t.Fatal(err)
	}
	batch, err := s.Outgoing(ctx, 10)
	if err != nil || len(batch) != 1 {
		t.Fatalf("Outgoing = %d, %v; want 1", len(batch), err)
	}
	op := localdb.Queued{Seq: 0, Change: syncwire.Change{ID: "op-1", Type: syncwire.TypeOp, Key: "op-1", Body: json.RawMessage(`{"id":"op-1"}`), At: batch[0].At}}
	rejected := localdb.Queued{Change: syncwire.Change{ID: "op-2", Type: syncwire.TypeOp, Key: "op-2", Body: json.RawMessage(`{"id":"op-2"}`), At: batch[0].At}}
	resp := syncwire.PushResponse{Epoch: "e1", Rejected: []syncwire.Rejection{
		{ID: batch[0].ID, Code: localdb.CodeSetAside, Reason: "failed"},
		{ID: "op-1", Code: localdb.CodeSetAside, Reason: "failed"},
		{ID: "op-2", Code: syncwire.CodeInvalid, Reason: "bad"},
	}}
	if err := s.Acknowledge(ctx, append(batch, op, rejected), resp); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.NotSynced(ctx, 10); l.SetAsideOps != 1 {
		t.Errorf("NotSynced = %+v, want 1 operation set aside", l)
	}
	n, err := s.QueueSetAsideAgain(ctx)
	if err != nil || n != 1 {
		t.Fatalf("QueueSetAsideAgain = %d, %v; want 1", n, err)
	}
	queued, err := s.Outgoing(ctx, 10)
	if err != nil || len(queued) != 1 || queued[0].ID != "op-1" || string(queued[0].Body) != `{"id":"op-1"}` {
		t.Fatalf("Outgoing = %+v, %v; want op-1 queued again", queued, err)
	}
	if l, _ := s.NotSynced(ctx, 10); l.Total != 2 || l.SetAsideOps != 0 {
		t.Errorf("NotSynced = %+v, want the set-aside record and the rejected operation", l)
	}
}
