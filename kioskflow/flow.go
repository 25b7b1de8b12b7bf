// Package kioskflow is the customer screen's flow: which screen shows, what a tap or a
// key does, when the screen goes back to the welcome. The kiosk window and the tablet
// page both run it, so their rules cannot drift apart. It does no I/O: the screens store
// answers and visits (SelfScan takes the store's function), then tell the flow how it went.
package kioskflow

import (
	"strings"
	"time"
	"unicode"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// Step is a screen of the customer screen.
type Step int

const (
	Idle    Step = iota // welcome: logo, "Scan your card", the rewards
	Code                // the customer types their card's code
	Score               // the 0–10 question
	Comment             // the reason for the score
	Thanks
	PIN // the owner's PIN, to leave the kiosk
)

var stepNames = [...]string{"idle", "code", "score", "comment", "thanks", "pin"}

// String names the step for the tablet page and for test messages.
func (s Step) String() string { return stepNames[s] }

const (
	// ThanksFor is how long the thanks screen, or a message on the welcome screen, stays.
	ThanksFor = 6 * time.Second
	// WedgeGap is the longest pause between two characters of one USB scan: a scanner
	// types a code in milliseconds, so older keystrokes at the welcome screen are noise.
	WedgeGap = time.Second
	// MaxCodeRunes and MaxPINRunes bound what the code and PIN screens accept.
	MaxCodeRunes = 64
	MaxPINRunes  = 8
)

// Visit is what the screen tells a customer about the self-service visit just credited.
type Visit struct {
	Name            string // the customer's first name, or ""
	Points, Balance int64
	// Cashback and CashbackBalance are in minor units of Currency: a cashback
	// program's visit credits cashback.
	Cashback, CashbackBalance loyalty.Money
	Currency                  string
}

// Config is what a screen gives its flow.
type Config struct {
	Home i18n.Lang // the shop's language, back at each reset
	// Arm replaces the screen's idle timer: after d, the screen calls fire on the goroutine
	// (or under the lock) that runs the flow. A zero d only stops the timer.
	Arm func(d time.Duration, fire func())
	// Changed is called after each change, for the screen to redraw.
	Changed func()
}

// Flow is one customer screen's state. It is not safe for concurrent use: each screen
// runs it on one goroutine or under one lock.
type Flow struct {
	cfg Config

	Step    Step
	Lang    i18n.Lang       // the customer's choice, back to Home at each reset
	Inv     *nps.Invitation // the survey being answered
	Score   int             // the score chosen
	Text    []rune          // what is being typed: a card code, a comment or a PIN
	Shift   bool            // the on-screen keyboard's shift key is down
	Visit   *Visit          // the self-service visit just credited, if any
	Notice  string          // a message on the welcome screen or the thanks screen
	Touched bool            // someone touched the screen since the step began
	// IdleAfter is how long a screen waits for an untouched customer.
	IdleAfter time.Duration

	gen       int             // bumped at each step; a timer armed for an older step does nothing
	dismissed map[string]bool // invitations left unanswered on timeout: not asked again
	typedAt   time.Time
}

// New returns a flow on the welcome screen that waits idleAfter for an untouched customer.
func New(cfg Config, idleAfter time.Duration) *Flow {
	return &Flow{cfg: cfg, Lang: cfg.Home, IdleAfter: idleAfter, dismissed: map[string]bool{}}
}

func invID(inv *nps.Invitation) string {
	if inv == nil {
		return ""
	}
	return inv.ID
}

// Offer shows the open invitation inv (nil if none) if the screen is free for it; it is
// called again and again with the same one. A question nobody touched yet follows the
// newest invitation and leaves with it.
func (f *Flow) Offer(inv *nps.Invitation) {
	switch {
	case f.Step == Idle && inv != nil && !f.dismissed[inv.ID] && len(f.Text) == 0:
		f.Inv = inv
		f.GoTo(Score)
	case f.Step == Score && !f.Touched && f.Visit == nil && invID(inv) != invID(f.Inv):
		if inv == nil || f.dismissed[inv.ID] {
			f.Reset()
			return
		}
		f.Inv = inv
		f.GoTo(Score)
	}
}

// GoTo shows step with a fresh idle timer. The question after a purchase waits for its
// customer without one: they may still be paying, and it leaves when it expires.
func (f *Flow) GoTo(step Step) {
	f.Step, f.Touched, f.Shift, f.Notice = step, false, false, ""
	f.gen++
	f.Text = nil
	switch {
	case step == Thanks:
		f.arm(ThanksFor)
	case step == Idle, step == Score && f.Visit == nil:
		f.arm(0)
	default:
		f.arm(f.IdleAfter)
	}
	f.changed()
}

func (f *Flow) changed() {
	if f.cfg.Changed != nil {
		f.cfg.Changed()
	}
}

func (f *Flow) arm(d time.Duration) {
	gen := f.gen
	f.cfg.Arm(d, func() {
		if f.gen == gen {
			f.idle()
		}
	})
}

// Touch notes that the customer is there and restarts the idle timer.
func (f *Flow) Touch() {
	f.Touched = true
	if f.Step != Idle && f.Step != Thanks {
		f.arm(f.IdleAfter)
	}
}

// idle goes back to the welcome screen when nobody touched the screen for a while,
// dropping whatever was half answered: an answer is stored only when sent.
func (f *Flow) idle() {
	if f.Inv != nil && f.Step != Thanks {
		f.dismissed[f.Inv.ID] = true
	}
	f.Reset()
}

// Reset goes back to the welcome screen in the shop's language, forgetting the customer.
func (f *Flow) Reset() {
	f.Inv, f.Score, f.Visit = nil, 0, nil
	f.Lang = f.cfg.Home
	f.GoTo(Idle)
}

// CanScan reports whether a card scanned now counts: not while someone answers the survey.
func (f *Flow) CanScan() bool { return f.Step == Idle || f.Step == Code }

// Scanned follows a self-service visit credited: the survey if the customer may be asked
// (inv), else the thanks.
func (f *Flow) Scanned(v Visit, inv *nps.Invitation) {
	f.Visit = &v
	if inv != nil {
		f.Inv = inv
		f.GoTo(Score)
		return
	}
	f.GoTo(Thanks)
}

// Fail goes back to the welcome screen, in the customer's language, saying notice for a
// while.
func (f *Flow) Fail(notice string) {
	lang := f.Lang
	f.Reset()
	f.Lang = lang
	f.Notice = notice
	f.arm(ThanksFor)
	f.changed()
}

// Say shows notice on the current screen, leaving what was typed.
func (f *Flow) Say(notice string) {
	f.Notice = notice
	f.changed()
}

// ChooseScore takes the 0–10 answer and asks for the reason.
func (f *Flow) ChooseScore(score int) {
	if f.Step != Score || score < 0 || score > 10 {
		return
	}
	f.Touch()
	f.Score = score
	f.GoTo(Comment)
}

// Answer returns what to store for the survey being answered, with the comment typed if
// withComment; ok is false when no survey is being answered.
func (f *Flow) Answer(withComment bool) (inv nps.Invitation, score int, comment string, ok bool) {
	if f.Step != Comment || f.Inv == nil {
		return nps.Invitation{}, 0, "", false
	}
	if withComment {
		comment = string(f.Text)
	}
	return *f.Inv, f.Score, comment, true
}

// Answered thanks the customer once the answer was stored, or says notice if it could not
// be ("").
func (f *Flow) Answered(notice string) {
	f.Inv = nil
	f.GoTo(Thanks)
	if notice != "" {
		f.Say(notice)
	}
}

// TypedRune takes a character from a physical keyboard or a USB scanner, which types a
// card's code followed by Enter, at now.
func (f *Flow) TypedRune(r rune, now time.Time) {
	if f.Step == Idle && now.Sub(f.typedAt) > WedgeGap {
		f.Text = nil
	}
	f.typedAt = now
	switch f.Step {
	case Idle:
		f.Text = append(f.Text, r) // unseen until Enter: a scan in progress
	case Code, Comment, PIN:
		f.TypeRune(r)
	}
}

// TypeRune adds r to what is being typed, as the on-screen keyboard's keys do.
func (f *Flow) TypeRune(r rune) {
	f.Touch()
	switch f.Step {
	case PIN:
		if r < '0' || r > '9' || len(f.Text) >= MaxPINRunes {
			return
		}
	case Comment:
		if f.Shift || f.AutoCapital() {
			r = unicode.ToUpper(r)
		}
		f.Shift = false
		if len(f.Text) >= nps.MaxComment {
			return
		}
	case Code:
		if len(f.Text) >= MaxCodeRunes {
			return
		}
	}
	f.Text = append(f.Text, r)
	f.changed()
}

// SetComment replaces the reason with what the customer typed on a device's own
// keyboard, cut to what an answer holds.
func (f *Flow) SetComment(s string) {
	if f.Step != Comment {
		return
	}
	f.Touch()
	r := []rune(s)
	f.Text = r[:min(len(r), nps.MaxComment)]
}

// ToggleShift is the on-screen keyboard's shift key.
func (f *Flow) ToggleShift() {
	f.Touch()
	f.Shift = !f.Shift
	f.changed()
}

// AutoCapital reports whether the next letter of a comment starts a sentence.
func (f *Flow) AutoCapital() bool {
	t := strings.TrimRight(string(f.Text), " ")
	return t == "" || strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?")
}

// Backspace removes the last character typed.
func (f *Flow) Backspace() {
	f.Touch()
	if len(f.Text) > 0 {
		f.Text = f.Text[:len(f.Text)-1]
		f.changed()
	}
}

// Typed returns what was typed or scanned, "" if only blanks were.
func (f *Flow) Typed() string {
	text := string(f.Text)
	if strings.TrimSpace(text) == "" {
		return ""
	}
	return text
}

// SetLang switches the screen to the customer's language until the next reset.
func (f *Flow) SetLang(l i18n.Lang) {
	f.Touch()
	f.Lang = l
	f.changed()
}

// Welcome greets the customer of the visit just credited, in the screen's language.
func (f *Flow) Welcome() string {
	l := f.Lang
	greeting := l.T("kiosk.welcome")
	if f.Visit.Name != "" {
		greeting = l.T("kiosk.welcome_name", f.Visit.Name)
	}
	v := f.Visit
	if v.Cashback > 0 {
		greeting += " " + l.T("kiosk.visit_cashback", l.Money(v.Cashback, v.Currency), l.Money(v.CashbackBalance, v.Currency))
	}
	if v.Points > 0 || v.Cashback == 0 {
		greeting += " " + l.T("kiosk.visit_points", l.Number(v.Points), l.Number(v.Balance))
	}
	return greeting
}

// FirstName is how the screen greets a customer named name.
func FirstName(name string) string {
	if w := strings.Fields(name); len(w) > 0 {
		return w[0]
	}
	return name
}
