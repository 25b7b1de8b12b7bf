// Package mailer sends the emails shops queue as records of type "email": each at most
// once, retrying temporary failures with capped exponential backoff and full jitter, and
// recording every outcome as an "email_status" change that the shop's devices pull.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wneessen/go-mail"

	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

// Config says how to reach the SMTP server. Zero fields take the defaults in brackets.
type Config struct {
	Host     string
	Port     int    // [587]
	User     string // no authentication when empty
	Password string
	From     string // the sender address, required
	// TLS is "mandatory" (STARTTLS or fail), "opportunistic" or "none" [mandatory].
	TLS string

	BaseDelay   time.Duration // first retry delay bound [2 s]
	MaxDelay    time.Duration // retry delay cap [10 min]
	MaxAttempts int           // tries before giving up [8]
	Poll        time.Duration // how often to look for due retries [5 s]
	Lease       time.Duration // how long a try may take before it counts as interrupted [2 min]
	Timeout     time.Duration // SMTP connection timeout [30 s]

	Logger  *slog.Logger          // [slog.Default()]
	Metrics prometheus.Registerer // [none]
}

// Mailer drains the outbox of a store.
type Mailer struct {
	db   *store.DB
	cfg  Config
	tls  mail.TLSPolicy
	log  *slog.Logger
	sent *prometheus.CounterVec
}

// New returns a mailer of db's outbox.
func New(db *store.DB, cfg Config) (*Mailer, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, errors.New("mailer: an SMTP host and a sender address are required")
	}
	policy := map[string]mail.TLSPolicy{"": mail.TLSMandatory, "mandatory": mail.TLSMandatory,
		"opportunistic": mail.TLSOpportunistic, "none": mail.NoTLS}
	tls, ok := policy[cfg.TLS]
	if !ok {
		return nil, fmt.Errorf("mailer: TLS must be mandatory, opportunistic or none, not %q", cfg.TLS)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.BaseDelay, 2*time.Second)
	def(&cfg.MaxDelay, 10*time.Minute)
	def(&cfg.Poll, 5*time.Second)
	def(&cfg.Lease, 2*time.Minute)
	def(&cfg.Timeout, 30*time.Second)
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m := &Mailer{db: db, cfg: cfg, tls: tls, log: cfg.Logger,
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "merci_emails_total", Help: "Email tries by outcome: sent, retry, failed, unknown.",
		}, []string{"outcome"})}
	if cfg.Metrics != nil {
		if err := cfg.Metrics.Register(m.sent); err != nil {
			return nil, fmt.Errorf("mailer: register metrics: %w", err)
		}
	}
	return m, nil
}

// Run sends due emails until ctx ends, woken by pushes of new emails and every Poll
// for retries.
func (m *Mailer) Run(ctx context.Context) error {
	wake, stop := m.db.WaitOutbox()
	defer stop()
	tick := time.NewTicker(m.cfg.Poll)
	defer tick.Stop()
	for {
		if _, err := m.SendDue(ctx); err != nil && ctx.Err() == nil {
			// The database is unreachable for now: try again at the next tick.
			m.log.Error("send emails", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
	}
}

// SendDue makes one pass over the outbox: it settles tries interrupted by a stopped
// server, then tries every due email once. It returns how many it tried.
func (m *Mailer) SendDue(ctx context.Context) (int, error) {
	n, err := m.db.ExpireSending(ctx)
	if err != nil {
		return 0, err
	}
	m.sent.WithLabelValues(syncwire.EmailUnknown).Add(float64(n))
	tried := 0
	for {
		due, err := m.db.DueEmails(ctx, 50)
		if err != nil || len(due) == 0 {
			return tried, err
		}
		for _, e := range due {
			ok, err := m.db.ClaimEmail(ctx, e, m.cfg.Lease)
			if err != nil {
				return tried, err
			}
			if !ok {
				continue // another server process has it
			}
			tried++
			if err := m.try(ctx, e); err != nil {
				return tried, err
			}
		}
	}
}

// try sends a claimed email and records the outcome.
func (m *Mailer) try(ctx context.Context, e store.OutboxEmail) error {
	attempts := e.Attempts + 1
	sendCtx, cancel := context.WithTimeout(ctx, min(m.cfg.Lease/2, m.cfg.Timeout*2))
	err := m.send(sendCtx, e)
	cancel()
	now := m.db.Now()
	st := syncwire.EmailStatus{Status: syncwire.EmailSent, Attempts: attempts}
	next := now
	var se *mail.SendError
	switch {
	case err == nil:
		st.SentAt = &now
	case errors.Is(err, errPermanent) || (errors.As(err, &se) && !se.IsTemp()) || attempts >= m.cfg.MaxAttempts:
		st.Status, st.Error = syncwire.EmailFailed, err.Error()
	default:
		// Connection problems and 4xx replies: the message was not taken, try later.
		st.Status, st.Error = syncwire.EmailQueued, err.Error()
		next = now.Add(Backoff(m.cfg.BaseDelay, m.cfg.MaxDelay, attempts-1))
	}
	outcome := map[string]string{syncwire.EmailSent: "sent", syncwire.EmailFailed: "failed", syncwire.EmailQueued: "retry"}[st.Status]
	m.sent.WithLabelValues(outcome).Inc()
	m.log.Info("email", "shop", e.ShopID, "email", e.ID, "outcome", outcome, "attempts", attempts, "err", st.Error)
	return m.db.FinishEmail(context.WithoutCancel(ctx), e, st, next)
}

// errPermanent marks failures that no retry can mend.
var errPermanent = errors.New("cannot be sent")

// send hands e to the SMTP server. Once the server has accepted the message, a failure
// to say goodbye is not an error: retrying would send it twice.
func (m *Mailer) send(ctx context.Context, e store.OutboxEmail) error {
	msg := mail.NewMsg()
	if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("%w: sender %q: %w", errPermanent, m.cfg.From, err)
	}
	if err := msg.To(e.To); err != nil {
		return fmt.Errorf("%w: recipient %q: %w", errPermanent, e.To, err)
	}
	msg.Subject(e.Subject)
	msg.SetBodyString(mail.TypeTextPlain, e.Text)
	msg.SetGenHeader("X-Merci-Email", e.ID)
	if e.Unsubscribe != "" {
		// RFC 8058: the mail program's own button unsubscribes with one POST.
		msg.SetGenHeader("List-Unsubscribe", "<"+e.Unsubscribe+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}

	opts := []mail.Option{mail.WithPort(m.cfg.Port), mail.WithTLSPolicy(m.tls), mail.WithTimeout(m.cfg.Timeout)}
	if m.cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(m.cfg.User), mail.WithPassword(m.cfg.Password))
	}
	client, err := mail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s:%d: %w", m.cfg.Host, m.cfg.Port, err)
	}
	if err := client.SendWithSMTPClient(conn, msg); err != nil {
		client.CloseWithSMTPClient(conn) // the send error is what matters
		return err
	}
	if err := client.CloseWithSMTPClient(conn); err != nil {
		m.log.Warn("smtp quit after a sent email", "email", e.ID, "err", err)
	}
	return nil
}

// Backoff returns the delay before retry number attempt (0 for the first retry):
// uniformly random between 0 and min(max, base·2^attempt), so that many senders
// failing together do not retry together.
func Backoff(base, max time.Duration, attempt int) time.Duration {
	bound := max
	if attempt < 62 && base<<attempt > 0 && base<<attempt < max {
		bound = base << attempt
	}
	return rand.N(bound + 1)
}
