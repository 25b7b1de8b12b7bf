package localdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ReceiptPrinter is the thermal receipt printer beside this device's till, which can
// print a card as a ticket and the customer's slip after an operation.
type ReceiptPrinter struct {
	Target string `json:"target"` // HOST[:PORT] of a network printer, or a device file such as /dev/usb/lp0
	Paper  int    `json:"paper"`  // paper width in mm: 58 or 80
	Raster bool   `json:"raster"` // the printer lacks QR commands: print the QR code as an image
	// Slips has the counter print a slip for the customer after each operation.
	Slips bool `json:"slips,omitempty"`
}

// metaReceiptPrinter keeps the receipt printer in meta, not in the synced settings: the
// printer is wired to this device, and another till has its own.
const metaReceiptPrinter = "receipt_printer"

// ErrBadPrinter means a receipt printer setting cannot be used.
var ErrBadPrinter = errors.New("give the receipt printer's address (HOST:9100) or device, and a paper width of 58 or 80 mm")

// ReceiptPrinter returns this device's receipt printer; ErrNotFound if none was set.
func (s *Store) ReceiptPrinter(ctx context.Context) (ReceiptPrinter, error) {
	var p ReceiptPrinter
	raw, err := s.Meta(ctx, metaReceiptPrinter)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("decode receipt printer setting: %w", err)
	}
	return p, nil
}

// SaveReceiptPrinter checks and stores this device's receipt printer.
func (s *Store) SaveReceiptPrinter(ctx context.Context, p ReceiptPrinter) error {
	p.Target = strings.TrimSpace(p.Target)
	if p.Target == "" || (p.Paper != 58 && p.Paper != 80) {
		return ErrBadPrinter
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode receipt printer setting: %w", err)
	}
	return s.SetMeta(ctx, metaReceiptPrinter, string(body))
}
