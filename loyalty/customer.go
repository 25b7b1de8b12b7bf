package loyalty

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFieldLength is the most characters a customer's name, email, phone, company or tax
// ID may have: far above any real one, low enough for a receipt line and a table cell.
const MaxFieldLength = 200

// Errors of the customer rules, the same at the counter, on the desk, in an import and
// for an email's recipient.
var (
	ErrBadEmail = errors.New("not an email address")
	ErrBadPhone = errors.New("not a phone number")
	ErrTooLong  = fmt.Errorf("longer than %d characters", MaxFieldLength)
	ErrControl  = errors.New("holds invisible control characters")
)

// Normalize returns c with the spaces around its fields trimmed and the domain of its
// email in lower case, as the store keeps them: the same person typed twice matches.
func (c Customer) Normalize() Customer {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = NormalizeEmail(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Company = strings.TrimSpace(c.Company)
	c.TaxID = strings.TrimSpace(c.TaxID)
	c.ReferredBy = strings.TrimSpace(c.ReferredBy)
	return c
}

// Validate reports the first rule c breaks, naming the field. Every field may be empty:
// a walk-in customer may give only a first name, or nothing but their card.
func (c Customer) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"name", c.Name}, {"email", c.Email}, {"phone", c.Phone}, {"company", c.Company}, {"tax ID", c.TaxID},
	} {
		if err := CheckText(f.value); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if err := CheckEmail(c.Email); c.Email != "" && err != nil {
		return fmt.Errorf("email %q: %w", c.Email, err)
	}
	if err := CheckPhone(c.Phone); c.Phone != "" && err != nil {
		return fmt.Errorf("phone %q: %w", c.Phone, err)
	}
	if err := CheckBirthday(c.BirthDay, c.BirthMonth); err != nil {
		return fmt.Errorf("birthday %d/%d: %w", c.BirthDay, c.BirthMonth, err)
	}
	if err := CheckText(c.ReferredBy); err != nil {
		return fmt.Errorf("referral code: %w", err)
	}
	return nil
}

// CheckText refuses text too long for a field, or holding control characters (which a
// terminal or a receipt printer would obey).
func CheckText(s string) error {
	if utf8.RuneCountInString(s) > MaxFieldLength {
		return ErrTooLong
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return ErrControl
	}
	return nil
}

// NormalizeEmail trims s and lower-cases its domain; the part before the @ is the
// recipient's server's business and keeps its case.
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[:at] + strings.ToLower(s[at:])
	}
	return s
}

// CheckEmail accepts a bare address that a mail server can deliver to: "ana@example.com",
// not "Ana <ana@example.com>" (what a mailer would send to is not what was typed), nor an
// address without a dot in its domain, nor one longer than SMTP allows.
func CheckEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return ErrBadEmail
	}
	_, domain, _ := strings.Cut(s[strings.LastIndexByte(s, '@'):], "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return ErrBadEmail
	}
	return nil
}

// CheckPhone accepts 6 to 15 digits (E.164's most) written with the usual signs:
// "+33 6 12 34 56 78", "(11) 98765-4321", "06.12.34.56.78".
func CheckPhone(s string) error {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case !strings.ContainsRune("+-.() /", r):
			return ErrBadPhone
		}
	}
	if digits < 6 || digits > 15 {
		return ErrBadPhone
	}
	return nil
}
