package syncclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// Errors of the account's requests, besides ErrNotEnrolled. Each says what a person
// can do about it; the error returned wraps the detail for the log.
var (
	// ErrNotOwner: the shop's devices are managed from its owner device.
	ErrNotOwner = errors.New("only the owner device of the shop may do this")
	// ErrRefused: the server does not know this device's token any more (revoked, or
	// the token was lost): the device must be connected again.
	ErrRefused = errors.New("the cloud refused this device: connect it again")
	// ErrOffline: the server cannot be reached.
	ErrOffline = errors.New("the cloud server cannot be reached")
	// ErrUnavailable: the server was reached but cannot answer now (busy, rate
	// limited, failing): try again in a moment.
	ErrUnavailable = errors.New("the cloud server cannot answer now")
	// ErrUnknownDevice: no device of the shop has that id.
	ErrUnknownDevice = errors.New("the shop has no such device")
	// ErrRevokeSelf: revoking the device that asks would leave the shop without the
	// device it is managed from.
	ErrRevokeSelf = errors.New("a device cannot revoke itself")
)

// Connection is the cloud account this device is connected to.
type Connection struct {
	ServerURL string
	ShopName  string
	DeviceID  string // the server's id of this device
}

// Role is what a device may do; the server enforces it on every push and call.
type Role = syncwire.Role

// The roles of devices.
const (
	RoleOwner = syncwire.RoleOwner // the owner's desk: everything
	RoleTill  = syncwire.RoleTill  // a counter: sales, customers and cards
	RoleKiosk = syncwire.RoleKiosk // a customer tablet: its survey and self-service visits
)

// roleOf reads a device's role from a server's answer; a server from before roles
// says only whether it is an owner.
func roleOf(role Role, owner bool) Role {
	switch {
	case role != "":
		return role
	case owner:
		return RoleOwner
	}
	return RoleTill
}

// Device is a device of the shop, as the owner device sees it.
type Device struct {
	ID         string
	Name       string
	Owner      bool // it may manage the shop's devices
	Role       Role
	EnrolledAt time.Time
	RevokedAt  time.Time // zero while the device may sync
	This       bool      // the device this client runs on
}

// Revoked reports whether the device's token has been revoked.
func (d Device) Revoked() bool { return !d.RevokedAt.IsZero() }

// EnrollCode is a one-time code that connects one more device to the shop.
type EnrollCode struct {
	Code      string
	Owner     bool // the device connected with it will be an owner device
	Role      Role // the role of the device connected with it
	ExpiresAt time.Time
	ServerURL string // to type on the new device along with the code
}

// Overdrawn is a customer whose balance went below zero on the server: offline tills
// together redeemed more than the customer had.
type Overdrawn struct {
	CustomerID string
	OpID       string        // the operation that took the balance below zero
	Points     int64         // the points right after it
	Cashback   loyalty.Money // the cashback right after it
	At         time.Time     // when the server applied it
}

// Connection returns the account this device is connected to, from the local store
// alone: it works offline. ErrNotEnrolled if there is none.
func (c *Client) Connection(ctx context.Context) (Connection, error) {
	st, err := c.enrolled(ctx)
	if err != nil {
		return Connection{}, err
	}
	return Connection{ServerURL: st.ServerURL, ShopName: st.ShopName, DeviceID: st.DeviceID}, nil
}

// Devices lists the shop's devices, revoked ones included, oldest first. Owner device
// only (ErrNotOwner).
func (c *Client) Devices(ctx context.Context) ([]Device, error) {
	st, err := c.enrolled(ctx)
	if err != nil {
		return nil, err
	}
	var resp syncwire.DevicesResponse
	if err := c.ask(ctx, st, http.MethodGet, "/v1/devices", nil, &resp); err != nil {
		return nil, fmt.Errorf("list the shop's devices: %w", err)
	}
	devs := make([]Device, len(resp.Devices))
	for i, d := range resp.Devices {
		devs[i] = Device{ID: d.ID, Name: d.Name, Owner: d.Owner, Role: roleOf(d.Role, d.Owner), EnrolledAt: d.CreatedAt, This: d.ID == st.DeviceID}
		if d.RevokedAt != nil {
			devs[i].RevokedAt = *d.RevokedAt
		}
	}
	return devs, nil
}

// Revoke revokes the device id of the shop: its token stops working at once, and it
// must be enrolled again with a new code to sync. Revoking a revoked device is not an
// error; this device is ErrRevokeSelf. Owner device only (ErrNotOwner).
func (c *Client) Revoke(ctx context.Context, id string) error {
	st, err := c.enrolled(ctx)
	if err != nil {
		return err
	}
	if id == st.DeviceID {
		return ErrRevokeSelf
	}
	err = c.ask(ctx, st, http.MethodDelete, "/v1/devices/"+url.PathEscape(id), nil, nil)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusNotFound {
		err = fmt.Errorf("%w: %w", ErrUnknownDevice, err)
	}
	if err != nil {
		return fmt.Errorf("revoke device %s: %w", id, err)
	}
	c.cfg.Logger.Info("device revoked", "device", id)
	return nil
}

// NewCode makes a one-time code that enrolls one more device in role. Owner device
// only (ErrNotOwner).
func (c *Client) NewCode(ctx context.Context, role Role) (EnrollCode, error) {
	st, err := c.enrolled(ctx)
	if err != nil {
		return EnrollCode{}, err
	}
	var resp syncwire.CodeResponse
	// Owner too, for a server from before roles.
	req := syncwire.CodeRequest{Role: role, Owner: role == RoleOwner}
	if err := c.ask(ctx, st, http.MethodPost, "/v1/codes", req, &resp); err != nil {
		return EnrollCode{}, fmt.Errorf("make an enrollment code: %w", err)
	}
	return EnrollCode{Code: resp.Code, Owner: resp.Owner, Role: roleOf(resp.Role, resp.Owner), ExpiresAt: resp.ExpiresAt, ServerURL: st.ServerURL}, nil
}

// Overdrawn lists the operations that took a customer's balance below zero on the
// server, oldest first.
func (c *Client) Overdrawn(ctx context.Context) ([]Overdrawn, error) {
	st, err := c.enrolled(ctx)
	if err != nil {
		return nil, err
	}
	var resp syncwire.OverdrawnResponse
	if err := c.ask(ctx, st, http.MethodGet, "/v1/overdrawn", nil, &resp); err != nil {
		return nil, fmt.Errorf("list the overdrawn customers: %w", err)
	}
	list := make([]Overdrawn, len(resp.Overdrawn))
	for i, o := range resp.Overdrawn {
		list[i] = Overdrawn{CustomerID: o.CustomerID, OpID: o.OpID, Points: o.Points, Cashback: loyalty.Money(o.Cashback), At: o.At}
	}
	return list, nil
}

// enrolled returns the device's sync state, or ErrNotEnrolled.
func (c *Client) enrolled(ctx context.Context) (localdb.SyncState, error) {
	st, err := c.store.SyncState(ctx)
	if errors.Is(err, localdb.ErrNotFound) {
		return st, ErrNotEnrolled
	}
	if err != nil {
		return st, fmt.Errorf("read the cloud connection: %w", err)
	}
	return st, nil
}

// ask sends a request of the account to the server st names, with the device's
// token, and turns its failures into the errors above.
func (c *Client) ask(ctx context.Context, st localdb.SyncState, method, path string, in, out any) error {
	token, err := c.cfg.Tokens.Get(st.ServerURL)
	if errors.Is(err, ErrNoToken) {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if err != nil {
		return err
	}
	err = c.call(ctx, method, st.ServerURL+path, token, in, out, c.cfg.RequestTimeout)
	if err == nil || ctx.Err() != nil {
		return err // a caller that gave up needs no advice
	}
	var he *httpError
	switch {
	case errors.As(err, &he) && he.status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", ErrRefused, err)
	case errors.As(err, &he) && he.status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", ErrNotOwner, err)
	}
	return explain(err)
}

// explain wraps a failed request's error in ErrUnavailable or ErrOffline when it is
// one of those.
func explain(err error) error {
	var he *httpError
	var ue *url.Error
	switch {
	case errors.As(err, &he) && (he.status == http.StatusTooManyRequests || he.status >= 500):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case errors.As(err, &ue):
		// No answer at all: refused connection, no route, DNS, or a timeout.
		return fmt.Errorf("%w: %w", ErrOffline, err)
	}
	return err
}
