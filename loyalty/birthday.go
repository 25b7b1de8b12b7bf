package loyalty

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// BirthdayPeriod is when a birthday reward may be given.
type BirthdayPeriod string

// The birthday periods; the zero value is the week.
const (
	BirthdayWeek  BirthdayPeriod = ""      // Monday to Sunday of the week of the birthday
	BirthdayMonth BirthdayPeriod = "month" // the month of the birthday
)

// Reasons of the bonuses: what they reward, then the key that makes their id.
const (
	ReasonBirthday = "birthday"
	ReasonReferral = "referral"
)

// ErrNotBirthday refuses a birthday reward outside the birthday's period.
var ErrNotBirthday = errors.New("not the customer's birthday period")

// ErrBadBirthday refuses a day and month that make no date (a year may be a leap year).
var ErrBadBirthday = errors.New("not a day of the year")

// CheckBirthday accepts no birthday (0, 0) or a day that some year has.
func CheckBirthday(day, month int) error {
	if day == 0 && month == 0 {
		return nil
	}
	if month < 1 || month > 12 || day < 1 || day > time.Date(2024, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return ErrBadBirthday
	}
	return nil
}

// HasBirthdayReward reports whether p rewards birthdays.
func (p Program) HasBirthdayReward() bool { return p.BirthdayPoints > 0 || p.BirthdayGift != "" }

// Birthday is a customer's birthday reward for one year.
type Birthday struct {
	Date     time.Time // the birthday this year, at midnight in the shop's zone
	From, To time.Time // when the reward may be given: [From, To)
}

// BirthdayAt returns c's birthday reward period around now, in now's time zone, and
// whether now is in it. A birthday on February 29 falls on March 1 in other years.
func (p Program) BirthdayAt(c Customer, now time.Time) (Birthday, bool) {
	if !p.HasBirthdayReward() || c.BirthMonth == 0 || CheckBirthday(c.BirthDay, c.BirthMonth) != nil {
		return Birthday{}, false
	}
	date := time.Date(now.Year(), time.Month(c.BirthMonth), c.BirthDay, 0, 0, 0, 0, now.Location())
	b := Birthday{Date: date}
	if p.BirthdayPeriod == BirthdayMonth {
		b.From = time.Date(date.Year(), date.Month(), 1, 0, 0, 0, 0, now.Location())
		b.To = b.From.AddDate(0, 1, 0)
	} else {
		monday := (int(date.Weekday()) + 6) % 7 // days since Monday
		b.From = date.AddDate(0, 0, -monday)
		b.To = b.From.AddDate(0, 0, 7)
	}
	return b, !now.Before(b.From) && now.Before(b.To)
}

// BirthdayBonus makes the birthday reward of the customer of card for the birthday b:
// the program's points, once a year. Its id derives from the customer and the
// birthday's date, so two tills giving it at once make one.
func (p Program) BirthdayBonus(o Origin, c Card, b Birthday) (Operation, error) {
	if !p.HasBirthdayReward() {
		return Operation{}, fmt.Errorf("%w: the program has no birthday reward", ErrInvalidOperation)
	}
	reason := ReasonBirthday + ":" + b.Date.Format(time.DateOnly)
	op, err := newOperation(o, c, KindBonus, Delta{Points: p.BirthdayPoints})
	day := time.Date(b.Date.Year(), b.Date.Month(), b.Date.Day(), 0, 0, 0, 0, time.UTC) // whatever the zone
	op.ID, op.Reason = BonusID(c.CustomerID, reason, day), reason
	return op, err
}

// GiveBirthday makes the birthday reward of customer cu, whose card is c, at o.At: in
// the period of their birthday only.
func (p Program) GiveBirthday(o Origin, c Card, cu Customer) (Operation, error) {
	b, now := p.BirthdayAt(cu, o.At)
	if !now {
		return Operation{}, ErrNotBirthday
	}
	return p.BirthdayBonus(o, c, b)
}

// BonusID is the id of the bonus of customerID for reason ("birthday:2027-03-14"),
// at the moment at that the bonus is for: the same on every device.
func BonusID(customerID, reason string, at time.Time) string {
	return DerivedID(at, "bonus:"+customerID+":"+reason)
}

// BirthdayOf reads the birthday a bonus's reason names, as BirthdayBonus wrote it.
func BirthdayOf(reason string) (time.Time, bool) {
	var day string
	if _, err := fmt.Sscanf(reason, ReasonBirthday+":%s", &day); err != nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, day)
	return t, err == nil
}

// ParseBirthday reads a day and month typed as "14/3" (also "14/03", "14.3", "14-3");
// "" is no birthday.
func ParseBirthday(s string) (day, month int, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, nil
	}
	d, m, ok := cutAny(s, "/.-")
	if !ok {
		return 0, 0, ErrBadBirthday
	}
	day, errD := strconv.Atoi(strings.TrimSpace(d))
	month, errM := strconv.Atoi(strings.TrimSpace(m))
	if errD != nil || errM != nil || CheckBirthday(day, month) != nil || day == 0 {
		return 0, 0, ErrBadBirthday
	}
	return day, month, nil
}

// FormatBirthday writes a birthday as ParseBirthday reads it: "14/03"; "" for none.
func FormatBirthday(day, month int) string {
	if month == 0 {
		return ""
	}
	return fmt.Sprintf("%02d/%02d", day, month)
}
