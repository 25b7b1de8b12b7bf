// Package smtptest is a fake SMTP server on loopback for tests that prove an email
// reaches its recipient.
package smtptest

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake SMTP server on loopback that speaks just enough of the protocol
// for a client to send mail: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
type Server struct {
	l        net.Listener
	mu       sync.Mutex
	messages []string // the DATA of each accepted message
	// MailReply, when set before the first message, answers MAIL FROM instead of
	// 250, for as many tries as it returns a reply.
	MailReply func(try int) string
	tries     int
}

// Start starts a Server on loopback until the test ends.
func Start(t *testing.T) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { l.Close() })
	return s
}

// Port is the port the server listens on.
func (s *Server) Port() int { return s.l.Addr().(*net.TCPAddr).Port }

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) // a failure bound only
	r := bufio.NewReader(c)
	reply := func(line string) { c.Write([]byte(line + "\r\n")) }
	reply("220 fake.test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250-fake.test\r\n250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			s.mu.Lock()
			s.tries++
			custom := ""
			if s.MailReply != nil {
				custom = s.MailReply(s.tries)
			}
			s.mu.Unlock()
			if custom != "" {
				reply(custom)
				continue
			}
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"), cmd == "RSET", cmd == "NOOP":
			reply("250 ok")
		case cmd == "DATA":
			reply("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			s.mu.Lock()
			s.messages = append(s.messages, data.String())
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

// Close stops listening: a client then finds nobody there.
func (s *Server) Close() { s.l.Close() }

// Received returns the DATA of each message accepted so far.
func (s *Server) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...)
}

// Read parses a received message and decodes its body as the recipient's mail program
// does.
func Read(raw string) (mail.Header, string, error) {
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		return nil, "", fmt.Errorf("read message: %w", err)
	}
	var body io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return nil, "", fmt.Errorf("decode message: %w", err)
	}
	return msg.Header, string(text), nil
}
