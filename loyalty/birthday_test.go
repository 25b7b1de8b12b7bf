package loyalty_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/loyalty"
)

func TestCheckBirthday(t *testing.T) {
	tests := []struct {
		day, month int
		err        error
	}{
		{0, 0, nil}, {14, 3, nil}, {29, 2, nil}, {31, 12, nil},
		{30, 2, loyalty.ErrBadBirthday}, {31, 4, loyalty.ErrBadBirthday}, {0, 5, loyalty.ErrBadBirthday},
		{5, 0, loyalty.ErrBadBirthday}, {1, 13, loyalty.ErrBadBirthday}, {-1, 1, loyalty.ErrBadBirthday},
	}
	for _, tt := range tests {
		if err := loyalty.CheckBirthday(tt.day, tt.month); !errors.Is(err, tt.err) {
			t.Errorf("CheckBirthday(%d, %d) = %v, want %v", tt.day, tt.month, err, tt.err)
		}
	}
}

func TestBirthdayAt(t *testing.T) {
	week := loyalty.Program{Currency: "EUR", BirthdayGift: "a free coffee"}
	month := loyalty.Program{Currency: "EUR", BirthdayPoints: 50, BirthdayPeriod: loyalty.BirthdayMonth}
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	noon := func(y int, m time.Month, day int) time.Time { return d(y, m, day).Add(12 * time.Hour) }
	ana := loyalty.Customer{ID: "c1", BirthDay: 12, BirthMonth: 3} // Friday March 12, 2027
	leap := loyalty.Customer{ID: "c2", BirthDay: 29, BirthMonth: 2}
	tests := []struct {
		name     string
		program  loyalty.Program
		customer loyalty.Customer
		now      time.Time
		want     loyalty.Birthday
		in       bool
	}{
		{"the week runs Monday to Sunday", week, ana, noon(2027, 3, 8), loyalty.Birthday{Date: d(2027, 3, 12), From: d(2027, 3, 8), To: d(2027, 3, 15)}, true},
		{"the Sunday after is in", week, ana, noon(2027, 3, 14), loyalty.Birthday{Date: d(2027, 3, 12), From: d(2027, 3, 8), To: d(2027, 3, 15)}, true},
		{"the Monday after is out", week, ana, d(2027, 3, 15), loyalty.Birthday{Date: d(2027, 3, 12), From: d(2027, 3, 8), To: d(2027, 3, 15)}, false},
		{"the month of the birthday", month, ana, noon(2027, 3, 31), loyalty.Birthday{Date: d(2027, 3, 12), From: d(2027, 3, 1), To: d(2027, 4, 1)}, true},
		{"not the month before", month, ana, noon(2027, 2, 28), loyalty.Birthday{Date: d(2027, 3, 12), From: d(2027, 3, 1), To: d(2027, 4, 1)}, false},
		{"February 29 is March 1 in other years", week, leap, noon(2027, 3, 1), loyalty.Birthday{Date: d(2027, 3, 1), From: d(2027, 3, 1), To: d(2027, 3, 8)}, true},
		{"no birthday given", week, loyalty.Customer{ID: "c3"}, noon(2027, 3, 8), loyalty.Birthday{}, false},
		{"no birthday reward", loyalty.Program{Currency: "EUR"}, ana, noon(2027, 3, 12), loyalty.Birthday{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, in := tt.program.BirthdayAt(tt.customer, tt.now)
			if diff := cmp.Diff(tt.want, got); diff != "" || in != tt.in {
				t.Errorf("BirthdayAt = %v (-want +got):\n%s", in, diff)
			}
		})
	}
}

// A birthday bonus is the program's points under an id two tills derive alike; the
// next year's is another.
func TestBirthdayBonus(t *testing.T) {
	p := loyalty.Program{Currency: "EUR", BirthdayPoints: 50}
	ana := loyalty.Customer{ID: "cust-1", BirthDay: 12, BirthMonth: 3}
	paris, _ := time.LoadLocation("Europe/Paris")
	b, in := p.BirthdayAt(ana, time.Date(2027, 3, 10, 9, 0, 0, 0, paris))
	if !in {
		t.Fatal("not in the birthday week")
	}
	one, err := p.BirthdayBonus(loyalty.Origin{Device: "a", At: time.Now()}, card, b)
	if err != nil {
		t.Fatal(err)
	}
	two, _ := p.BirthdayBonus(loyalty.Origin{Device: "b", At: time.Now().Add(time.Hour)}, card, b)
	if one.ID != two.ID || one.Delta != (loyalty.Delta{Points: 50}) || one.Reason != "birthday:2027-03-12" || one.Kind != loyalty.KindBonus {
		t.Errorf("two tills' bonuses = %+v and %+v, want one id, 50 points for birthday:2027-03-12", one, two)
	}
	day, ok := loyalty.BirthdayOf(one.Reason)
	if !ok || loyalty.BonusID(card.CustomerID, one.Reason, day) != one.ID {
		t.Errorf("the id from the reason %q = %v, want %s", one.Reason, day, one.ID)
	}
	next, _ := p.BirthdayAt(ana, time.Date(2028, 3, 10, 9, 0, 0, 0, paris))
	if later, _ := p.BirthdayBonus(loyalty.Origin{Device: "a", At: time.Now()}, card, next); later.ID == one.ID {
		t.Errorf("the next year's bonus has this year's id")
	}
	if _, err := (loyalty.Program{Currency: "EUR"}).BirthdayBonus(loyalty.Origin{Device: "a", At: time.Now()}, card, b); err == nil {
		t.Errorf("a program without a birthday reward gave one")
	}
}

func TestParseBirthday(t *testing.T) {
	tests := []struct {
		in         string
		day, month int
		err        error
	}{
		{"", 0, 0, nil}, {" 14/3 ", 14, 3, nil}, {"14/03", 14, 3, nil}, {"14.3", 14, 3, nil}, {"29-2", 29, 2, nil},
		{"14 / 3", 14, 3, nil}, {"31/4", 0, 0, loyalty.ErrBadBirthday}, {"14", 0, 0, loyalty.ErrBadBirthday},
		{"0/0", 0, 0, loyalty.ErrBadBirthday}, {"a/b", 0, 0, loyalty.ErrBadBirthday}, {"14/3/1990", 0, 0, loyalty.ErrBadBirthday},
	}
	for _, tt := range tests {
		day, month, err := loyalty.ParseBirthday(tt.in)
		if day != tt.day || month != tt.month || !errors.Is(err, tt.err) {
			t.Errorf("ParseBirthday(%q) = %d, %d, %v; want %d, %d, %v", tt.in, day, month, err, tt.day, tt.month, tt.err)
		}
		if err == nil && tt.in != "" {
			if again, m, _ := loyalty.ParseBirthday(loyalty.FormatBirthday(day, month)); again != day || m != month {
				t.Errorf("FormatBirthday(%d, %d) does not read back", day, month)
			}
		}
	}
}
