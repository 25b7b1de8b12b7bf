// Package api holds the wire types of Merci's sync protocol, shared by the cloud server
// and the desktop app's sync client. It is plain data: no I/O.
//
// Everything a device changes travels as a Change with its own UUIDv7 id, the
// idempotency key: the server applies each id once, however often it is pushed. Ledger
// operations (Type "op") add up; records (customers, cards, settings, ...) are whole
// values keyed by Type and Key, and the last one in server order wins.
package api

import (
	"encoding/json"
	"time"
)

// Version is the API version in every path: /v1/...
const Version = "v1"

// Change types.
const (
	TypeOp       = "op"       // a loyalty.Operation; Key is its id
	TypeCustomer = "customer" // a loyalty.Customer; Key is the customer id
	TypeCard     = "card"     // a loyalty.Card; Key is the card code
	TypeSetting  = "setting"  // a shop setting; Key is its name, Body its JSON value
)

// Change is one thing a device changed.
type Change struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Key    string          `json:"key"`
	Body   json.RawMessage `json:"body"`
	Device string          `json:"device"`
	At     time.Time       `json:"at"` // the device's clock: informative, never used to order
}

// PushRequest is the body of POST /v1/sync/push.
type PushRequest struct {
	Changes []Change `json:"changes"`
}

// PushResponse answers a push. Every change of the request is in exactly one of
// Accepted, Duplicate and Rejected; a rejected change will never apply and must be
// dropped from the device's queue rather than retried.
type PushResponse struct {
	Accepted  []string    `json:"accepted"`
	Duplicate []string    `json:"duplicate"`
	Rejected  []Rejection `json:"rejected"`
	Version   int64       `json:"version"` // the shop's version after this push
	Epoch     string      `json:"epoch"`
}

// Rejection says why a change cannot apply.
type Rejection struct {
	ID     string `json:"id"`
	Code   string `json:"code"` // machine-readable, e.g. "invalid", "conflict"
	Reason string `json:"reason"`
}

// Pulled is a change as the server ordered it.
type Pulled struct {
	Change
	Version int64 `json:"version"`
}

// PullResponse answers GET /v1/sync/pull?cursor=N: the changes with a version above N, in
// version order. Cursor is where the next pull starts; More says a page limit cut the
// answer short. A device whose stored Epoch differs from the server's has been talking to
// a server restored from an older copy: it pulls from zero and pushes again what it had.
type PullResponse struct {
	Changes []Pulled `json:"changes"`
	Cursor  int64    `json:"cursor"`
	More    bool     `json:"more"`
	Epoch   string   `json:"epoch"`
}

// Error is the body of every 4xx and 5xx answer.
type Error struct {
	Code    string `json:"code"` // e.g. "unauthorized", "too_large", "rate_limited", "invalid"
	Message string `json:"message"`
}
