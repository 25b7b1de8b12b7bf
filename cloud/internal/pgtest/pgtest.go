// Package pgtest starts a throwaway PostgreSQL cluster for tests and benchmarks: initdb
// and pg_ctl from Debian's postgresql package, on a free loopback port, in a temporary
// folder removed afterwards. Run as root, it runs the cluster as the postgres user.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// BinDir is where Debian installs PostgreSQL 15; PGBIN overrides it.
const BinDir = "/usr/lib/postgresql/15/bin"

// ErrNoPostgres means the PostgreSQL binaries are not installed.
var ErrNoPostgres = errors.New("PostgreSQL binaries not found (install Debian's postgresql package, or set PGBIN)")

// Cluster is a running PostgreSQL cluster.
type Cluster struct {
	dir  string
	bin  string
	port int
	cred *syscall.Credential
	n    atomic.Int64
}

var (
	shared    *Cluster
	sharedErr error
	once      sync.Once
)

// Main runs the tests of a package that uses the shared cluster and stops the cluster
// after them; call it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	stopShared()
	os.Exit(code)
}

// Shared returns the cluster of this test binary, starting it on first use; Main
// stops it.
func Shared() (*Cluster, error) {
	once.Do(func() { shared, sharedErr = Start() })
	return shared, sharedErr
}

// stopShared stops the shared cluster if it was started.
func stopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// URL returns the URL of a new empty database of the shared cluster, or skips tb with
// a clear message if PostgreSQL is not installed.
func URL(tb testing.TB) string {
	tb.Helper()
	c, err := Shared()
	if errors.Is(err, ErrNoPostgres) {
		tb.Skipf("skipping PostgreSQL: %v", err)
	}
	if err != nil {
		tb.Fatalf("start PostgreSQL: %v", err)
	}
	url, err := c.NewDatabase()
	if err != nil {
		tb.Fatalf("create database: %v", err)
	}
	return url
}

// Start initialises and starts a cluster.
func Start() (*Cluster, error) {
	bin := os.Getenv("PGBIN")
	if bin == "" {
		bin = BinDir
	}
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		return nil, ErrNoPostgres
	}
	dir, err := os.MkdirTemp("", "merci-pg-")
	if err != nil {
		return nil, fmt.Errorf("make cluster folder: %w", err)
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		if c.cred, err = credential("postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("chown cluster folder: %w", err)
		}
	}
	if c.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := c.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c full_page_writes=off -c max_connections=300", c.port, dir)
	if err := c.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	return c, nil
}

// NewDatabase creates an empty database and returns its URL.
func (c *Cluster) NewDatabase() (string, error) {
	name := fmt.Sprintf("test%d", c.n.Add(1))
	admin, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.url(name), nil
}

func (c *Cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Stop stops the cluster and removes its files.
func (c *Cluster) Stop() {
	c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop") // removed next
	os.RemoveAll(c.dir)
}

func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

func credential(name string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root needs a %q user to run PostgreSQL: %w", name, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user %s: %w", name, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
