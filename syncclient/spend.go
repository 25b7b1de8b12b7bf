package syncclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// ErrSpendRefused means the cloud refused a spend: the card's balance there does not
// cover it, most likely because it was spent at another till not yet synced here.
var ErrSpendRefused = errors.New("the cloud refused the spend: the card's balance there does not cover it")

// SpendRefusedError is ErrSpendRefused with the card's balance on the cloud.
type SpendRefusedError struct {
	Points   int64
	Cashback loyalty.Money
	Currency string
	Cash     bool // the spend was of cashback, not points
}

func (e *SpendRefusedError) Error() string {
	return fmt.Sprintf("%v (%d points, %d cashback there)", ErrSpendRefused, e.Points, e.Cashback)
}

// Is makes errors.Is(err, ErrSpendRefused) true.
func (e *SpendRefusedError) Is(target error) bool { return target == ErrSpendRefused }

// Spend records a spend made at this till (a redemption, a debit, cashback spent):
// build makes it from the card's account. On a device connected to the cloud, the
// spend is first pushed guarded, with whatever else waits in the outbox, so that the
// server checks it against the card's balance there, atomically with every other
// till's; a refusal writes nothing. When the cloud cannot answer within
// Config.SpendTimeout, the program's offline allowance per card decides (see
// localdb.RecordSpend). A device with no cloud account is the shop's only till and
// records the spend at once.
func (c *Client) Spend(ctx context.Context, code cards.Code, build func(localdb.Account) (loyalty.Operation, error)) (loyalty.Operation, localdb.Account, error) {
	st, err := c.store.SyncState(ctx)
	if errors.Is(err, localdb.ErrNotFound) {
		return c.store.Record(ctx, code, build)
	}
	if err != nil {
		return loyalty.Operation{}, localdb.Account{}, err
	}
	a, err := c.store.AccountByCode(ctx, code)
	if err != nil {
		return loyalty.Operation{}, localdb.Account{}, err
	}
	op, err := build(a)
	if err != nil {
		return loyalty.Operation{}, localdb.Account{}, err
	}
	check, err := c.confirm(ctx, st, op)
	if err != nil {
		return loyalty.Operation{}, localdb.Account{}, err
	}
	after, err := c.store.RecordSpend(ctx, op, check)
	return op, after, err
}

// confirm pushes op guarded behind the card's changes waiting in the outbox, and says
// what the cloud made of it. An error means op is not on the cloud: refused, rejected,
// or never sent.
func (c *Client) confirm(ctx context.Context, st localdb.SyncState, op loyalty.Operation) (localdb.Check, error) {
	token, err := c.cfg.Tokens.Get(st.ServerURL)
	if err != nil {
		return localdb.Unchecked, nil
	}
	body, err := json.Marshal(op)
	if err != nil {
		return 0, fmt.Errorf("encode operation: %w", err)
	}
	// The server must know this till's own recent operations on the card before it
	// judges the spend; they add up in any order, so they may go ahead of the outbox.
	waiting, err := c.store.OutgoingOps(ctx, op.CustomerID)
	if err != nil {
		return 0, err
	}
	req := syncwire.PushRequest{Changes: make([]syncwire.Change, 0, len(waiting)+1)}
	for _, q := range waiting {
		req.Changes = append(req.Changes, q.Change)
	}
	req.Changes = append(req.Changes, syncwire.Change{ID: op.ID, Type: syncwire.TypeOp, Key: op.ID, Body: body, Device: op.Device, At: op.At, Guard: true})
	var resp syncwire.PushResponse
	err = c.call(ctx, http.MethodPost, st.ServerURL+"/v1/sync/push", token, req, &resp, c.cfg.SpendTimeout)
	var he *httpError
	var ne *net.OpError
	switch {
	case errors.As(err, &he), errors.As(err, &ne) && ne.Op == "dial":
		// The server answered with an error, or was never reached: nothing applied.
		c.cfg.Logger.Info("spend not checked by the cloud", "err", err)
		return localdb.Unchecked, nil
	case err != nil:
		c.cfg.Logger.Info("spend sent, no answer from the cloud", "err", err)
		return localdb.Unanswered, nil
	}
	if err := c.store.Acknowledge(ctx, waiting, resp); err != nil {
		// The cloud has what it accepted whatever happens here: the spend must still be
		// recorded, and the unacknowledged changes are pushed again, as duplicates.
		c.cfg.Logger.Warn("acknowledge changes pushed with a spend", "err", err)
	}
	if i := slices.IndexFunc(resp.Refused, func(r syncwire.Refusal) bool { return r.ID == op.ID }); i >= 0 {
		r := resp.Refused[i]
		return 0, &SpendRefusedError{Points: r.Points, Cashback: loyalty.Money(r.Cashback), Currency: op.Currency, Cash: op.Kind == loyalty.KindSpendCashback}
	}
	if i := slices.IndexFunc(resp.Rejected, func(r syncwire.Rejection) bool { return r.ID == op.ID }); i >= 0 {
		return 0, fmt.Errorf("the cloud rejected the spend: %s", resp.Rejected[i].Reason)
	}
	if slices.Contains(resp.Accepted, op.ID) || slices.Contains(resp.Duplicate, op.ID) {
		return localdb.Confirmed, nil
	}
	return localdb.Unanswered, nil
}
