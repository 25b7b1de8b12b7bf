package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/merci-loyalty/merci/cloud/internal/smtptest"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/mailer"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/internal/browsertest"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/localdbtest"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncclient"
	"github.com/merci-loyalty/merci/syncclient/tokentest"
	"github.com/merci-loyalty/merci/syncwire"
)

// TestSurveyByEmailInChromium follows a survey by email from the counter to the owner's
// other device, on each backend: a purchase synced by one device; the cloud's scan,
// two hours later, emails the customer (a fake SMTP server on loopback); the link
// from that email, opened in headless Chromium at a phone's size, is answered 9 with a
// reason; a second device finds the answer in its inbox after sync. The used link is
// then refused, an expired one too, and the one-click unsubscribe withdraws the
// customer's consent on the second device and stops the next survey email.
// MERCI_SCREENSHOTS=DIR saves the page as survey-page.png.
func TestSurveyByEmailInChromium(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := startSurveyCloud(t, dsn)
		smtp := smtptest.Start(t)
		m, err := mailer.New(c.db, mailer.Config{Host: "127.0.0.1", Port: smtp.Port(), From: "Café Lune <hello@cafe.test>", TLS: "none"})
		if err != nil {
			t.Fatal(err)
		}
		shop, code, err := c.db.CreateShop(ctx, "Café Lune")
		if err != nil {
			t.Fatal(err)
		}
		logo, err := os.ReadFile("../../assets/icon.png")
		if err != nil {
			t.Fatal(err)
		}
		counter := localdbtest.Open(t, localdb.Shop{Name: "Café Lune", Logo: logo, Languages: []string{"fr", "en"},
			CloudURL: c.http.URL + "/c/" + shop.Tag})
		if err := counter.SaveNPSSettings(ctx, localdb.NPSSettings{EmailSurveys: true, ThrottleDays: 1}); err != nil {
			t.Fatal(err)
		}
		till := joinSurveyDevice(t, counter, c.http.URL, code.Code, "Till")
		deskCode, err := c.db.NewCode(ctx, shop.ID, syncwire.RoleOwner)
		if err != nil {
			t.Fatal(err)
		}
		desk := joinSurveyDevice(t, nil, c.http.URL, deskCode.Code, "Owner's desk")

		alice := account(t, counter, "alice@example.com")
		inv := surveyedPurchase(t, counter, alice, time.Now())
		till.synced(t)

		// Not before the owner's delay (2 hours by default).
		c.clock.advance(2*time.Hour - time.Minute)
		if n, err := c.srv.SendDueSurveys(ctx, c.clock.now()); err != nil || n != 0 {
			t.Fatalf("SendDueSurveys before the delay = %d, %v; want 0", n, err)
		}
		c.clock.advance(2 * time.Minute)
		link := emailedLink(t, c, m, smtp, 1, "alice@example.com")

		// The customer answers on their phone, in French.
		b := browsertest.New(t, 390, 844, browsertest.AcceptLanguage("fr-FR,fr;q=0.9"))
		fr := i18n.French
		if err := browse(b, chromedp.Navigate(link), chromedp.WaitVisible(`form`)); err != nil {
			t.Fatal(err)
		}
		if got, want := browsertest.Text(t, b, `h1`), fr.T("kiosk.question", "Café Lune"); got != want {
			t.Errorf("question = %q, want %q", got, want)
		}
		if err := chromedp.Do(b,
			chromedp.Click(`input[name=score][value="9"]`),
			chromedp.SendKeys(`#reason`, "Les croissants sont parfaits"),
		); err != nil {
			t.Fatal(err)
		}
		noScript, err := chromedp.Run(b, chromedp.Evaluate[int](`document.scripts.length`))
		if err != nil || noScript != 0 {
			t.Errorf("the page has %d scripts (%v): it must work without any", noScript, err)
		}
		if dir := os.Getenv("MERCI_SCREENSHOTS"); dir != "" && strings.HasPrefix(t.Name(), "TestSurveyByEmailInChromium/sqlite") {
			if err := os.WriteFile(filepath.Join(dir, "survey-page.png"), browsertest.Screenshot(t, b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := browse(b, chromedp.Click(`button[type=submit]`)); err != nil {
			t.Fatal(err)
		}
		if got, want := outcome(t, b), fr.T("surveypage.thanks_title"); got != want {
			t.Errorf("after sending: %q, want %q", got, want)
		}

		// The owner's other device finds it in its inbox, tied to the purchase and card.
		var answer nps.Response
		desk.eventually(t, "the answer in the desk's inbox", func() bool {
			list, err := desk.store.Responses(ctx, localdb.ResponseFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range list {
				if r.InvitationID == inv.ID {
					answer = r
					return true
				}
			}
			return false
		})
		if answer.Score != 9 || answer.Comment != "Les croissants sont parfaits" || answer.Lang != nps.French ||
			answer.PurchaseOpID != inv.PurchaseOpID || answer.CardCode != string(alice.Code()) || answer.Status != nps.Untreated {
			t.Errorf("the desk's answer = %+v, want 9 with the reason, in French, of the purchase and card %s", answer, alice.Code())
		}

		// The used link is refused, in the browser and to a second submit of the form.
		if err := browse(b, chromedp.Navigate(link)); err != nil {
			t.Fatal(err)
		}
		if got, want := outcome(t, b), fr.T("surveypage.used_title"); got != want {
			t.Errorf("the used link shows %q, want %q", got, want)
		}
		resp, err := http.PostForm(link, url.Values{"score": {"0"}, "reason": {"again"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusGone {
			t.Errorf("a second answer: status %d, want %d", resp.StatusCode, http.StatusGone)
		}

		// An expired link: Bruno's, opened after its week.
		bruno := account(t, counter, "bruno@example.com")
		surveyedPurchase(t, counter, bruno, c.clock.now())
		till.synced(t)
		c.clock.advance(2*time.Hour + time.Minute)
		expired := emailedLink(t, c, m, smtp, 2, "bruno@example.com")
		c.clock.advance(nps.LinkTTL)
		if err := browse(b, chromedp.Navigate(expired)); err != nil {
			t.Fatal(err)
		}
		if got, want := outcome(t, b), fr.T("surveypage.expired_title"); got != want {
			t.Errorf("the expired link shows %q, want %q", got, want)
		}

		// Unsubscribing is one click, from the page as from the email.
		// Clicked from the DevTools side: the page itself runs no script.
		if _, err := chromedp.Run(b, chromedp.Evaluate[chromedp.Void](`document.querySelector("footer a").click()`)); err != nil {
			t.Fatal(err)
		}
		if got, want := outcome(t, b, fr.T("surveypage.expired_title")), fr.T("surveypage.unsubscribed_title"); got != want {
			t.Errorf("after unsubscribing: %q, want %q", got, want)
		}
		desk.eventually(t, "Bruno's consent withdrawn on the desk", func() bool {
			found, err := desk.store.SearchAccounts(ctx, "bruno@example.com", 1)
			if err != nil {
				t.Fatal(err)
			}
			return len(found) == 1 && !found[0].Customer.Consent
		})
		// The next purchase's invitation, past the throttle, is never emailed.
		till.eventually(t, "Bruno's consent withdrawn at the till", func() bool {
			return !account(t, counter, "bruno@example.com").Customer.Consent
		})
		c.clock.advance(-nps.LinkTTL + 2*24*time.Hour)
		surveyedPurchase(t, counter, account(t, counter, "bruno@example.com"), c.clock.now())
		till.synced(t)
		c.clock.advance(2*time.Hour + time.Minute)
		if n, err := c.srv.SendDueSurveys(ctx, c.clock.now()); err != nil || n != 0 {
			t.Errorf("SendDueSurveys after unsubscribing = %d, %v; want 0", n, err)
		}
		if _, err := m.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(smtp.Received()); n != 2 {
			t.Errorf("the SMTP server received %d messages, want 2: none after unsubscribing", n)
		}
	})
}

// browse runs actions in the browser, a minute at most (a failure bound only), and
// says where the browser was when they fail.
func browse(b context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b, time.Minute)
	defer cancel()
	err := chromedp.Do(ctx, actions...)
	if err != nil {
		where, _ := chromedp.Run(b, chromedp.Location())
		text, _ := chromedp.Run(b, chromedp.TextContent(`body`))
		return fmt.Errorf("%w, at %s showing %q", err, where, text)
	}
	return nil
}

// outcome returns the heading of the page that says what became of a link, once the
// browser shows one other than those of before (the page a click leaves). A query
// waiting in the page a form or link leaves never sees the next one: this asks again.
func outcome(t *testing.T, b context.Context, before ...string) string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		got, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector(".done h1")?.textContent ?? ""`))
		if err == nil && got != "" && !slices.Contains(before, got) {
			return got
		}
		if time.Now().After(deadline) {
			where, _ := chromedp.Run(b, chromedp.Location())
			t.Fatalf("waited a minute for the page's outcome at %s (%v)", where, err)
		}
	}
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// surveyCloud is the real server on loopback, with a clock the test moves.
type surveyCloud struct {
	db    *store.DB
	srv   *server.Server
	http  *httptest.Server
	clock *testClock
}

func startSurveyCloud(t *testing.T, dsn string) *surveyCloud {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	c := &surveyCloud{db: db, clock: &testClock{}}
	db.Now = c.clock.now // before anything runs
	c.srv = server.New(db, server.Config{Logger: quietLog, DeviceRate: 1000, DeviceBurst: 1000})
	c.http = httptest.NewServer(c.srv)
	t.Cleanup(func() {
		c.srv.Close()
		c.http.Close()
		db.Close()
	})
	return c
}

// testClock is the time now moved by advance.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// emailedLink runs the survey scan and the mailer, and returns the survey link of the
// email that makes the SMTP server's messages number n, to the address to.
func emailedLink(t *testing.T, c *surveyCloud, m *mailer.Mailer, smtp *smtptest.Server, n int, to string) string {
	t.Helper()
	ctx := context.Background()
	if got, err := c.srv.SendDueSurveys(ctx, c.clock.now()); err != nil || got != 1 {
		t.Fatalf("SendDueSurveys = %d, %v; want 1", got, err)
	}
	if _, err := m.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	got := smtp.Received()
	if len(got) != n {
		t.Fatalf("the SMTP server received %d messages, want %d", len(got), n)
	}
	h, text, err := smtptest.Read(got[n-1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Get("To"), to) {
		t.Errorf("email to %q, want %s", h.Get("To"), to)
	}
	fr := i18n.French
	if subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject")); err != nil || subject != fr.T("surveymail.subject", "Café Lune") {
		t.Errorf("subject = %q (%v), want the shop's main language's", subject, err)
	}
	links := regexp.MustCompile(`http://\S+/s/[A-Za-z0-9_-]+`).FindAllString(text, -1)
	if len(links) == 0 {
		t.Fatalf("no survey link in the email:\n%s", text)
	}
	link := links[0]
	if want := "<" + link + "/unsubscribe>"; h.Get("List-Unsubscribe") != want || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe = %q, %q; want %s, one click", h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post"), want)
	}
	if !strings.Contains(text, link+"/unsubscribe") {
		t.Errorf("the email has no unsubscribe link:\n%s", text)
	}
	return link
}

// account returns the customer's account at the counter.
func account(t *testing.T, s *localdb.Store, email string) localdb.Account {
	t.Helper()
	found, err := s.SearchAccounts(context.Background(), email, 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("SearchAccounts(%s) = %v, %v", email, found, err)
	}
	return found[0]
}

// surveyedPurchase records a purchase of a at the counter at at, and returns its
// invitation.
func surveyedPurchase(t *testing.T, s *localdb.Store, a localdb.Account, at time.Time) nps.Invitation {
	t.Helper()
	ctx := context.Background()
	p, err := s.Program(ctx)
	if err != nil {
		t.Fatal(err)
	}
	op, _, err := s.RecordPurchase(ctx, a.Code(), func(a localdb.Account) (loyalty.Operation, error) {
		return p.Credit(loyalty.Origin{Device: s.Device(), At: at}, a.Card, 1250)
	})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := s.PendingInvitation(ctx, op.At)
	if err != nil || inv.PurchaseOpID != op.ID {
		t.Fatalf("the purchase made no invitation: %+v, %v", inv, err)
	}
	return inv
}

// surveyDevice is a device of the shop syncing with the cloud in the background.
type surveyDevice struct {
	store *localdb.Store
}

// joinSurveyDevice joins s (a new empty store if nil) to the cloud and syncs it until
// the test ends.
func joinSurveyDevice(t *testing.T, s *localdb.Store, serverURL, code, name string) *surveyDevice {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if s == nil {
		var err error
		if s, err = localdb.Open(ctx, filepath.Join(t.TempDir(), "merci.db")); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
	client := syncclient.New(s, syncclient.Config{Tokens: &tokentest.Memory{}, Logger: quietLog,
		PullWait: time.Second, WatchEvery: 20 * time.Millisecond, BackoffBase: 10 * time.Millisecond})
	req := syncclient.JoinRequest{ServerURL: serverURL, Code: code, DeviceName: name, Local: localdb.LocalDataBring}
	if _, err := client.Join(ctx, req); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		client.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &surveyDevice{store: s}
}

// synced waits until the device has pushed everything it holds.
func (d *surveyDevice) synced(t *testing.T) {
	t.Helper()
	d.eventually(t, "the device's changes pushed", func() bool {
		n, err := d.store.Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}

// eventually waits until cond holds; a minute is a failure bound only.
func (d *surveyDevice) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
