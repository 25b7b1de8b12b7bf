package syncclient_test

import (
	"context"
	"strings"
	"testing"

	"github.com/merci-loyalty/merci/cloud/api"
	"github.com/merci-loyalty/merci/cloud/server"
)

// A change too large for the server (413 when pushed alone) is set aside as rejected,
// and the changes queued before and after it still go.
func TestOversizedChangeIsSetAside(t *testing.T) {
	ctx := context.Background()
	c, a, _, _ := shopOf(t, server.Config{})
	before := a.credits(10)
	acc, err := a.store.AccountByCode(ctx, a.codes()[0])
	if err != nil {
		t.Fatal(err)
	}
	acc.Customer.Name = strings.Repeat("N", server.MaxChangeBytes)
	if err := a.store.SaveCustomer(ctx, acc.Customer); err != nil {
		t.Fatal(err)
	}
	after := a.credits(10)
	a.start()
	settle(t, c, a)

	rejected, err := a.store.Rejected(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || rejected[0].Type != api.TypeCustomer || rejected[0].Key != acc.Customer.ID ||
		rejected[0].Source != "push" || !strings.Contains(rejected[0].Reason, "larger than") {
		t.Errorf("rejected = %+v, want the customer, too large", rejected)
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
