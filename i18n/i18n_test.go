package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		lang     i18n.Lang
		m        loyalty.Money
		currency string
		want     string
	}{
		{i18n.English, 123450, "USD", "$1,234.50"},
		{i18n.English, 5, "EUR", "€0.05"},
		{i18n.French, 123450, "EUR", "1\u202f234,50\u00a0€"},
		{i18n.Portuguese, 123450, "BRL", "R$\u00a01.234,50"},
		{i18n.French, -1250, "EUR", "-12,50\u00a0€"},
		{i18n.English, 1500, "JPY", "¥1,500"},
		{i18n.English, 100, "SEK", "SEK\u00a01.00"},
	}
	for _, tt := range tests {
		if got := tt.lang.Money(tt.m, tt.currency); got != tt.want {
			t.Errorf("%s.Money(%d, %s) = %q, want %q", tt.lang, tt.m, tt.currency, got, tt.want)
		}
	}
}

// PlainAmount writes what the amount parser reads back, in each language.
func TestPlainAmount(t *testing.T) {
	tests := []struct {
		lang     i18n.Lang
		m        loyalty.Money
		currency string
		want     string
	}{
		{i18n.English, 1250, "EUR", "12.50"},
		{i18n.French, 1250, "EUR", "12,50"},
		{i18n.Portuguese, 500000, "BRL", "5000"},
		{i18n.French, 1500, "JPY", "1500"},
		{i18n.English, 1234, "KWD", "1.234"},
	}
	for _, tt := range tests {
		got := tt.lang.PlainAmount(tt.m, tt.currency)
		if got != tt.want {
			t.Errorf("%s.PlainAmount(%d, %s) = %q, want %q", tt.lang, tt.m, tt.currency, got, tt.want)
		}
		if back, err := loyalty.ParseAmount(got, tt.currency); err != nil || back != tt.m {
			t.Errorf("ParseAmount(%q, %s) = %d, %v, want %d", got, tt.currency, back, err, tt.m)
		}
	}
}

func TestShortDate(t *testing.T) {
	day := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	for l, want := range map[i18n.Lang]string{i18n.English: "Jan 2", i18n.French: "02/01", i18n.Portuguese: "02/01"} {
		if got := l.ShortDate(day); got != want {
			t.Errorf("%s.ShortDate = %q, want %q", l, got, want)
		}
	}
}

func TestDatesAndTimes(t *testing.T) {
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.Local)
	for l, want := range map[i18n.Lang][3]string{
		i18n.English:    {"Jan 2, 2026", "Jan 2, 2026 15:04", "Jan 2 15:04"},
		i18n.French:     {"02/01/2026", "02/01/2026 15:04", "02/01 15:04"},
		i18n.Portuguese: {"02/01/2026", "02/01/2026 15:04", "02/01 15:04"},
	} {
		got := [3]string{l.Date(at), l.DateTime(at), l.ShortDateTime(at)}
		if got != want {
			t.Errorf("%s: Date, DateTime, ShortDateTime = %q, want %q", l, got, want)
		}
	}
	// Times are shown in the device's zone, whatever zone they were read in.
	if got, want := i18n.French.Time(at.UTC()), "15:04"; got != want {
		t.Errorf("Time of a UTC time = %q, want the local %q", got, want)
	}
}

func TestDetect(t *testing.T) {
	for env, want := range map[string]i18n.Lang{"fr_FR.UTF-8": i18n.French, "pt_BR.UTF-8": i18n.Portuguese, "en_US.UTF-8": i18n.English, "C": i18n.English, "de_DE": i18n.English, "": i18n.English} {
		got := i18n.Detect(func(name string) string {
			if name == "LANG" {
				return env
			}
			return ""
		})
		if got != want {
			t.Errorf("Detect(LANG=%q) = %s, want %s", env, got, want)
		}
	}
}

// TestCatalogsComplete checks every language has exactly English's keys, and that every
// key the code asks for with .T("...") exists.
func TestCatalogsComplete(t *testing.T) {
	en := i18n.Keys(i18n.English)
	slices.Sort(en)
	for _, l := range i18n.Langs[1:] {
		got := i18n.Keys(l)
		slices.Sort(got)
		if diff := cmp.Diff(en, got); diff != "" {
			t.Errorf("keys of %s differ from English (-en +%s):\n%s", l, l, diff)
		}
	}
	used := regexp.MustCompile(`\.T\("([a-z0-9_.]*[a-z0-9_])"`)
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(en, m[1]) {
				t.Errorf("%s uses message %q, which English lacks", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
