// Package i18n translates Merci's messages and formats money for English, French and
// Brazilian Portuguese. Each screen holds its own Lang, so the kiosk can speak the
// customer's language while the counter keeps the cashier's.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/merci-loyalty/merci/assets"
	"github.com/merci-loyalty/merci/loyalty"
)

// Lang is a supported language, as a BCP 47 tag.
type Lang string

// The supported languages; English is the fallback.
const (
	English    Lang = "en"
	French     Lang = "fr"
	Portuguese Lang = "pt-BR"
)

// Langs lists the supported languages in the order the language pickers show them.
var Langs = []Lang{English, French, Portuguese}

// Name returns the language's name in itself, for language pickers.
func (l Lang) Name() string {
	switch l {
	case French:
		return "Français"
	case Portuguese:
		return "Português (Brasil)"
	}
	return "English"
}

var catalogs = mustLoad()

func mustLoad() map[Lang]map[string]string {
	out := map[Lang]map[string]string{}
	for _, l := range Langs {
		raw, err := fs.ReadFile(assets.Translations, "translations/"+string(l)+".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: embedded translation %s missing: %v", l, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(fmt.Sprintf("i18n: embedded translation %s is not valid: %v", l, err))
		}
		out[l] = m
	}
	return out
}

// Keys returns the message keys of l, for tests that check every language is complete.
func Keys(l Lang) []string {
	keys := make([]string, 0, len(catalogs[l]))
	for k := range catalogs[l] {
		keys = append(keys, k)
	}
	return keys
}

// T returns the message key in l, formatted with args as by fmt.Sprintf. A key missing
// from l falls back to English, then to the key itself, so a gap shows rather than hides.
func (l Lang) T(key string, args ...any) string {
	msg, ok := catalogs[l][key]
	if !ok {
		if msg, ok = catalogs[English][key]; !ok {
			msg = key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Parse returns the supported language closest to a locale name such as "fr_FR.UTF-8",
// "pt_BR" or "en-US", and English for anything else.
func Parse(locale string) Lang {
	locale = strings.ToLower(strings.SplitN(locale, ".", 2)[0])
	locale = strings.ReplaceAll(locale, "_", "-")
	switch {
	case strings.HasPrefix(locale, "fr"):
		return French
	case strings.HasPrefix(locale, "pt"):
		return Portuguese
	}
	return English
}

// Detect returns the language of the first set variable of LC_ALL, LC_MESSAGES and LANG,
// as POSIX orders them; getenv is os.Getenv outside tests.
func Detect(getenv func(string) string) Lang {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" && v != "C" && v != "POSIX" {
			return Parse(v)
		}
	}
	return English
}

var symbols = map[string]string{"EUR": "€", "USD": "$", "BRL": "R$", "GBP": "£", "CAD": "$", "AUD": "$", "JPY": "¥", "CHF": "CHF"}

// Money formats an amount in minor units the way l writes it: "€1,234.50" in English,
// "1 234,50 €" in French, "R$ 1.234,50" in Brazilian Portuguese.
func (l Lang) Money(m loyalty.Money, currency string) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	per := loyalty.MinorPerUnit(currency)
	whole := fmt.Sprint(int64(m) / per)
	frac := ""
	if d := loyalty.MinorDigits(currency); d > 0 {
		frac = fmt.Sprintf("%0*d", d, int64(m)%per)
	}
	sym, ok := symbols[strings.ToUpper(currency)]
	if !ok {
		sym = strings.ToUpper(currency)
	}
	group, dec := l.separators()
	n := groupThousands(whole, group)
	if frac != "" {
		n += dec + frac
	}
	switch l {
	case French:
		return sign + n + "\u00a0" + sym
	case Portuguese:
		return sign + sym + "\u00a0" + n
	}
	if utf8.RuneCountInString(sym) > 1 && sym != "R$" {
		return sign + sym + "\u00a0" + n
	}
	return sign + sym + n
}

// Number formats an integer with l's thousands separator.
func (l Lang) Number(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	group, _ := l.separators()
	return sign + groupThousands(fmt.Sprint(n), group)
}

// separators returns l's thousands and decimal separators.
func (l Lang) separators() (group, decimal string) {
	switch l {
	case French:
		return "\u202f", ","
	case Portuguese:
		return ".", ","
	}
	return ",", "."
}

// DecimalSeparator is the separator l types amounts with.
func (l Lang) DecimalSeparator() string {
	_, dec := l.separators()
	return dec
}

// PlainAmount writes m as a person types it in l, for an input field: "5000", "12.50"
// in English, "12,50" in French and Portuguese; no symbol, no grouping.
func (l Lang) PlainAmount(m loyalty.Money, currency string) string {
	per := loyalty.MinorPerUnit(currency)
	if int64(m)%per == 0 {
		return strconv.FormatInt(int64(m)/per, 10)
	}
	_, dec := l.separators()
	return fmt.Sprintf("%d%s%0*d", int64(m)/per, dec, loyalty.MinorDigits(currency), int64(m)%per)
}

// ShortDate writes a day without its year, as l does on a chart's axis: "Jan 2" in
// English, "02/01" in French and Portuguese.
func (l Lang) ShortDate(t time.Time) string {
	if l == English {
		return t.Format("Jan 2")
	}
	return t.Format("02/01")
}

// Date writes a day in local time as l does: "Jan 2, 2026" in English, "02/01/2026"
// in French and Portuguese.
func (l Lang) Date(t time.Time) string { return l.Day(t.Local()) }

// Day writes the day of t in t's own time zone, as Date does: the cloud writes a
// shop's days in the shop's zone, not its own.
func (l Lang) Day(t time.Time) string {
	if l == English {
		return t.Format("Jan 2, 2006")
	}
	return t.Format("02/01/2006")
}

// DateTime writes a moment in local time to the minute: "Jan 2, 2026 15:04" in
// English, "02/01/2026 15:04" in French and Portuguese.
func (l Lang) DateTime(t time.Time) string { return l.Date(t) + " " + l.Time(t) }

// ShortDateTime writes a moment of this year in local time, for a list: "Jan 2 15:04"
// in English, "02/01 15:04" in French and Portuguese.
func (l Lang) ShortDateTime(t time.Time) string { return l.ShortDate(t.Local()) + " " + l.Time(t) }

// Time writes the time of day in local time on a 24-hour clock, as the shops using
// Merci read it in all three languages: "15:04".
func (l Lang) Time(t time.Time) string { return t.Local().Format("15:04") }

func groupThousands(digits, sep string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Expiry says what expires, and when: "12 points expire on Feb 1, 2027".
func (l Lang) Expiry(e loyalty.Expiry, currency string) string {
	switch {
	case e.Points > 0 && e.Cashback > 0:
		return l.T("expiry.both", l.Number(e.Points), l.Money(e.Cashback, currency), l.Date(e.At))
	case e.Cashback > 0:
		return l.T("expiry.cashback", l.Money(e.Cashback, currency), l.Date(e.At))
	}
	return l.T("expiry.points", l.Number(e.Points), l.Date(e.At))
}
