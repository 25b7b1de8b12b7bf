// Command merci-cloud is Merci's optional cloud server: it syncs the devices of each
// shop, sends their queued emails, and serves the public card pages.
//
//	merci-cloud serve [--addr 127.0.0.1:8787] [--db ./merci-cloud.db] [--smtp-host ...]
//	merci-cloud shop create --name "Café Lune"     prints a one-time owner enrollment code
//	merci-cloud shop list
//	merci-cloud shop code --shop ID [--role till]   another one-time enrollment code: owner, till or kiosk
//	merci-cloud shop suspend|resume --shop ID       for a customer who stops paying
//	merci-cloud shop delete --shop ID [--export F]  exports the shop to F, then deletes it
//	merci-cloud device list --shop ID
//	merci-cloud device revoke --shop ID --device ID
//	merci-cloud restore                             after restoring the database from a backup
//
// --db takes a SQLite file path or a postgres:// URL; it defaults to $MERCI_CLOUD_DB,
// else ./merci-cloud.db. The SMTP password comes from $MERCI_SMTP_PASSWORD. The wallet
// certificates that let card pages offer Apple and Google Wallet passes are described
// in docs/wallet.md.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/merci-loyalty/merci/cloud/mailer"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

const usage = `usage:
  merci-cloud serve [--addr HOST:PORT] [--db PATH-OR-URL] [--tls-cert FILE --tls-key FILE]
                    [--trusted-proxy CIDR,...] [--metrics-addr HOST:PORT|off]
                    [--smtp-host H --smtp-port P --smtp-user U --smtp-from ADDR --smtp-tls mandatory|opportunistic|none]
                    [--emails-per-day N] [--storage-mib N]
                    [--public-url URL --apple-pass-cert F --apple-pass-key F --apple-wwdr-cert F]
                    [--public-url URL --google-issuer-id ID --google-service-account F]
  merci-cloud shop create --name NAME
  merci-cloud shop list
  merci-cloud shop code --shop ID [--role owner|till|kiosk]
  merci-cloud shop suspend --shop ID
  merci-cloud shop resume --shop ID
  merci-cloud shop delete --shop ID [--export FILE]
  merci-cloud device list --shop ID
  merci-cloud device revoke --shop ID --device ID
  merci-cloud restore
Every command takes --db (default $MERCI_CLOUD_DB, else ./merci-cloud.db);
merci-cloud COMMAND -h lists its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // asked for: the flags went to stderr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "merci-cloud:", err)
		os.Exit(1)
	}
}

// errUsage is a command line that names no command.
var errUsage = errors.New("unknown command; see usage above")

func run(ctx context.Context, args []string, out io.Writer) error {
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if (cmd == "shop" || cmd == "device") && len(args) > 0 {
		cmd, args = cmd+" "+args[0], args[1:]
	}
	fs := flag.NewFlagSet("merci-cloud "+cmd, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	dbDefault := os.Getenv("MERCI_CLOUD_DB")
	if dbDefault == "" {
		dbDefault = "./merci-cloud.db"
	}
	dsn := fs.String("db", dbDefault, "SQLite file path or postgres:// URL")
	switch cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(out, usage)
		return nil
	case "serve":
		return serve(ctx, fs, args, dsn, out)
	case "shop create":
		name := fs.String("name", "", "the shop's name")
		return withDB(ctx, fs, args, dsn, func(db *store.DB) error {
			shop, code, err := db.CreateShop(ctx, *name)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "shop %s created: %s\n", shop.Name, shop.ID)
			fmt.Fprintf(out, "owner enrollment code (one use, until %s): %s\n", code.ExpiresAt.Format("2006-01-02 15:04 MST"), code.Code)
			return nil
		})
	case "shop list":
		return withDB(ctx, fs, args, dsn, func(db *store.DB) error {
			shops, err := db.Shops(ctx)
			if err != nil {
				return err
			}
			suspended, err := db.Suspensions(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tCARD PAGES\tCREATED\tSUSPENDED")
			for _, s := range shops {
				since := ""
				if at, ok := suspended[s.ID]; ok {
					since = at.Format(time.DateTime)
				}
				fmt.Fprintf(tw, "%s\t%s\t/c/%s\t%s\t%s\n", s.ID, store.CleanName(s.Name), s.Tag, s.CreatedAt.Format(time.DateTime), since)
			}
			return tw.Flush()
		})
	case "shop code":
		shop := fs.String("shop", "", "the shop's id")
		role := fs.String("role", string(syncwire.RoleTill), "what the enrolled device may do: owner (the owner's desk), till or kiosk")
		owner := fs.Bool("owner", false, "same as --role owner")
		return withDB(ctx, fs, args, dsn, func(db *store.DB) error {
			if *owner {
				*role = string(syncwire.RoleOwner)
			}
			code, err := db.NewCode(ctx, *shop, syncwire.Role(*role))
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s enrollment code (one use, until %s): %s\n", code.Role, code.ExpiresAt.Format("2006-01-02 15:04 MST"), code.Code)
			return nil
		})
	case "shop suspend", "shop resume", "shop delete":
		return shopLifecycle(ctx, fs, cmd, args, dsn, out)
	case "device list":
		shop := fs.String("shop", "", "the shop's id")
		return withDB(ctx, fs, args, dsn, func(db *store.DB) error {
			devs, err := db.Devices(ctx, *shop)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tENROLLED\tREVOKED")
			for _, d := range devs {
				revoked := ""
				if d.RevokedAt != nil {
					revoked = d.RevokedAt.Format(time.DateTime)
				}
				// Names stored before they were cleaned on enrollment may hold escapes.
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, store.CleanName(d.Name), d.Role, d.CreatedAt.Format(time.DateTime), revoked)
			}
			return tw.Flush()
		})
	case "device revoke":
		shop := fs.String("shop", "", "the shop's id")
		device := fs.String("device", "", "the device's id")
		return withDB(ctx, fs, args, dsn, func(db *store.DB) error {
			if err := db.Revoke(ctx, *shop, *device); err != nil {
				return err
			}
			fmt.Fprintf(out, "device %s revoked\n", *device)
			return nil
		})
	case "restore":
		return withDB(ctx, fs, args, dsn, func(db *store.DB) error {
			old := db.Epoch()
			epoch, err := db.RotateEpoch(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "epoch changed from %s to %s: devices will pull again and push what the backup lacks\n", old, epoch)
			return nil
		})
	}
	fmt.Fprint(os.Stderr, usage)
	return errUsage
}

// withDB parses the flags, opens the database and runs f.
func withDB(ctx context.Context, fs *flag.FlagSet, args []string, dsn *string, f func(*store.DB) error) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	return errors.Join(f(db), db.Close())
}

func serve(ctx context.Context, fs *flag.FlagSet, args []string, dsn *string, out io.Writer) error {
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM); without it, serve plain HTTP behind a TLS proxy")
	key := fs.String("tls-key", "", "TLS private key file (PEM)")
	var trusted []netip.Prefix
	fs.Func("trusted-proxy", "CIDR or address of a TLS proxy in front, whose X-Forwarded-For names the client (repeat, or separate with commas)",
		func(v string) error {
			p, err := server.ParseTrustedProxies(v)
			trusted = append(trusted, p...)
			return err
		})
	metricsAddr := fs.String("metrics-addr", "127.0.0.1:9787", `address to serve Prometheus metrics on, apart from the API; "off" for none`)
	var mc mailer.Config
	fs.StringVar(&mc.Host, "smtp-host", "", "SMTP server; no emails are sent without it")
	fs.IntVar(&mc.Port, "smtp-port", 587, "SMTP port")
	fs.StringVar(&mc.User, "smtp-user", "", "SMTP user name (password in $MERCI_SMTP_PASSWORD)")
	fs.StringVar(&mc.From, "smtp-from", "", "sender address of the emails")
	fs.StringVar(&mc.TLS, "smtp-tls", "mandatory", "SMTP STARTTLS: mandatory, opportunistic or none")
	emails := fs.Int("emails-per-day", store.DefaultQuotas.EmailsPerDay, "most emails a shop may queue in 24 hours (0: no limit)")
	storage := fs.Int64("storage-mib", store.DefaultQuotas.StorageBytes>>20, "most MiB of changes a shop may store (0: no limit)")
	walletFlags := addWalletFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *emails < 0 || *storage < 0 {
		return errors.New("--emails-per-day and --storage-mib cannot be negative")
	}
	mc.Password = os.Getenv("MERCI_SMTP_PASSWORD")
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	public, err := publicURL(*walletFlags.publicURL)
	if err != nil {
		return err
	}
	wallets, err := walletFlags.load(time.Now(), log)
	if err != nil {
		return err
	}

	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.Quotas = store.Quotas{EmailsPerDay: *emails, StorageBytes: *storage << 20}
	reg := prometheus.NewRegistry()
	srv := server.New(db, server.Config{Logger: log, Metrics: reg, TrustedProxies: trusted, PublicURL: public, Wallet: wallets})
	defer srv.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mailDone, scansDone := make(chan error, 1), make(chan error, 1)
	go func() { scansDone <- srv.RunScans(ctx, time.Minute) }()
	if mc.Host != "" {
		mc.Logger, mc.Metrics = log, reg
		m, err := mailer.New(db, mc)
		if err != nil {
			return err
		}
		go func() { mailDone <- m.Run(ctx) }()
	} else {
		log.Warn("no --smtp-host: queued emails wait until one is given")
		mailDone <- nil
	}

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second, // above the 25 s long-poll
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	} else if ip := l.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Warn("serving plain HTTP on a public address: put a TLS proxy in front, or give --tls-cert and --tls-key")
	}
	metricsURL, stopMetrics, err := serveMetrics(*metricsAddr, srv.Metrics(), log)
	if err != nil {
		l.Close()
		return err
	}
	defer stopMetrics()
	fmt.Fprintf(out, "merci-cloud listening on %s://%s (epoch %s)\n", scheme, l.Addr(), db.Epoch())
	if metricsURL != "" {
		fmt.Fprintf(out, "metrics on %s\n", metricsURL)
	}
	served := make(chan error, 1)
	go func() {
		if *cert != "" {
			served <- hs.ServeTLS(l, *cert, *key)
		} else {
			served <- hs.Serve(l)
		}
	}()
	select {
	case err := <-served:
		cancel()
		<-mailDone
		<-scansDone
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Waiting pulls answer at once; then in-flight pushes finish.
	srv.Close()
	shutCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer done()
	err = hs.Shutdown(shutCtx)
	cancel()
	return errors.Join(err, <-mailDone, <-scansDone)
}
