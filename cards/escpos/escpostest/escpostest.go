// Package escpostest is a network receipt printer for tests: it listens on loopback,
// takes one print job as a printer on port 9100 does, and hands over its bytes.
package escpostest

import (
	"io"
	"net"
	"testing"
)

// Printer is a receipt printer on loopback.
type Printer struct {
	// Addr is its address, host:port.
	Addr string
	// Job receives the bytes of the first job once the sender closes the connection;
	// it is closed without a value if the printer is switched off first.
	Job <-chan []byte
	ln  net.Listener
}

// Start switches a printer on until the test ends.
func Start(tb testing.TB) *Printer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	job := make(chan []byte, 1)
	go func() {
		defer close(job)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn)
		job <- b
	}()
	return &Printer{Addr: ln.Addr().String(), Job: job, ln: ln}
}

// SwitchOff stops the printer: connecting to its address is then refused.
func (p *Printer) SwitchOff() { p.ln.Close() }
