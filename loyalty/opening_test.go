package loyalty_test

import (
	"errors"
	"testing"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestOpening(t *testing.T) {
	cashbackOnly := loyalty.Program{Currency: "EUR", CashbackBasisPoints: 300}
	tests := []struct {
		name    string
		program loyalty.Program
		amount  int64
		want    loyalty.Delta
		err     error
	}{
		{"points program", cafe, 50, loyalty.Delta{Points: 50}, nil},
		{"points and cashback: points", cafe, 5, loyalty.Delta{Points: 5}, nil},
		{"cashback only: minor units", cashbackOnly, 500, loyalty.Delta{Cashback: 500}, nil},
		{"zero", cafe, 0, loyalty.Delta{}, loyalty.ErrInvalidAmount},
		{"negative", cashbackOnly, -1, loyalty.Delta{}, loyalty.ErrInvalidAmount},
		{"cashback beyond any purchase", cashbackOnly, 5001 * 100, loyalty.Delta{}, loyalty.ErrAmountTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := tt.program.Opening(origin, card, tt.amount)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Opening(%d) err = %v, want %v", tt.amount, err, tt.err)
			}
			if err != nil {
				return
			}
			if op.Delta != tt.want || op.Kind != loyalty.KindAdjust || op.Reason != loyalty.ReasonOpening {
				t.Errorf("Opening(%d) = %s %+v %q, want adjust %+v %q", tt.amount, op.Kind, op.Delta, op.Reason, tt.want, loyalty.ReasonOpening)
			}
			if err := op.Validate(); err != nil {
				t.Errorf("Opening(%d) makes an invalid operation: %v", tt.amount, err)
			}
		})
	}
	blocked := card
	blocked.Status = loyalty.CardBlocked
	if _, err := cafe.Opening(origin, blocked, 5); !errors.Is(err, loyalty.ErrCardBlocked) {
		t.Errorf("Opening on a blocked card: err = %v, want ErrCardBlocked", err)
	}
}
