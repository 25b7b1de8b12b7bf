// Command merci is Merci's desktop app: the counter, the kiosk and the owner's desk, plus
// a few commands for support and scripting.
//
//	merci                  open the counter (on first start: try the demo, set up or join the shop)
//	merci kiosk            open the customer tablet screen, full screen
//	merci scan FILE...     decode QR codes from image files
//	merci cards print|escpos  issue, print and reprint loyalty cards (merci cards for help)
//	merci backup list|create|verify FILE|restore FILE  copies of the shop's store
//	merci --version        the version (FyneApp.toml) and the git commit built
//
// Data lives in the user's config folder (merci/merci.db, and the demo apart in
// merci/demo.db), or in --data DIR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/backup"
	"github.com/merci-loyalty/merci/scanner"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/ui"
)

// appID is the app's reverse-DNS id, as in FyneApp.toml.
const appID = "app.merci.desktop"

func main() {
	attachConsole()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "merci:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("merci", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", defaultDataDir(), "folder of Merci's local data")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, versionLine())
		return nil
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if fs.NArg() == 0 {
		return runApp(ctx, *dataDir, log, (*ui.UI).ShowCounter)
	}
	switch cmd := fs.Arg(0); cmd {
	case "kiosk":
		return runApp(ctx, *dataDir, log, func(u *ui.UI) fyne.Window { return u.ShowKiosk(true) })
	case "scan":
		return runScan(ctx, fs.Args()[1:], stdout, stderr)
	case "cards":
		return runCards(ctx, *dataDir, log, fs.Args()[1:], stdout)
	case "backup":
		return runBackup(ctx, *dataDir, log, fs.Args()[1:], stdout)
	default:
		return fmt.Errorf("unknown command %q (try: merci, merci kiosk, merci scan FILE..., merci cards, merci backup)", cmd)
	}
}

func defaultDataDir() string {
	if d := os.Getenv("MERCI_DATA"); d != "" {
		return d
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "merci")
}

// openStore opens the shop's store in dataDir, for the support commands: never the
// demo's.
func openStore(ctx context.Context, dataDir string, log *slog.Logger) (*localdb.Store, error) {
	return localdb.Folder{Dir: dataDir, Log: log}.OpenShop(ctx)
}

// runApp opens the app: the first-start choice on a new device, else the demo or the
// shop, in the window show makes.
func runApp(ctx context.Context, dataDir string, log *slog.Logger, show func(*ui.UI) fyne.Window) error {
	a := app.NewWithID(appID)
	// Each sync loop (the shop's store has one; the demo none) runs for the app's
	// lifetime and reports to the status bar; with no cloud account it waits, and the
	// counter works on the local store alone.
	syncCtx, stopSync := context.WithCancel(ctx)
	var loops sync.WaitGroup
	startSync := func(store *localdb.Store, onStatus func(syncclient.Status)) ui.Syncer {
		c := syncclient.New(store, syncclient.Config{DataDir: dataDir, Logger: log, OnStatus: onStatus})
		loops.Add(1)
		go func() {
			defer loops.Done()
			c.Run(syncCtx)
		}()
		return c
	}
	l := ui.NewLauncher(a, i18n.Detect(os.Getenv), log, localdb.Folder{Dir: dataDir, Log: log}, startSync, show)
	// The shop's backups run beside its sync loop, twice a day; a failure is kept in the
	// store and shown until a copy succeeds.
	l.SetBackups(func(store *localdb.Store, onResult func(error)) {
		loops.Add(1)
		go func() {
			defer loops.Done()
			var last time.Time
			if st, err := store.BackupStatus(syncCtx); err == nil {
				last = st.Last
			}
			backup.Schedule{Clock: backup.RealClock{}, Backup: func(ctx context.Context) (backup.Info, error) {
				info, err := store.Backup(ctx, backup.KindAuto)
				if err != nil {
					log.Error("backup", "err", err)
				}
				onResult(err)
				return info, err
			}}.Run(syncCtx, last)
		}()
	})
	if err := l.Start(ctx); err != nil {
		stopSync()
		return err
	}
	go func() {
		<-ctx.Done()
		a.Quit()
	}()
	a.Run()
	stopSync()
	loops.Wait()
	l.Close()
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// runScan decodes the QR codes of image files: merci scan [--json] FILE...
func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("merci scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: merci scan [--json] FILE (one or more image files)")
	}
	return scanner.ScanFiles(ctx, stdout, fs.Args(), *asJSON)
}
