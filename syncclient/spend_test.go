package syncclient_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
)

// A spend at a till online is checked against the card's balance on the cloud; when
// the cloud cannot answer, the offline allowance decides; every device converges.
func TestSpendCheckedByCloud(t *testing.T) {
	ctx := context.Background()
	c, a, b, made := shopOf(t, server.Config{})
	p, err := a.store.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.OfflinePoints = 5
	for _, d := range []*device{a, b} {
		if err := d.store.SaveProgram(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// A card that both tills know has points.
	var code cards.Code
	for _, k := range a.codes() {
		if acc, err := b.store.AccountByCode(ctx, k); err == nil && acc.Balance.Points >= 3 {
			code = k
			break
		}
	}
	if code == "" {
		t.Fatal("no card of the demo shop has 3 points")
	}
	// Spend everything the card has, plus a credit made here and not pushed yet: the
	// server learns of the credit with the spend.
	credit, acc, err := a.store.Record(ctx, code, func(x localdb.Account) (loyalty.Operation, error) {
		return p.Credit(origin(a), x.Card, 1000)
	})
	if err != nil {
		t.Fatal(err)
	}
	made = append(made, credit)
	all := acc.Balance.Points
	spend, after, err := a.client.Spend(ctx, code, debit(a, all))
	if err != nil || after.Balance.Points != 0 {
		t.Fatalf("till A spending all %d points online = %d left, %v; want 0, nil", all, after.Balance.Points, err)
	}
	made = append(made, spend)

	// Till B has not synced: it still sees the points, but the cloud refuses.
	_, _, err = b.client.Spend(ctx, code, debit(b, 3))
	var refused *syncclient.SpendRefusedError
	if !errors.As(err, &refused) || !errors.Is(err, syncclient.ErrSpendRefused) || refused.Points != 0 {
		t.Fatalf("till B spending points already spent = %v, want refused with 0 points on the cloud", err)
	}
	if got, _ := b.store.AccountByCode(ctx, code); got.Balance.Points != all-credit.Delta.Points {
		t.Errorf("till B's balance after the refusal = %d, want %d (unchanged)", got.Balance.Points, all-credit.Delta.Points)
	}

	// The cloud is down: B may spend up to the allowance of 5, and no more.
	c.stop()
	offline, _, err := b.client.Spend(ctx, code, debit(b, 4))
	if err != nil {
		t.Fatalf("till B spending 4 offline within the allowance: %v", err)
	}
	made = append(made, offline)
	if _, _, err := b.client.Spend(ctx, code, debit(b, 2)); !errors.Is(err, loyalty.ErrOfflineAllowance) {
		t.Errorf("till B spending 2 more offline = %v, want ErrOfflineAllowance", err)
	}

	// The cloud hangs: the spend was sent and not answered. Over the allowance, it is
	// kept with its cancellation, so that it is undone whether or not the cloud had it.
	hang, err := net.Listen("tcp", c.addr)
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 16)
	go func() {
		for {
			conn, err := hang.Accept()
			if err != nil {
				close(held)
				return
			}
			held <- conn // read nothing, answer nothing
		}
	}()
	// This till waits a short while for a spend's check, for ever for other requests:
	// the spend must give up after its own timeout.
	cfg := clientConfig(b.dir)
	cfg.SpendTimeout, cfg.RequestTimeout = 300*time.Millisecond, time.Hour
	impatient := syncclient.New(b.store, cfg)
	type result struct {
		acc localdb.Account
		err error
	}
	spent := make(chan result, 1)
	go func() {
		_, acc, err := impatient.Spend(ctx, code, debit(b, 2))
		spent <- result{acc, err}
	}()
	var unanswered localdb.Account
	select {
	case r := <-spent:
		unanswered = r.acc
		if !errors.Is(r.err, loyalty.ErrOfflineAllowance) {
			t.Errorf("till B spending 2 unanswered = %v, want ErrOfflineAllowance", r.err)
		}
	case <-time.After(time.Minute): // a failure bound only
		t.Fatalf("the unanswered spend still waits after a minute, want the spend timeout")
	}
	if want := all - credit.Delta.Points - 4; unanswered.Balance.Points != want {
		t.Errorf("till B's balance after the unanswered spend = %d, want %d", unanswered.Balance.Points, want)
	}
	hang.Close()
	for conn := range held {
		conn.Close()
	}

	// Back online: the overdraft of the offline spend is the owner's to see, and every
	// device ends with the same ledger.
	c.start(false)
	a.start()
	b.start()
	settle(t, c, a, b)
	checkConverged(t, c, made, a, b)
	if got, _ := a.store.AccountByCode(ctx, code); got.Balance.Points != -4 {
		t.Errorf("balance after sync = %d, want -4: the offline spend overdrew the card", got.Balance.Points)
	}
	list, err := c.db.Overdrawn(ctx, c.shop.ID)
	if err != nil || len(list) != 1 || list[0].OpID != offline.ID {
		t.Errorf("overdrawn = %+v, %v; want the offline spend %s alone", list, err, offline.ID)
	}
}

func origin(d *device) loyalty.Origin {
	return loyalty.Origin{Device: d.store.Device(), At: time.Now()}
}

func debit(d *device, n int64) func(localdb.Account) (loyalty.Operation, error) {
	return func(a localdb.Account) (loyalty.Operation, error) {
		return loyalty.Debit(origin(d), a.Card, a.Balance, n)
	}
}
