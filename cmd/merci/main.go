// Command merci is Merci's desktop app: the counter, the kiosk and the owner's desk, plus
// a few commands for support and scripting.
//
//	merci                  open the counter (a demo shop on first start)
//	merci kiosk            open the customer tablet screen, full screen
//	merci scan FILE...     decode QR codes from image files
//	merci cards print|escpos  issue, print and reprint loyalty cards (merci cards for help)
//
// Data lives in the user's config folder (merci/merci.db), or in --data DIR.
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

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/scanner"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/ui"
)

// appID is the app's reverse-DNS id, as in FyneApp.toml.
const appID = "app.merci.desktop"

func main() {
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
	if err := fs.Parse(args); err != nil {
		return err
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
	default:
		return fmt.Errorf("unknown command %q (try: merci, merci kiosk, merci scan FILE..., merci cards)", cmd)
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

// openStore opens the local database in dataDir, with the demo shop on first start.
func openStore(ctx context.Context, dataDir string, log *slog.Logger) (*localdb.Store, error) {
	store, err := localdb.Open(ctx, filepath.Join(dataDir, "merci.db"))
	if err != nil {
		return nil, err
	}
	seeded, err := store.SeedDemo(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	if seeded {
		log.Info("first start: created the demo shop", "data", dataDir)
	}
	return store, nil
}

// runApp opens the app with the window show makes.
func runApp(ctx context.Context, dataDir string, log *slog.Logger, show func(*ui.UI) fyne.Window) error {
	store, err := openStore(ctx, dataDir, log)
	if err != nil {
		return err
	}
	defer store.Close()
	a := app.NewWithID(appID)
	u := ui.New(a, store, i18n.Detect(os.Getenv), log)
	// The sync loop runs for the app's lifetime and reports to the status bar; with no
	// cloud account it waits, and the counter works on the local store alone.
	sync := syncclient.New(store, syncclient.Config{DataDir: dataDir, Logger: log, OnStatus: u.OnSyncStatus})
	u.SetSync(sync)
	syncCtx, stopSync := context.WithCancel(ctx)
	synced := make(chan struct{})
	go func() {
		defer close(synced)
		sync.Run(syncCtx)
	}()
	show(u)
	go func() {
		<-ctx.Done()
		a.Quit()
	}()
	a.Run()
	stopSync()
	<-synced
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
