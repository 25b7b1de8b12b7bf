package syncclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/syncwire"
)

// JoinRequest is what a device needs to join its shop's cloud account.
type JoinRequest struct {
	ServerURL  string
	Code       string // the one-time enrollment code from the owner
	DeviceName string
	// Local says what becomes of the store's own data (localdb.LocalData): a store
	// that holds some joins only by an explicit choice.
	Local localdb.LocalData
	// Progress, if not nil, hears how the first pull of the shop goes, on the
	// goroutine that called Join.
	Progress func(JoinProgress)
}

// JoinProgress is how far a joining device has pulled its shop.
type JoinProgress struct {
	Changes    int   // changes received so far
	Cursor     int64 // the shop's version pulled up to
	Head       int64 // the shop's version when the pull began; 0 if unknown
	Customers  int   // now on this device
	Operations int
}

// Fraction is the part pulled, between 0 and 1; 0 while the head is unknown.
func (p JoinProgress) Fraction() float64 {
	if p.Head <= 0 {
		return 0
	}
	return min(1, float64(p.Cursor)/float64(p.Head))
}

// Joined is what Join did.
type Joined struct {
	ShopName string
	Owner    bool   // this is an owner device: it manages the shop's devices
	Backup   string // the copy of the discarded store, with localdb.LocalDataDiscard
}

// Join connects the device to its shop's cloud account with a one-time code and pulls
// the whole shop before anything is pushed, so that a device's own settings never
// overwrite the shop's. The demo shop never joins (localdb.ErrDemo), and a store with
// data of its own joins only if req.Local says what becomes of it
// (localdb.ErrOwnData); both are refused before the code is used. A join cut short
// (offline, app closed) is taken up again by ResumeJoin; until then the loop sends
// nothing.
func (c *Client) Join(ctx context.Context, req JoinRequest) (Joined, error) {
	if err := c.mayJoin(ctx, req.Local); err != nil {
		return Joined{}, fmt.Errorf("connect to the cloud: %w", err)
	}
	serverURL := strings.TrimRight(strings.TrimSpace(req.ServerURL), "/")
	if !strings.HasPrefix(serverURL, "https://") && !strings.HasPrefix(serverURL, "http://") {
		return Joined{}, fmt.Errorf("connect to the cloud: %q: %w", serverURL, ErrServerAddress)
	}
	var resp syncwire.EnrollResponse
	if err := c.call(ctx, http.MethodPost, serverURL+"/v1/enroll", "", syncwire.EnrollRequest{Code: strings.TrimSpace(req.Code), DeviceName: req.DeviceName}, &resp, c.cfg.RequestTimeout); err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusUnauthorized {
			return Joined{}, fmt.Errorf("connect to the cloud: %w", ErrEnrollCode)
		}
		return Joined{}, fmt.Errorf("connect to the cloud: %w", explain(err))
	}
	if err := c.cfg.Tokens.Set(serverURL, resp.Token); err != nil {
		return Joined{}, fmt.Errorf("connect to the cloud: %w", err)
	}
	st := localdb.SyncState{ServerURL: serverURL, DeviceID: resp.DeviceID, ShopID: resp.ShopID, ShopName: resp.ShopName, Epoch: resp.Epoch}
	start, err := c.store.BeginJoin(ctx, st, req.Local)
	if err != nil {
		return Joined{}, fmt.Errorf("connect to the cloud: %w", err)
	}
	c.cfg.Logger.Info("device enrolled", "server", serverURL, "shop", resp.ShopID, "device", resp.DeviceID, "backup", start.Backup)
	joined := Joined{ShopName: resp.ShopName, Owner: resp.Owner, Backup: start.Backup}
	return joined, c.ResumeJoin(ctx, req.Progress)
}

// mayJoin refuses the demo, and a store with data of its own when local makes no
// choice.
func (c *Client) mayJoin(ctx context.Context, local localdb.LocalData) error {
	if demo, err := c.store.IsDemo(ctx); err != nil {
		return err
	} else if demo {
		return localdb.ErrDemo
	}
	own, err := c.store.OwnData(ctx)
	if err != nil {
		return err
	}
	if !own.Empty() && local == localdb.LocalDataNone {
		return fmt.Errorf("%w: %d customers, %d operations, %d changes", localdb.ErrOwnData, own.Customers, own.Operations, own.Changes)
	}
	return nil
}

// ResumeJoin pulls the shop a join began with, reporting to progress if it is not
// nil, then lets the loop push what the device brought. It does nothing if no join
// waits.
func (c *Client) ResumeJoin(ctx context.Context, progress func(JoinProgress)) error {
	st, err := c.store.Joining(ctx)
	if errors.Is(err, localdb.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token, err := c.cfg.Tokens.Get(st.ServerURL)
	if err != nil {
		return fmt.Errorf("pull the shop: %w", err)
	}
	if progress == nil {
		progress = func(JoinProgress) {}
	}
	var p JoinProgress
	// An empty push answers with the shop's version: how far there is to go.
	var head syncwire.PushResponse
	if err := c.call(ctx, http.MethodPost, st.ServerURL+"/v1/sync/push", token, syncwire.PushRequest{Changes: []syncwire.Change{}}, &head, c.cfg.RequestTimeout); err == nil {
		p.Head = head.Version
	}
	p.Cursor = st.Cursor
	if p.Customers, p.Operations, err = c.store.Counts(ctx); err != nil {
		return err
	}
	progress(p)
	for {
		resp, err := c.fetch(ctx, st.ServerURL, token, st.Cursor, 0)
		if err != nil {
			return fmt.Errorf("pull the shop: %w", explain(err))
		}
		if err := c.store.ApplyPull(ctx, st.Cursor, resp); err != nil {
			return fmt.Errorf("pull the shop: %w", err)
		}
		if st, err = c.store.Joining(ctx); err != nil { // a new server epoch starts it over
			return fmt.Errorf("pull the shop: %w", err)
		}
		p.Changes += len(resp.Changes)
		p.Cursor, p.Head = st.Cursor, max(p.Head, st.Cursor)
		if p.Customers, p.Operations, err = c.store.Counts(ctx); err != nil {
			return err
		}
		progress(p)
		if !resp.More {
			break
		}
	}
	if err := c.store.FinishJoin(ctx); err != nil {
		return fmt.Errorf("pull the shop: %w", err)
	}
	c.cfg.Logger.Info("shop pulled", "changes", p.Changes, "customers", p.Customers, "operations", p.Operations)
	c.SyncNow()
	return nil
}
