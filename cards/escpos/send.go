package escpos

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// DefaultPort is the raw printing port of network receipt printers (JetDirect / AppSocket).
const DefaultPort = "9100"

// Timeouts for network printers: a printer that is on answers at once.
const (
	dialTimeout  = 5 * time.Second
	writeTimeout = 20 * time.Second
)

// ErrUnreachable means the printer could not be reached: switched off, unplugged, or a
// wrong address. The caller should say so and keep the job for a reprint.
var ErrUnreachable = errors.New("unreachable")

// Send sends data to the printer at target: a network printer as HOST or HOST:PORT (port
// 9100 if none), or a device file such as /dev/usb/lp0 (on Windows a port such as COM3).
func Send(ctx context.Context, target string, data []byte) error {
	target = strings.TrimSpace(target)
	if target == "" {
		return errors.New("no receipt printer set: give its address (HOST:9100) or device (/dev/usb/lp0)")
	}
	if isDevice(target) {
		return sendDevice(ctx, target, data)
	}
	return sendTCP(ctx, target, data)
}

// isDevice reports whether target names a device file rather than a network address.
func isDevice(target string) bool {
	if strings.HasPrefix(target, "/") || strings.HasPrefix(target, `\\`) || strings.HasPrefix(target, ".") {
		return true
	}
	u := strings.ToUpper(target)
	return (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && !strings.Contains(u, ".")
}

func sendTCP(ctx context.Context, target string, data []byte) error {
	addr := target
	if _, _, err := net.SplitHostPort(target); err != nil {
		addr = net.JoinHostPort(target, DefaultPort)
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("receipt printer %s %w: %s (%w)", addr, ErrUnreachable, explain(err), err)
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return fmt.Errorf("receipt printer %s: %w", addr, err)
	}
	// Closing the connection when ctx ends unblocks a write to a stalled printer.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := conn.Write(data); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("receipt printer %s: %w", addr, ctx.Err())
		}
		return fmt.Errorf("receipt printer %s %w: it stopped taking data: is it out of paper, its cover open, or switched off? (%w)", addr, ErrUnreachable, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		// Half-close so the printer sees the end of the job before the socket goes away.
		if err := tc.CloseWrite(); err != nil {
			return fmt.Errorf("receipt printer %s: finish job: %w", addr, err)
		}
	}
	return nil
}

// explain turns a dial error into words for a shop owner.
func explain(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused: is the printer switched on, and is the port right (usually 9100)?"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer: is the printer switched on and on the same network?"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to it: check the address and the network cable or Wi-Fi"
	default:
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return "unknown host name: check the printer's address"
		}
		return "cannot connect"
	}
}

func sendDevice(ctx context.Context, path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("receipt printer device %s %w: it does not exist: is the printer plugged in and switched on? (%w)", path, ErrUnreachable, err)
		}
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("receipt printer device %s: permission denied (on Linux, add the user to the lp group): %w", path, err)
		}
		return fmt.Errorf("open receipt printer device %s: %w", path, err)
	}
	// A device write can block while the printer is off; give up when ctx ends. The write
	// may still complete later, which is harmless: the file is closed either way.
	done := make(chan error, 1)
	go func() {
		_, err := f.Write(data)
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		f.Close()
		return fmt.Errorf("receipt printer device %s: %w", path, ctx.Err())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write to receipt printer device %s: %w", path, err)
	}
	return nil
}
