package nps

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/google/uuid"
)

// Rule is what happens by itself to a new answer of one group: a thank-you or apology
// email, a coupon whose code goes into that email, and closing the answer.
type Rule struct {
	Email  bool `json:"email"`
	Coupon bool `json:"coupon"`
	// CouponDays is how long the coupon can be used after the answer; 0: no end.
	CouponDays int  `json:"coupon_days,omitempty"`
	Close      bool `json:"close"`
}

// Acts reports whether the rule does anything.
func (r Rule) Acts() bool { return r.Email || r.Coupon || r.Close }

// Message is a group's email and coupon offer in one language. Subject and Body may hold
// the fields {name}, {shop}, {code}, {offer} and {until} (see Fill).
type Message struct {
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
	Offer   string `json:"offer,omitempty"` // "A free coffee", "5 € off"
}

// Rules are the shop's rules for new answers, by group, and their messages by language
// and group. A missing message takes the default the caller gives (the app's
// translations): see WithDefaults.
type Rules struct {
	Promoter  Rule                          `json:"promoter"`
	Passive   Rule                          `json:"passive"`
	Detractor Rule                          `json:"detractor"`
	Messages  map[Lang]map[Category]Message `json:"messages,omitempty"`
}

// DefaultRules follow the routine shops use: promoters are thanked with a coupon valid a
// month and the answer closed; passives get nothing until the owner decides; detractors
// are left untreated for a person to call.
func DefaultRules() Rules {
	return Rules{Promoter: Rule{Email: true, Coupon: true, CouponDays: 30, Close: true}}
}

// Langs lists the languages Merci speaks, in the order pickers show them.
var Langs = []Lang{English, French, BrazilianPortuguese}

// Categories lists the groups, from the happiest.
var Categories = []Category{Promoter, Passive, Detractor}

// For returns the rule of group c.
func (rs Rules) For(c Category) Rule {
	switch c {
	case Promoter:
		return rs.Promoter
	case Passive:
		return rs.Passive
	}
	return rs.Detractor
}

// Set returns rs with group c's rule replaced by r.
func (rs Rules) Set(c Category, r Rule) Rules {
	switch c {
	case Promoter:
		rs.Promoter = r
	case Passive:
		rs.Passive = r
	default:
		rs.Detractor = r
	}
	return rs
}

// Message returns group c's message in lang, empty if the owner wrote none.
func (rs Rules) Message(lang Lang, c Category) Message { return rs.Messages[lang][c] }

// SetMessage returns rs with group c's message in lang replaced by m, leaving rs's map
// as it was (a Rules is a value).
func (rs Rules) SetMessage(lang Lang, c Category, m Message) Rules {
	out := make(map[Lang]map[Category]Message, len(rs.Messages)+1)
	for l, byCat := range rs.Messages {
		out[l] = maps.Clone(byCat)
	}
	if out[lang] == nil {
		out[lang] = map[Category]Message{}
	}
	out[lang][c] = m
	rs.Messages = out
	return rs
}

// WithDefaults returns rs with every empty part of a message taken from def.
func (rs Rules) WithDefaults(def func(Lang, Category) Message) Rules {
	for _, l := range Langs {
		for _, c := range Categories {
			m, d := rs.Message(l, c), def(l, c)
			if strings.TrimSpace(m.Subject) == "" {
				m.Subject = d.Subject
			}
			if strings.TrimSpace(m.Body) == "" {
				m.Body = d.Body
			}
			if strings.TrimSpace(m.Offer) == "" {
				m.Offer = d.Offer
			}
			rs = rs.SetMessage(l, c, m)
		}
	}
	return rs
}

// ErrInvalidRules means the rules cannot be used.
var ErrInvalidRules = errors.New("invalid survey rules")

// Validate reports a rule that cannot be used: a negative validity, or a message with a
// field Fill does not know.
func (rs Rules) Validate() error {
	for _, c := range Categories {
		if rs.For(c).CouponDays < 0 {
			return fmt.Errorf("%w: the %ss' coupon cannot last a negative number of days", ErrInvalidRules, c)
		}
	}
	for l, byCat := range rs.Messages {
		for c, m := range byCat {
			for _, text := range []string{m.Subject, m.Body} {
				if f := unknownField(text); f != "" {
					return fmt.Errorf("%w: the %s message to %ss has an unknown field %s", ErrInvalidRules, l, c, f)
				}
			}
		}
	}
	return nil
}

// Fields are the values Fill puts into a message, already formatted for its language.
type Fields struct {
	Name  string // the customer's first name; may be empty
	Shop  string
	Code  string // the coupon's code; empty when there is no coupon
	Offer string
	Until string // the coupon's last day; empty when it has no end
}

// fieldNames are the fields a message may hold.
var fieldNames = []string{"{name}", "{shop}", "{code}", "{offer}", "{until}"}

func unknownField(text string) string {
	for rest := text; ; {
		i := strings.Index(rest, "{")
		if i < 0 {
			return ""
		}
		j := strings.Index(rest[i:], "}")
		if j < 0 {
			return ""
		}
		f := rest[i : i+j+1]
		known := false
		for _, n := range fieldNames {
			known = known || f == n
		}
		if !known {
			return f
		}
		rest = rest[i+j+1:]
	}
}

// Fill puts f into text. A line that names the coupon ({code}, {offer} or {until}) is
// left out when there is no coupon, or no end date for {until}, so that one template
// serves with the coupon and without. An empty name leaves "Hello," rather than
// "Hello ,".
func Fill(text string, f Fields) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if f.Code == "" && (strings.Contains(line, "{code}") || strings.Contains(line, "{offer}") || strings.Contains(line, "{until}")) {
			continue
		}
		if f.Until == "" && strings.Contains(line, "{until}") {
			continue
		}
		if f.Name == "" {
			line = strings.ReplaceAll(line, " {name}", "")
		}
		out = append(out, line)
	}
	return strings.NewReplacer("{name}", f.Name, "{shop}", f.Shop, "{code}", f.Code, "{offer}", f.Offer,
		"{until}", f.Until).Replace(strings.Join(out, "\n"))
}

// RuleID returns the id of the effect what (such as "email" or "close") of the rule on
// the answer responseID. It is the same on every device, so that two devices applying
// the rule to one answer make one email, one coupon and one follow-up, which unique ids
// keep once everywhere. It is a UUIDv7 with the time of responseID, its other bits a
// hash of both (the pattern of loyalty.VoidID).
func RuleID(responseID, what string) (string, error) {
	t, err := uuid.Parse(responseID)
	if err != nil || t.Version() != 7 {
		return "", fmt.Errorf("%w: %q is not a UUIDv7", ErrInvalidResponse, responseID)
	}
	sum := sha256.Sum256([]byte("rule:" + what + ":" + t.String()))
	var id uuid.UUID
	copy(id[:6], t[:6])
	copy(id[6:], sum[:10])
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id.String(), nil
}

// RuleSecret returns n bytes derived from the answer responseID for the effect what,
// the same on every device: the source of a coupon code that two devices must agree on.
func RuleSecret(responseID, what string, n int) []byte {
	sum := sha256.Sum256([]byte("rule-secret:" + what + ":" + responseID))
	return sum[:min(n, len(sum))]
}
