package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"text/tabwriter"

	"github.com/merci-loyalty/merci/localdb/backup"
)

const backupUsage = "usage: merci backup list | create | verify FILE | restore FILE"

// runBackup lists, makes, checks and restores copies of the shop's store:
// merci backup list | create | verify FILE | restore FILE.
func runBackup(ctx context.Context, dataDir string, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(backupUsage)
	}
	if args[0] == "verify" {
		// A copy is checked on its own: no store needs opening (it may be on a stick
		// brought from another computer).
		if len(args) != 2 {
			return errors.New(backupUsage)
		}
		counts, err := backup.Verify(ctx, args[1])
		if err != nil {
			return err
		}
		tables := make([]string, 0, len(counts))
		for t := range counts {
			tables = append(tables, t)
		}
		sort.Strings(tables)
		fmt.Fprintf(stdout, "%s: ok (integrity_check)\n", args[1])
		for _, t := range tables {
			fmt.Fprintf(stdout, "  %-20s %d rows\n", t, counts[t])
		}
		return nil
	}
	store, err := openStore(ctx, dataDir, log)
	if err != nil {
		return err
	}
	defer store.Close()
	switch {
	case args[0] == "list" && len(args) == 1:
		list, err := store.Backups(ctx)
		if err != nil {
			return err
		}
		st, err := store.BackupStatus(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "folder: %s\n", st.Dir)
		if st.Err != "" {
			fmt.Fprintf(stdout, "last backup FAILED: %s\n", st.Err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tKIND\tSIZE\tFILE")
		for _, b := range list {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", b.Time.Local().Format("2006-01-02 15:04:05"), b.Kind, b.Size, b.Path)
		}
		return tw.Flush()
	case args[0] == "create" && len(args) == 1:
		info, err := store.Backup(ctx, backup.KindManual)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%d bytes, verified)\n", info.Path, info.Size)
		return nil
	case args[0] == "restore" && len(args) == 2:
		if err := store.Restore(ctx, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "restored %s; the database as it was is kept in the backup folder\n", args[1])
		return nil
	}
	return errors.New(backupUsage)
}
