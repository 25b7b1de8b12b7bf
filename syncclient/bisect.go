package syncclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncwire"
)

// A change the server cannot take must not stop the shop's sync: the server rejects a
// change it cannot apply in a 2xx answer, but a server of another version, or a fault
// nobody foresaw, may instead fail the whole push with 500, for ever, and every change
// queued behind it would wait for ever too. The client then hunts for that change:
//
//   - A push that the server answers with a fault of its own (500, or any 5xx other
//     than 502, 503 and 504, which say the server is away or overloaded) is split: the
//     next push carries the first half of its changes, at once. A push that works lets
//     the next one carry twice as many, up to the batch size. So a lasting fault is
//     narrowed down to one change in about log2(batch) pushes, and a passing one costs a
//     few smaller batches.
//   - A lone change whose push fails so is a suspect. Right after, the client pushes
//     nothing (an empty push, which takes the same path through the server and its
//     database): if that fails too, the server is unwell and nothing is held against
//     the change. If it works, the change has a strike.
//   - A change with SetAsideAfter strikes in a row, each after the usual backoff, is set
//     aside: it leaves the queue for the rejected log with the code localdb.CodeSetAside,
//     where the owner's desk shows it and can queue it again, and the queue behind it
//     flows again. A push of it that works clears its strikes; an answer that is not a
//     server fault (the network, 503) neither adds nor clears one.
//
// Changes keep their order: nothing is pushed past a suspect until it is set aside,
// so a record is never overwritten by an older value of itself.

// SetAsideAfter is how many server faults in a row, each with the server otherwise
// working, set a lone change aside.
const SetAsideAfter = 3

// hunt is the state of the search for a change the server cannot take. Only the sync
// loop's goroutine uses it.
type hunt struct {
	window  int    // how many changes the next push carries at most; 0: the batch size
	suspect string // the lone change that failed, if any
	strikes int    // its server faults in a row, the server working otherwise
}

// size returns how many changes the next push may carry, batch at most.
func (h *hunt) size(batch int) int {
	if h.window > 0 && h.window < batch {
		return h.window
	}
	return batch
}

// pushed records that a push of n changes worked.
func (h *hunt) pushed(n, batch int) {
	h.suspect, h.strikes = "", 0
	if h.window > 0 {
		h.window = 2 * n
		if h.window >= batch {
			h.window = 0
		}
	}
}

// serverFault reports whether err is the server failing on what it was sent, rather
// than being away, overloaded or unreachable.
func serverFault(err error) bool {
	var he *httpError
	if !errors.As(err, &he) || he.status < 500 {
		return false
	}
	switch he.status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return false
	}
	return true
}

// afterFailure decides what the failed push of batch leads to: nil to push again at
// once (the batch was split, or its lone change set aside), or else the error to back
// off with.
func (c *Client) afterFailure(ctx context.Context, serverURL, token string, batch []localdb.Queued, err error) error {
	if !serverFault(err) || ctx.Err() != nil {
		return err
	}
	h := &c.hunt
	if len(batch) > 1 {
		h.window = len(batch) / 2
		c.cfg.Logger.Warn("push failed on the server: splitting the batch", "changes", len(batch), "next", h.window, "err", err)
		return nil
	}
	q := batch[0]
	if _, perr := c.push(ctx, serverURL, token, nil); perr != nil {
		// The server fails whatever it is sent: it is unwell, the change may be fine.
		return err
	}
	if h.suspect != q.ID {
		h.suspect, h.strikes = q.ID, 0
	}
	h.strikes++
	if h.strikes < SetAsideAfter {
		c.cfg.Logger.Warn("push of one change failed on the server, which works otherwise", "change", q.ID, "type", q.Type,
			"strikes", h.strikes, "err", err)
		return err
	}
	c.cfg.Logger.Error("the server keeps failing on one change: set aside", "change", q.ID, "type", q.Type, "key", q.Key, "err", err)
	reason := fmt.Sprintf("the server failed on this change %d times in a row while it took others: %v", h.strikes, err)
	resp := syncwire.PushResponse{Rejected: []syncwire.Rejection{{ID: q.ID, Code: localdb.CodeSetAside, Reason: reason}}}
	if aerr := c.store.Acknowledge(ctx, batch, resp); aerr != nil {
		return aerr
	}
	h.suspect, h.strikes, h.window = "", 0, 0
	c.update(func(s *Status) { s.Pending = max(0, s.Pending-1) })
	return nil
}
