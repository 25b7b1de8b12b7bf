package localdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/merci-loyalty/merci/loyalty"
)

// Demo PINs, shown on the demo shop's screens until the owner replaces them.
const (
	DemoOwnerPIN   = "1234"
	DemoCashierPIN = "0000"
)

// SeedDemo fills an empty store with the demo shop, so that a newcomer sees a working
// counter at once: a program, rewards, two staff members, a few customers and cards. The
// store is marked as the demo for good, first, so that no crash can leave demo data in a
// store that may join a shop. It does nothing if the shop was already set up. It
// reports whether it seeded.
func (s *Store) SeedDemo(ctx context.Context) (bool, error) {
	if _, err := s.Shop(ctx); err == nil {
		return false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	if err := s.markDemo(ctx); err != nil {
		return false, err
	}
	if err := s.SeedSample(ctx, Shop{Name: "Café Merci (demo)", Demo: true}); err != nil {
		return false, err
	}
	return true, nil
}

// SeedSample fills an empty store with a sample shop named as shop: the demo's program,
// rewards, staff (PINs DemoOwnerPIN and DemoCashierPIN), customers and purchases. The
// demo is made of it; tests and benchmarks use it for a shop with data.
func (s *Store) SeedSample(ctx context.Context, shop Shop) error {
	program := loyalty.Program{
		Currency:               "EUR",
		PointsPerVisit:         1,
		PointsPerUnit:          1,
		CashbackBasisPoints:    200,
		XPPerUnit:              1,
		SelfServiceVisitPoints: 2,
		Tiers:                  []loyalty.Tier{{Name: "Gold", MinXP: 0}, {Name: "Platinum", MinXP: 1000}, {Name: "Diamond", MinXP: 3000}},
		Rewards: []loyalty.Reward{
			{ID: "coffee", Name: "Coffee", Points: 10},
			{ID: "dessert", Name: "Dessert", Points: 25},
			{ID: "menu", Name: "Lunch menu", Points: 60},
		},
	}
	if err := s.SaveProgram(ctx, program); err != nil {
		return fmt.Errorf("seed demo program: %w", err)
	}
	if _, err := s.AddStaff(ctx, "Owner", RoleOwner, DemoOwnerPIN); err != nil {
		return fmt.Errorf("seed demo owner: %w", err)
	}
	cashier, err := s.AddStaff(ctx, "Camille", RoleCashier, DemoCashierPIN)
	if err != nil {
		return fmt.Errorf("seed demo cashier: %w", err)
	}
	origin := loyalty.Origin{Device: s.device, Staff: cashier.ID, At: s.Now()}
	customers := []struct {
		c         loyalty.Customer
		purchases []loyalty.Money
	}{
		{loyalty.Customer{Name: "Alice Martin", Email: "alice@example.com", Phone: "+33 6 12 34 56 78", Consent: true}, []loyalty.Money{450, 1290, 380}},
		{loyalty.Customer{Name: "Bruno Costa", Email: "bruno@example.com", Phone: "+55 11 91234 5678", Consent: true}, []loyalty.Money{2450}},
		{loyalty.Customer{Name: "Chloé Dubois", Email: "chloe@example.com", Phone: "+33 7 98 76 54 32"}, nil},
		{loyalty.Customer{Name: "Le Petit Bureau", Email: "compta@petitbureau.example", Company: "Le Petit Bureau SARL", TaxID: "FR12345678901"}, []loyalty.Money{15800}},
	}
	for _, d := range customers {
		a, err := s.NewAccount(ctx, d.c)
		if err != nil {
			return fmt.Errorf("seed demo customer: %w", err)
		}
		for _, amount := range d.purchases {
			if _, _, err := s.Record(ctx, a.Code(), func(a Account) (loyalty.Operation, error) {
				return program.Credit(origin, a.Card, amount)
			}); err != nil {
				return fmt.Errorf("seed demo purchase: %w", err)
			}
		}
	}
	if err := s.SaveSetting(ctx, SettingShop, shop); err != nil {
		return fmt.Errorf("seed demo shop: %w", err)
	}
	return nil
}
