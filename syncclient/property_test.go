package syncclient_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cloud/api/apitest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// queueRaw puts changes in d's outbox as they are, as a buggy or older version of the
// app might have queued them.
func queueRaw(t *testing.T, d *device, changes []syncwire.Change) {
	t.Helper()
	for _, c := range changes {
		_, err := d.store.DB().Exec(`INSERT INTO outbox (change_id, type, key, body, at) VALUES (?, ?, ?, ?, ?)`,
			c.ID, c.Type, c.Key, string(c.Body), c.At.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Random changes with extreme values, huge strings and garbage, queued between real
// sales, never stop the shop's sync: the till's outbox drains without setting
// anything aside, every sale reaches the server and the other device, and so does
// every random operation the server took.
func TestRandomExtremeChangesNeverStopTheSync(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	c, a, b, _ := shopOf(t, server.Config{})
	var made []loyalty.Operation
	var random []syncwire.Change
	for range 4 {
		made = append(made, a.credits(10)...)
		batch := make([]syncwire.Change, 0, 60)
		for len(batch) < cap(batch) {
			ch := apitest.RandomChange(t, r)
			if !json.Valid(ch.Body) {
				continue // the app writes JSON it made itself
			}
			if ch.ID == "" || len(ch.ID) > 100 {
				ch.ID = uuid.Must(uuid.NewV7()).String() + "x" // still not a change id, but one the outbox tells apart
			}
			batch = append(batch, ch)
		}
		queueRaw(t, a, batch)
		random = append(random, batch...)
	}
	a.start()
	b.start()
	waitFor(t, "the till's outbox to drain", func() bool { return a.pending() == 0 })
	settle(t, c, a, b)

	list, _ := notSynced(t, a)
	for _, rc := range list {
		if rc.Code == localdb.CodeSetAside {
			t.Errorf("change %s set aside: the server failed on it (%s)", rc.ID, rc.Reason)
		}
	}
	on := onServer(c)
	for _, op := range made {
		if !on[op.ID] {
			t.Errorf("sale %s is not on the server", op.ID)
		}
		if _, err := b.store.Operation(context.Background(), op.ID); err != nil {
			t.Errorf("sale %s did not reach the other device: %v", op.ID, err)
		}
	}
	took := 0
	for _, ch := range random {
		if ch.Type == syncwire.TypeOp && on[ch.ID] {
			took++
			if _, err := b.store.Operation(context.Background(), ch.ID); err != nil {
				t.Errorf("operation %s the server took did not reach the other device: %v", ch.ID, err)
			}
		}
	}
	t.Logf("the server took %d random operations and rejected %d changes", took, len(list))
	if took == 0 {
		t.Errorf("the server took none of the random operations: the test tried nothing valid")
	}
	if len(list) == 0 {
		t.Errorf("the server rejected none of the random changes: the test tried nothing hostile")
	}
}
