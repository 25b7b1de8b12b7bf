package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/merci-loyalty/merci/cloud/store"
)

// shopLifecycle runs shop suspend, resume and delete, for an operator whose customer
// stops paying or leaves.
func shopLifecycle(ctx context.Context, fs *flag.FlagSet, cmd string, args []string, dsn *string, out io.Writer) error {
	shop := fs.String("shop", "", "the shop's id")
	var export *string
	if cmd == "shop delete" {
		export = fs.String("export", "", "file to export the shop's data to before deleting it [merci-shop-ID.json]")
	}
	return withDB(ctx, fs, args, dsn, func(db *store.DB) error {
		if *shop == "" {
			return errors.New("--shop is required")
		}
		switch cmd {
		case "shop suspend":
			if err := db.Suspend(ctx, *shop); err != nil {
				return err
			}
			fmt.Fprintf(out, "shop %s suspended: its devices are refused and its card pages say the card is unavailable; nothing is deleted\n", *shop)
		case "shop resume":
			if err := db.Resume(ctx, *shop); err != nil {
				return err
			}
			fmt.Fprintf(out, "shop %s resumed\n", *shop)
		case "shop delete":
			path := *export
			if path == "" {
				path = "merci-shop-" + *shop + ".json"
			}
			return deleteShop(ctx, db, *shop, path, out)
		}
		return nil
	})
}

// deleteShop exports the shop to a new file at path, readable by its owner only, and
// deletes the shop once the file is on disk.
func deleteShop(ctx context.Context, db *store.DB, shop, path string, out io.Writer) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export file: %w", err)
	}
	deleted, err := db.DeleteShop(ctx, shop, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", path, cerr)
	}
	if err != nil {
		// Kept, whatever it holds: if the commit's answer was lost, it is the only copy.
		return fmt.Errorf("%w (what was exported is in %s)", err, path)
	}
	var rows int64
	for _, n := range deleted {
		rows += n
	}
	fmt.Fprintf(out, "shop %s exported to %s, then deleted: %d rows\n", shop, path, rows)
	for _, t := range slices.Sorted(maps.Keys(deleted)) {
		fmt.Fprintf(out, "  %-20s %d\n", t, deleted[t])
	}
	return nil
}
