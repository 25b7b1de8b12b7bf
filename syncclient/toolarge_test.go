package syncclient_test

import (
	"context"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncwire"
)

// A change too large for the server (413 when pushed alone) is set aside as rejected,
// and the changes queued before and after it still go.
func TestOversizedChangeIsSetAside(t *testing.T) {
	ctx := context.Background()
	c, a, _, _ := shopOf(t, server.Config{})
	before := a.credits(10)
	// An email the owner pasted a whole document into: the store takes it, the
	// server's limit on one change does not.
	email, err := a.store.QueueEmail(ctx, localdb.Email{To: "ana@example.com", Subject: "Our new menu",
		Text: strings.Repeat("N", server.MaxChangeBytes)})
	if err != nil {
		t.Fatal(err)
	}
	after := a.credits(10)
	a.start()
	settle(t, c, a)

	rejected, err := a.store.Rejected(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || rejected[0].Type != syncwire.TypeEmail || rejected[0].Key != email.ID ||
		rejected[0].Source != "push" || !strings.Contains(rejected[0].Reason, "larger than") {
		t.Errorf("rejected = %+v, want the email, too large", rejected)
	}
	onServer := map[string]bool{}
	for _, ch := range c.log() {
		onServer[ch.ID] = true
	}
	for _, op := range append(before, after...) {
		if !onServer[op.ID] {
			t.Errorf("operation %s is not on the server", op.ID)
		}
	}
}
