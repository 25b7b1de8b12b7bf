package kioskflow_test

import (
	"testing"
	"time"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/kioskflow"
	"github.com/merci-loyalty/merci/nps"
)

// clock is a screen's idle timer that the test fires by hand.
type clock struct {
	after time.Duration
	fire  func()
}

func (c *clock) arm(d time.Duration, fire func()) { c.after, c.fire = d, fire }

func newFlow(t *testing.T) (*kioskflow.Flow, *clock) {
	t.Helper()
	c := &clock{}
	return kioskflow.New(kioskflow.Config{Home: i18n.French, Arm: c.arm}, 30*time.Second), c
}

func TestOfferScoreCommentThanks(t *testing.T) {
	f, c := newFlow(t)
	inv := &nps.Invitation{ID: "inv-1"}
	f.Offer(inv)
	if f.Step != kioskflow.Score || c.after != 0 {
		t.Fatalf("after the offer: step %v, timer %v; want the question, no timer", f.Step, c.after)
	}
	f.SetLang(i18n.Portuguese)
	f.ChooseScore(9)
	if f.Step != kioskflow.Comment || c.after != 30*time.Second {
		t.Fatalf("after the score: step %v, timer %v; want the reason, the idle timer", f.Step, c.after)
	}
	f.SetComment("Ótimo café")
	got, score, comment, ok := f.Answer(true)
	if !ok || got.ID != "inv-1" || score != 9 || comment != "Ótimo café" {
		t.Fatalf("Answer = %v %d %q %v, want inv-1 9 \"Ótimo café\" true", got.ID, score, comment, ok)
	}
	f.Answered("")
	if f.Step != kioskflow.Thanks || c.after != kioskflow.ThanksFor || f.Lang != i18n.Portuguese {
		t.Fatalf("after the answer: step %v, timer %v, lang %v", f.Step, c.after, f.Lang)
	}
	c.fire()
	if f.Step != kioskflow.Idle || f.Lang != i18n.French {
		t.Fatalf("after the thanks: step %v, lang %v; want idle in the shop's language", f.Step, f.Lang)
	}
	f.Offer(inv)
	if f.Step != kioskflow.Score {
		t.Errorf("an answered invitation offered again: step %v; the store refuses the second answer, the flow asks", f.Step)
	}
}

func TestIdleDismissesTheInvitation(t *testing.T) {
	f, c := newFlow(t)
	inv := &nps.Invitation{ID: "inv-1"}
	f.Offer(inv)
	f.ChooseScore(3)
	c.fire()
	if f.Step != kioskflow.Idle {
		t.Fatalf("after the idle timeout: step %v, want idle", f.Step)
	}
	f.Offer(inv)
	if f.Step != kioskflow.Idle {
		t.Errorf("an abandoned invitation is asked again: step %v", f.Step)
	}
	f.Offer(&nps.Invitation{ID: "inv-2"})
	if f.Step != kioskflow.Score {
		t.Errorf("the next purchase's invitation: step %v, want the question", f.Step)
	}
}

func TestStaleTimerDoesNothing(t *testing.T) {
	f, c := newFlow(t)
	f.Offer(&nps.Invitation{ID: "inv-1"})
	f.ChooseScore(10)
	stale := c.fire
	f.Answered("")
	stale()
	if f.Step != kioskflow.Thanks {
		t.Errorf("a timer armed for the reason fired on the thanks: step %v, want thanks", f.Step)
	}
}

func TestUntouchedQuestionFollowsTheNewestInvitation(t *testing.T) {
	f, _ := newFlow(t)
	f.Offer(&nps.Invitation{ID: "inv-1"})
	f.Offer(&nps.Invitation{ID: "inv-2"})
	if f.Inv.ID != "inv-2" {
		t.Errorf("question for %s, want the newest, inv-2", f.Inv.ID)
	}
	f.Offer(nil)
	if f.Step != kioskflow.Idle {
		t.Errorf("step after the invitation left: %v, want idle", f.Step)
	}
}

func TestCommentRules(t *testing.T) {
	f, _ := newFlow(t)
	f.Offer(&nps.Invitation{ID: "inv-1"})
	f.ChooseScore(8)
	for _, r := range "good. nice" {
		f.TypeRune(r)
	}
	if got, want := string(f.Text), "Good. Nice"; got != want {
		t.Errorf("typed %q, want %q: sentences start with a capital", got, want)
	}
	long := make([]rune, nps.MaxComment+10)
	for i := range long {
		long[i] = 'a'
	}
	f.SetComment(string(long))
	if len(f.Text) != nps.MaxComment {
		t.Errorf("comment of %d runes kept, want %d", len(f.Text), nps.MaxComment)
	}
}

func TestScannedVisit(t *testing.T) {
	f, c := newFlow(t)
	f.Scanned(kioskflow.Visit{Name: "Ana", Points: 1, Balance: 12}, nil)
	if f.Step != kioskflow.Thanks {
		t.Fatalf("step after a visit without survey: %v, want thanks", f.Step)
	}
	if got, want := f.Welcome(), i18n.French.T("kiosk.welcome_name", "Ana")+" "+i18n.French.T("kiosk.visit_points", "1", "12"); got != want {
		t.Errorf("Welcome = %q, want %q", got, want)
	}
	c.fire()
	// A cashback program's visit says the cashback, not points nobody earns.
	f.Scanned(kioskflow.Visit{Name: "Ana", Cashback: 50, CashbackBalance: 1250, Currency: "EUR"}, nil)
	if got, want := f.Welcome(), i18n.French.T("kiosk.welcome_name", "Ana")+" "+i18n.French.T("kiosk.visit_cashback", "0,50\u00a0€", "12,50\u00a0€"); got != want {
		t.Errorf("Welcome = %q, want %q", got, want)
	}
	c.fire()
	f.Scanned(kioskflow.Visit{}, &nps.Invitation{ID: "inv-1"})
	if f.Step != kioskflow.Score || c.after != 30*time.Second {
		t.Errorf("visit with survey: step %v, timer %v; want the question with the idle timer", f.Step, c.after)
	}
}
