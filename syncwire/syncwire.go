// Package syncwire holds the wire types of Merci's sync protocol, shared by the cloud server
// and the desktop app's sync client. It is plain data: no I/O.
//
// Everything a device changes travels as a Change with its own UUIDv7 id, the
// idempotency key: the server applies each id once, however often it is pushed. Ledger
// operations (Type "op") add up; records (customers, cards, settings, ...) are whole
// values keyed by Type and Key, and the last one in server order wins.
package syncwire

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
	// Guard asks the server to refuse a spend (an operation that takes points or
	// cashback) that would take the customer's balance below zero, instead of accepting
	// it and listing the customer as overdrawn. A refused change is not kept: the till
	// records nothing. It is not part of the change's content.
	Guard bool `json:"guard,omitempty"`
}

// PushRequest is the body of POST /v1/sync/push.
type PushRequest struct {
	Changes []Change `json:"changes"`
}

// PushResponse answers a push. Every change of the request is in exactly one of
// Accepted, Duplicate, Rejected and Refused; a rejected change will never apply and
// must be dropped from the device's queue rather than retried; a refused one (a
// guarded spend the balance does not cover) was not kept and may be pushed again.
type PushResponse struct {
	Accepted  []string    `json:"accepted"`
	Duplicate []string    `json:"duplicate"`
	Rejected  []Rejection `json:"rejected"`
	Refused   []Refusal   `json:"refused,omitempty"`
	Version   int64       `json:"version"` // the shop's version after this push
	Epoch     string      `json:"epoch"`
}

// Rejection says why a change cannot apply.
type Rejection struct {
	ID     string `json:"id"`
	Code   string `json:"code"` // machine-readable, e.g. "invalid", "conflict"
	Reason string `json:"reason"`
}

// Refusal is a guarded spend the customer's balance on the server does not cover.
type Refusal struct {
	ID       string `json:"id"`
	Points   int64  `json:"points"`   // the customer's balance on the server
	Cashback int64  `json:"cashback"` // in minor units
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

// Types the server writes itself; a device that pushes one is refused.
const (
	TypeEmail       = "email"        // an Email to send; Key is its id
	TypeEmailStatus = "email_status" // an EmailStatus, written by the server; Key is the email's id
)

// Keys of the settings the server reads as well as the devices.
const (
	SettingProgram = "program" // Body: the shop's loyalty.Program
	SettingShop    = "shop"    // Body: the shop's identity, a ShopSetting among other fields
	SettingAlerts  = "alerts"  // Body: the owner's loyalty.AlertRules, whose alerts the server emails
	SettingNPS     = "nps"     // Body: the survey's settings, a SurveySetting among other fields
)

// SurveySetting is what the server reads of the survey setting: whether and when it
// emails the invitations the kiosk got no answer to.
type SurveySetting struct {
	EmailSurveys      bool `json:"email_surveys,omitempty"`
	EmailDelayMinutes int  `json:"email_delay_minutes,omitempty"`
	ThrottleDays      int  `json:"throttle_days,omitempty"`
	// Question is the owner's wording of the question by language (nps.Lang).
	Question map[string]string `json:"question,omitempty"`
}

// ShopSetting is what the server reads of the shop setting: the logo it shows on the
// customers' card pages.
type ShopSetting struct {
	Logo []byte `json:"logo,omitempty"` // PNG
	// CloudURL is the base of the shop's card pages; survey links go beside them.
	CloudURL string `json:"cloud_url,omitempty"`
	// Languages the shop speaks, its main one first: a survey email is in the first.
	Languages []string `json:"languages,omitempty"`
	Name      string   `json:"name,omitempty"`
}

// Rejection codes.
const (
	CodeInvalid  = "invalid"  // the change breaks a rule and will never apply
	CodeConflict = "conflict" // the id is taken by a different change
	// CodeForbidden: the device's role may not make this change.
	CodeForbidden = "forbidden"
	// CodeQuota: the shop is over a quota (emails per day, storage); the reason says which.
	CodeQuota = "quota"
	// CodeFailed: the server met a fault applying the change; it is rejected alone,
	// never the batch.
	CodeFailed = "failed"
)

// Error codes.
const (
	ErrCodeUnauthorized = "unauthorized" // no token, a forged or a revoked one
	ErrCodeForbidden    = "forbidden"    // the device may not do this (owner only)
	ErrCodeNotFound     = "not_found"
	ErrCodeInvalid      = "invalid"      // the request cannot be read
	ErrCodeTooLarge     = "too_large"    // the body is over the limit
	ErrCodeRateLimited  = "rate_limited" // wait Retry-After seconds
	ErrCodeUnavailable  = "unavailable"  // the server is shutting down or overloaded: retry later
	ErrCodeInternal     = "internal"     // a server fault: retry later
	// ErrCodeSuspended comes with 403 while the operator has suspended the shop: do
	// not retry until it is resumed.
	ErrCodeSuspended = "suspended"
)

// Email is the Body of a change of TypeEmail: a message the server sends once.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// Email statuses.
const (
	EmailQueued  = "queued"  // waiting for its first try or for a retry after a temporary failure
	EmailSent    = "sent"    // the mail server accepted it
	EmailFailed  = "failed"  // refused for good, or out of tries
	EmailUnknown = "unknown" // the server stopped while sending: not retried, so never sent twice
)

// EmailStatus is the Body of a change of TypeEmailStatus.
type EmailStatus struct {
	Status   string     `json:"status"`
	Attempts int        `json:"attempts"`
	Error    string     `json:"error,omitempty"`
	SentAt   *time.Time `json:"sent_at,omitempty"`
}

// EnrollRequest is the body of POST /v1/enroll.
type EnrollRequest struct {
	Code       string `json:"code"`
	DeviceName string `json:"device_name"`
}

// EnrollResponse gives an enrolled device its token, shown once: the server keeps
// only its hash. The token goes in every later request as "Authorization: Bearer TOKEN".
type EnrollResponse struct {
	Token    string `json:"token"`
	DeviceID string `json:"device_id"`
	ShopID   string `json:"shop_id"`
	ShopName string `json:"shop_name"`
	Owner    bool   `json:"owner"`
	Role     Role   `json:"role"`
	Epoch    string `json:"epoch"`
	// ShopTag names the shop in its cards' public page URLs: /c/TAG/CODE.
	ShopTag string `json:"shop_tag"`
}

// Role is what a device may do; the server enforces it on every push and call.
type Role string

// Roles of devices.
const (
	// RoleOwner is the owner's desk: everything, including the program, settings,
	// devices and emails to new addresses.
	RoleOwner Role = "owner"
	// RoleTill is a counter: operations within the purchase ceiling, customers,
	// cards, coupons, the survey of its customer screen, emails to known addresses.
	RoleTill Role = "till"
	// RoleKiosk is a customer tablet: its survey answers and self-service visits.
	RoleKiosk Role = "kiosk"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleTill || r == RoleKiosk }

// Device is an enrolled device, as GET /v1/devices lists it.
type Device struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Owner     bool       `json:"owner"`
	Role      Role       `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// DevicesResponse answers GET /v1/devices.
type DevicesResponse struct {
	Devices []Device `json:"devices"`
}

// CodeRequest is the body of POST /v1/codes: an owner asks for a code to enroll
// another device.
type CodeRequest struct {
	// Role is the role of the device the code enrolls; empty takes Owner's word, for
	// apps that predate roles: an owner, or else a till.
	Role  Role `json:"role,omitempty"`
	Owner bool `json:"owner,omitempty"`
}

// CodeResponse carries a one-time enrollment code.
type CodeResponse struct {
	Code      string    `json:"code"`
	Owner     bool      `json:"owner"`
	Role      Role      `json:"role"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Overdrawn is a customer whose points or cashback went below zero on the server
// because offline redemptions on several devices added up to more than they had.
type Overdrawn struct {
	CustomerID string    `json:"customer_id"`
	OpID       string    `json:"op_id"`    // the operation that took the balance below zero
	Points     int64     `json:"points"`   // the balance right after that operation
	Cashback   int64     `json:"cashback"` // in minor units
	At         time.Time `json:"at"`       // when the server applied it
}

// OverdrawnResponse answers GET /v1/overdrawn.
type OverdrawnResponse struct {
	Overdrawn []Overdrawn `json:"overdrawn"`
}
