package mailer_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cloud/internal/smtptest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/mailer"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

func setup(t *testing.T, smtp *smtptest.Server, cfg mailer.Config) (*store.DB, store.Device, *mailer.Mailer) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, synctest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, code, err := db.CreateShop(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	dev, _, _, err := db.Enroll(ctx, code.Code, "till")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host, cfg.Port, cfg.From, cfg.TLS = "127.0.0.1", smtp.Port(), "Café Lune <hello@cafe.test>", "none"
	m, err := mailer.New(db, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return db, dev, m
}

func emailChange(t *testing.T, key, to string) syncwire.Change {
	t.Helper()
	return synctest.Record(t, syncwire.TypeEmail, key, syncwire.Email{To: to, Subject: "How was your visit?", Text: "Tell us: https://cafe.test/nps"})
}

func push(t *testing.T, db *store.DB, dev store.Device, changes ...syncwire.Change) {
	t.Helper()
	resp, err := db.Push(context.Background(), dev, changes)
	if err != nil || len(resp.Rejected) != 0 {
		t.Fatalf("Push = %+v, %v", resp, err)
	}
}

// lastStatus returns the status devices pull for email key.
func lastStatus(t *testing.T, db *store.DB, shop, key string) syncwire.EmailStatus {
	t.Helper()
	resp, err := db.Pull(context.Background(), shop, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var st syncwire.EmailStatus
	for _, c := range resp.Changes {
		if c.Type == syncwire.TypeEmailStatus && c.Key == key {
			if err := json.Unmarshal(c.Body, &st); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st
}

func TestSendsEachEmailOnce(t *testing.T) {
	smtp := smtptest.Start(t)
	db, dev, m := setup(t, smtp, mailer.Config{})
	ctx := context.Background()
	first := emailChange(t, "mail-1", "ana@example.com")
	push(t, db, dev, first)
	// The device did not hear back and pushed again; then it edited the record.
	push(t, db, dev, first)
	push(t, db, dev, emailChange(t, "mail-1", "ana@example.com"))
	for range 3 {
		if _, err := m.SendDue(ctx); err != nil {
			t.Fatalf("SendDue: %v", err)
		}
	}
	got := smtp.Received()
	if len(got) != 1 {
		t.Fatalf("the SMTP server received %d messages, want 1", len(got))
	}
	for _, want := range []string{"To: <ana@example.com>", "Subject: How was your visit?", "Tell us: https://cafe.test/nps", "X-Merci-Email: mail-1"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("message lacks %q:\n%s", want, got[0])
		}
	}
	if st := lastStatus(t, db, dev.ShopID, "mail-1"); st.Status != syncwire.EmailSent || st.Attempts != 1 || st.SentAt == nil {
		t.Errorf("status = %+v, want sent after 1 try", st)
	}
}

func TestRetriesTemporaryFailures(t *testing.T) {
	smtp := smtptest.Start(t)
	smtp.MailReply = func(try int) string {
		if try <= 2 {
			return "451 4.3.0 try again later"
		}
		return ""
	}
	db, dev, m := setup(t, smtp, mailer.Config{BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, Poll: 10 * time.Millisecond})
	push(t, db, dev, emailChange(t, "mail-2", "bo@example.com"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(time.Minute) // a failure bound only
	for lastStatus(t, db, dev.ShopID, "mail-2").Status != syncwire.EmailSent {
		if time.Now().After(deadline) {
			t.Fatalf("not sent after a minute; status %+v", lastStatus(t, db, dev.ShopID, "mail-2"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if st := lastStatus(t, db, dev.ShopID, "mail-2"); st.Attempts != 3 {
		t.Errorf("attempts = %d, want 3", st.Attempts)
	}
	if n := len(smtp.Received()); n != 1 {
		t.Errorf("received %d messages, want 1", n)
	}
}

func TestGivesUpOnPermanentFailure(t *testing.T) {
	smtp := smtptest.Start(t)
	smtp.MailReply = func(int) string { return "550 5.7.1 relaying denied" }
	db, dev, m := setup(t, smtp, mailer.Config{BaseDelay: time.Millisecond})
	push(t, db, dev, emailChange(t, "mail-3", "cy@example.com"))
	for range 3 {
		if _, err := m.SendDue(context.Background()); err != nil {
			t.Fatalf("SendDue: %v", err)
		}
	}
	st := lastStatus(t, db, dev.ShopID, "mail-3")
	if st.Status != syncwire.EmailFailed || st.Attempts != 1 || !strings.Contains(st.Error, "550") {
		t.Errorf("status = %+v, want failed after 1 try with the server's reply", st)
	}
}

func TestUnreachableServerIsRetried(t *testing.T) {
	smtp := smtptest.Start(t)
	db, dev, m := setup(t, smtp, mailer.Config{BaseDelay: time.Hour, MaxDelay: time.Hour})
	smtp.Close() // nobody listens any more
	push(t, db, dev, emailChange(t, "mail-4", "di@example.com"))
	if _, err := m.SendDue(context.Background()); err != nil {
		t.Fatalf("SendDue: %v", err)
	}
	if st := lastStatus(t, db, dev.ShopID, "mail-4"); st.Status != syncwire.EmailQueued || st.Attempts != 1 || st.Error == "" {
		t.Errorf("status = %+v, want queued for a retry with the reason", st)
	}
}

func TestBackoff(t *testing.T) {
	for attempt, bound := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		var most time.Duration
		for range 200 {
			d := mailer.Backoff(time.Second, 10*time.Second, attempt)
			if d < 0 || d > bound {
				t.Fatalf("Backoff(1s, 10s, %d) = %v, want within [0, %v]", attempt, d, bound)
			}
			most = max(most, d)
		}
		// Full jitter spreads over the whole range.
		if most < bound/2 {
			t.Errorf("Backoff(1s, 10s, %d): largest of 200 = %v, want above %v", attempt, most, bound/2)
		}
	}
	if d := mailer.Backoff(time.Second, time.Minute, 100); d > time.Minute {
		t.Errorf("Backoff at attempt 100 = %v, want capped at 1m", d)
	}
}
