package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cards/cardcli"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// storeIssuer issues cards in the local store on behalf of this device.
type storeIssuer struct{ store *localdb.Store }

func (i storeIssuer) IssueCards(ctx context.Context, n int, opening loyalty.Money) ([]cards.Code, error) {
	o := loyalty.Origin{Device: i.store.Device(), At: i.store.Now()}
	return i.store.IssueCards(ctx, n, opening, o)
}

// runCards prints cards: merci cards print ... | merci cards escpos ...
func runCards(ctx context.Context, dataDir string, args []string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 {
		return errors.New("usage: merci cards print --count N [--credit X] --out FILE.pdf | merci cards escpos --printer HOST:PORT CODE")
	}
	store, err := openStore(ctx, dataDir, log)
	if err != nil {
		return err
	}
	defer store.Close()
	shop, err := store.Shop(ctx)
	if err != nil {
		return err
	}
	program, err := store.Program(ctx)
	if err != nil {
		return err
	}
	info := cardcli.Shop{Name: shop.Name, BaseURL: shop.CloudURL, Currency: program.Currency}
	if len(shop.Logo) > 0 {
		if logo, _, err := image.Decode(bytes.NewReader(shop.Logo)); err == nil {
			info.Logo = logo
		}
	}
	switch args[0] {
	case "print":
		return cardcli.Print(ctx, args[1:], info, storeIssuer{store}, stdout)
	case "escpos":
		return cardcli.ESCPOS(ctx, args[1:], info, stdout)
	}
	return fmt.Errorf("unknown cards command %q (print or escpos)", args[0])
}
