package localdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// enrolled opens a store enrolled in shop "s1" at epoch "e1", with nothing queued.
func enrolled(tb testing.TB) *localdb.Store {
	tb.Helper()
	s := mustOpen(tb)
	if err := s.SaveEnrollment(context.Background(), localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", Epoch: "e1"}); err != nil {
		tb.Fatal(err)
	}
	ackAll(tb, s, "e1")
	return s
}

// ackAll acknowledges everything queued as accepted by a server at epoch.
func ackAll(tb testing.TB, s *localdb.Store, epoch string) []localdb.Queued {
	tb.Helper()
	ctx := context.Background()
	batch, err := s.Outgoing(ctx, 1<<20)
	if err != nil {
		tb.Fatal(err)
	}
	resp := syncwire.PushResponse{Epoch: epoch}
	for _, q := range batch {
		resp.Accepted = append(resp.Accepted, q.ID)
	}
	if err := s.Acknowledge(ctx, batch, resp); err != nil {
		tb.Fatal(err)
	}
	return batch
}

func pending(tb testing.TB, s *localdb.Store) int {
	tb.Helper()
	n, err := s.Pending(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func cursor(tb testing.TB, s *localdb.Store) int64 {
	tb.Helper()
	st, err := s.SyncState(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return st.Cursor
}

// pull applies changes as one page starting at the stored cursor and epoch, numbered
// from version, to an enrolled store or one joining its shop.
func pull(tb testing.TB, s *localdb.Store, version int64, changes ...syncwire.Change) {
	tb.Helper()
	st, err := s.SyncState(context.Background())
	if errors.Is(err, localdb.ErrNotFound) {
		st, err = s.Joining(context.Background())
	}
	if err != nil {
		tb.Fatal(err)
	}
	from := st.Cursor
	resp := syncwire.PullResponse{Cursor: from, Epoch: st.Epoch}
	for i, c := range changes {
		resp.Changes = append(resp.Changes, syncwire.Pulled{Change: c, Version: version + int64(i)})
		resp.Cursor = version + int64(i)
	}
	if err := s.ApplyPull(context.Background(), from, resp); err != nil {
		tb.Fatal(err)
	}
}

func change(tb testing.TB, typ, key string, v any) syncwire.Change {
	tb.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return syncwire.Change{ID: key + "-" + typ, Type: typ, Key: key, Body: body, At: time.Now()}
}

func TestOutgoingAndAcknowledge(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	a := newAccount(t, s, "dora")
	op, _ := credit(t, s, a.Code(), 1000)
	batch, err := s.Outgoing(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range batch {
		got = append(got, q.Type+" "+q.Key)
		if q.Device != s.Device() {
			t.Errorf("change %s has device %q, want %q", q.ID, q.Device, s.Device())
		}
	}
	want := []string{"customer " + a.Customer.ID, "card " + a.Card.Code, "op " + op.ID}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Outgoing (-want +got):\n%s", diff)
	}
	if batch[2].ID != op.ID {
		t.Errorf("the operation's change id is %s, want the operation id %s", batch[2].ID, op.ID)
	}

	// The card is refused, the customer accepted, the operation not answered.
	resp := syncwire.PushResponse{
		Accepted: []string{batch[0].ID},
		Rejected: []syncwire.Rejection{{ID: batch[1].ID, Code: syncwire.CodeConflict, Reason: "the card code belongs to another shop"}},
		Epoch:    "e1",
	}
	if err := s.Acknowledge(ctx, batch, resp); err != nil {
		t.Fatal(err)
	}
	left, err := s.Outgoing(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].ID != op.ID {
		t.Errorf("after the answer the outbox holds %v, want only the unanswered operation", left)
	}
	rejected, err := s.Rejected(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || rejected[0].ID != batch[1].ID || rejected[0].Code != syncwire.CodeConflict || rejected[0].Source != "push" {
		t.Errorf("Rejected = %+v, want the card refused on push as a conflict", rejected)
	}
	if _, err := s.AccountByCode(ctx, a.Code()); err != nil {
		t.Errorf("the refused card is gone locally: %v", err)
	}
}

func TestApplyPullOperationsOnceAndNotQueued(t *testing.T) {
	ctx := context.Background()
	src, dst := enrolled(t), enrolled(t)
	a := newAccount(t, src, "eve")
	op1, _ := credit(t, src, a.Code(), 1200)
	op2, _ := credit(t, src, a.Code(), 800)
	batch := ackAll(t, src, "e1")
	var changes []syncwire.Change
	for _, q := range batch {
		changes = append(changes, q.Change)
	}
	pull(t, dst, 1, changes...)
	if got := pending(t, dst); got != 0 {
		t.Errorf("pulled changes queued %d changes, want none", got)
	}
	if got := cursor(t, dst); got != int64(len(changes)) {
		t.Errorf("cursor = %d, want %d", got, len(changes))
	}
	// The same operations again, as after a lost answer: nothing changes.
	pull(t, dst, 100, changes[2], changes[3])
	got, err := dst.AccountByCode(ctx, a.Code())
	if err != nil {
		t.Fatal(err)
	}
	want := loyalty.Balance{}.Add(op1.Delta).Add(op2.Delta)
	if got.Balance != want {
		t.Errorf("balance after pulling twice = %+v, want %+v", got.Balance, want)
	}
	if got.Customer.Name != "eve" {
		t.Errorf("pulled customer name = %q, want eve", got.Customer.Name)
	}
}

func TestPulledRecordsLastServerVersionWins(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	a := newAccount(t, s, "fay")
	ackAll(t, s, "e1")
	c := a.Customer

	c.Name = "Fay v5"
	pull(t, s, 5, change(t, syncwire.TypeCustomer, c.ID, c))
	// An older value pulled later (a page replayed after a lost answer) is ignored.
	c.Name = "Fay v3"
	pull(t, s, 3, change(t, syncwire.TypeCustomer, c.ID, c))
	if got := name(t, s, a); got != "Fay v5" {
		t.Errorf("after versions 5 then 3, name = %q, want the version 5 value", got)
	}
	// A card can come before its customer: a placeholder keeps its place.
	other := loyalty.Card{Code: "ZZZZ-ZZZZ", CustomerID: "c-later", Status: loyalty.CardActive, IssuedAt: time.Now()}
	pull(t, s, 6, change(t, syncwire.TypeCard, other.Code, other))
	later := loyalty.Customer{ID: "c-later", Name: "Gus", CreatedAt: time.Now()}
	pull(t, s, 7, change(t, syncwire.TypeCustomer, later.ID, later))
	acc, err := s.AccountByCode(ctx, "ZZZZ-ZZZZ")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Customer.Name != "Gus" {
		t.Errorf("customer of a card pulled before them = %q, want Gus", acc.Customer.Name)
	}
	// A setting.
	pull(t, s, 8, syncwire.Change{ID: "set", Type: syncwire.TypeSetting, Key: "greeting", Body: json.RawMessage(`{"text":"hi"}`), At: time.Now()})
	var greeting struct{ Text string }
	if err := s.Setting(ctx, "greeting", &greeting); err != nil || greeting.Text != "hi" {
		t.Errorf("pulled setting = %+v, %v; want hi", greeting, err)
	}
	if got := pending(t, s); got != 0 {
		t.Errorf("pulled records queued %d changes, want none", got)
	}
}

func name(tb testing.TB, s *localdb.Store, a localdb.Account) string {
	tb.Helper()
	got, err := s.AccountByCode(context.Background(), a.Code())
	if err != nil {
		tb.Fatal(err)
	}
	return got.Customer.Name
}

// The rule for a local edit not yet pushed: it wins until the server answers, then the
// server order decides.
func TestLocalEditWinsUntilPushed(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		answer string
		want   string
	}{
		{"accepted", "Local"},  // pushed after the pulled value: the latest in server order
		{"duplicate", "Other"}, // pushed before it, in an earlier try whose answer was lost
		{"rejected", "Other"},  // never applies: the server's value stands
	} {
		t.Run(tc.answer, func(t *testing.T) {
			s := enrolled(t)
			a := newAccount(t, s, "hal")
			ackAll(t, s, "e1")
			c := a.Customer
			c.Name = "Local"
			if err := s.SaveCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
			other := c
			other.Name = "Other"
			pull(t, s, 4, change(t, syncwire.TypeCustomer, c.ID, other))
			if got := name(t, s, a); got != "Local" {
				t.Fatalf("with the local edit waiting, name = %q, want Local", got)
			}
			batch, err := s.Outgoing(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			resp := syncwire.PushResponse{Epoch: "e1"}
			switch tc.answer {
			case "accepted":
				resp.Accepted = []string{batch[0].ID}
			case "duplicate":
				resp.Duplicate = []string{batch[0].ID}
			case "rejected":
				resp.Rejected = []syncwire.Rejection{{ID: batch[0].ID, Code: syncwire.CodeInvalid, Reason: "no"}}
			}
			if err := s.Acknowledge(ctx, batch, resp); err != nil {
				t.Fatal(err)
			}
			if got := name(t, s, a); got != tc.want {
				t.Errorf("after the edit was %s, name = %q, want %q", tc.answer, got, tc.want)
			}
		})
	}
}

// A refused edit of a record the server has, with no pulled value held back, makes the
// next pull bring the server's value again.
func TestRejectedEditPullsServerValueAgain(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	a := newAccount(t, s, "ivy")
	ackAll(t, s, "e1")
	c := a.Customer
	pull(t, s, 3, change(t, syncwire.TypeCustomer, c.ID, c))
	pull(t, s, 9, change(t, "note", "n1", map[string]string{"x": "y"}))
	c.Name = "Refused"
	if err := s.SaveCustomer(ctx, c); err != nil {
		t.Fatal(err)
	}
	batch, err := s.Outgoing(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Acknowledge(ctx, batch, syncwire.PushResponse{Rejected: []syncwire.Rejection{{ID: batch[0].ID, Code: syncwire.CodeInvalid}}, Epoch: "e1"}); err != nil {
		t.Fatal(err)
	}
	if got := cursor(t, s); got != 2 {
		t.Fatalf("cursor after the refusal = %d, want 2, before the customer's version 3", got)
	}
	pull(t, s, 3, change(t, syncwire.TypeCustomer, c.ID, a.Customer))
	if got := name(t, s, a); got != "ivy" {
		t.Errorf("after pulling again, name = %q, want the server's ivy", got)
	}
}

func TestUnknownRecordTypesAreKept(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	type note struct{ Text string }
	pull(t, s, 1, change(t, "note", "n1", note{"v1"}))
	pull(t, s, 2, change(t, "note", "n1", note{"v2"}), change(t, "note", "n2", note{"other"}))
	var got note
	if err := s.GetRecord(ctx, "note", "n1", &got); err != nil || got.Text != "v2" {
		t.Errorf("GetRecord(note, n1) = %+v, %v; want v2", got, err)
	}
	all, err := s.Records(ctx, "note")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("Records(note) has %d records, want 2", len(all))
	}
	if err := s.GetRecord(ctx, "note", "missing", &got); !errors.Is(err, localdb.ErrNotFound) {
		t.Errorf("GetRecord of a missing record: %v, want ErrNotFound", err)
	}
	// A feature's own edit is queued like any other and held against pulls.
	if err := s.PutRecord(ctx, "note", "n1", note{"mine"}); err != nil {
		t.Fatal(err)
	}
	pull(t, s, 9, change(t, "note", "n1", note{"theirs"}))
	if err := s.GetRecord(ctx, "note", "n1", &got); err != nil || got.Text != "mine" {
		t.Errorf("with a local edit waiting, note = %+v, %v; want mine", got, err)
	}
	if err := s.PutRecord(ctx, syncwire.TypeCustomer, "x", note{}); err == nil {
		t.Errorf("PutRecord of a built-in type succeeded, want an error")
	}
}

func TestUnreadablePulledChangeIsLoggedNotFatal(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	pull(t, s, 1,
		syncwire.Change{ID: "bad-op", Type: syncwire.TypeOp, Key: "bad-op", Body: json.RawMessage(`{"id":"bad-op","kind":"teleport"}`), At: time.Now()},
		syncwire.Change{ID: "bad-card", Type: syncwire.TypeCard, Key: "K", Body: json.RawMessage(`{"code":"OTHER"}`), At: time.Now()})
	if got := cursor(t, s); got != 2 {
		t.Errorf("cursor after unreadable changes = %d, want 2: they must not stop the sync", got)
	}
	rejected, err := s.Rejected(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 2 || rejected[0].Source != "pull" {
		t.Errorf("Rejected = %+v, want the two pulled changes", rejected)
	}
}

func TestEpochChangeQueuesAcknowledgedChangesAgain(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if err := s.SaveEnrollment(ctx, localdb.SyncState{ServerURL: "https://cloud.example", DeviceID: "d1", ShopID: "s1", Epoch: "e1"}); err != nil {
		t.Fatal(err)
	}
	a := newAccount(t, s, "joe")
	op1, _ := credit(t, s, a.Code(), 500)
	acked := ackAll(t, s, "e1") // the demo shop's changes too
	pull(t, s, 10, change(t, syncwire.TypeCustomer, a.Customer.ID, a.Customer))
	op2, _ := credit(t, s, a.Code(), 700) // waiting when the restore is noticed

	// A pull answered by a server restored from an older copy.
	if err := s.ApplyPull(ctx, 10, syncwire.PullResponse{Changes: []syncwire.Pulled{}, Cursor: 3, Epoch: "e2"}); err != nil {
		t.Fatal(err)
	}
	st, err := s.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Cursor != 0 || st.Epoch != "e2" {
		t.Errorf("after the epoch change, cursor %d epoch %q; want 0 and e2", st.Cursor, st.Epoch)
	}
	batch, err := s.Outgoing(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range batch {
		got = append(got, q.ID)
	}
	var want []string
	for _, q := range acked {
		want = append(want, q.ID)
	}
	want = append(want, op2.ID)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox after the epoch change (-want +got):\n%s", diff)
	}
	if !contains(got, op1.ID) {
		t.Errorf("the acknowledged operation %s is not queued again", op1.ID)
	}
	// Versions of the old copy mean nothing: a value of the new copy at a lower version
	// applies once the local edits are pushed.
	ackAll(t, s, "e2")
	renamed := a.Customer
	renamed.Name = "Joe restored"
	pull(t, s, 2, change(t, syncwire.TypeCustomer, a.Customer.ID, renamed))
	if got := name(t, s, a); got != "Joe restored" {
		t.Errorf("name after the new copy's version 2 = %q, want Joe restored", got)
	}
	// A push answer from yet another copy does the same.
	credit(t, s, a.Code(), 100)
	batch, err = s.Outgoing(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Acknowledge(ctx, batch, syncwire.PushResponse{Accepted: []string{batch[0].ID}, Epoch: "e3"}); err != nil {
		t.Fatal(err)
	}
	if n := pending(t, s); n != len(want)+1 {
		t.Errorf("after a push answered at a new epoch, %d changes wait; want every acknowledged one, %d", n, len(want)+1)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAcknowledgedChangesArePrunedAfterRetention(t *testing.T) {
	ctx := context.Background()
	s := enrolled(t)
	a := newAccount(t, s, "kim")
	ackAll(t, s, "e1")
	start := time.Now()
	s.Now = func() time.Time { return start.Add(localdb.AckedRetention + time.Hour) }
	credit(t, s, a.Code(), 100)
	ackAll(t, s, "e1")
	// Only the operation acknowledged within the retention is pushed again.
	if err := s.ApplyPull(ctx, 0, syncwire.PullResponse{Epoch: "e2"}); err != nil {
		t.Fatal(err)
	}
	if n := pending(t, s); n != 1 {
		t.Errorf("after an epoch change %d changes wait, want 1: older ones were pruned", n)
	}
}
