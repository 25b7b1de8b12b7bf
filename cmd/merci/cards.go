package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/cardcli"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

const cardsUsage = `usage: merci cards print --count N [--credit X] --out FILE.pdf   issue and print new cards
       merci cards print --out FILE.pdf|FILE.png CODE...          reprint cards
       merci cards escpos --printer HOST:PORT|DEVICE CODE...      print cards on a receipt printer
Add -h after print or escpos for every option.`

// runCards carries out "merci cards print|escpos" on the store in dataDir.
func runCards(ctx context.Context, dataDir string, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "print" && args[0] != "escpos") {
		return fmt.Errorf("%s", cardsUsage)
	}
	store, err := openStore(ctx, dataDir, log)
	if err != nil {
		return err
	}
	defer store.Close()
	shop, err := cardShop(ctx, store)
	if err != nil {
		return err
	}
	if args[0] == "escpos" {
		return cardcli.ESCPOS(ctx, args[1:], shop, stdout)
	}
	return cardcli.Print(ctx, args[1:], shop, storeIssuer{store}, stdout)
}

// cardShop returns what the shop's settings put on its cards.
func cardShop(ctx context.Context, store *localdb.Store) (cardcli.Shop, error) {
	sh, err := store.Shop(ctx)
	if err != nil {
		return cardcli.Shop{}, fmt.Errorf("read the shop's settings: %w", err)
	}
	p, err := store.Program(ctx)
	if err != nil {
		return cardcli.Shop{}, fmt.Errorf("read the loyalty program: %w", err)
	}
	logo, err := sh.LogoImage()
	if err != nil {
		return cardcli.Shop{}, err
	}
	return cardcli.Shop{Name: sh.Name, Logo: logo, BaseURL: sh.CloudURL, Currency: p.Currency,
		OpeningPoints: !p.OpeningInCashback()}, nil
}

// storeIssuer issues cards in the local store on behalf of the command line: this
// device, no staff member, now.
type storeIssuer struct{ store *localdb.Store }

func (s storeIssuer) IssueCards(ctx context.Context, n int, opening loyalty.Money) ([]cards.Code, error) {
	return s.store.IssueCards(ctx, n, int64(opening), loyalty.Origin{Device: s.store.Device()})
}
