package nps_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/merci-loyalty/merci/nps"
)

func TestCategoryOf(t *testing.T) {
	tests := []struct {
		score   int
		want    nps.Category
		wantErr error
	}{
		{-1, "", nps.ErrInvalidScore},
		{0, nps.Detractor, nil},
		{6, nps.Detractor, nil},
		{7, nps.Passive, nil},
		{8, nps.Passive, nil},
		{9, nps.Promoter, nil},
		{10, nps.Promoter, nil},
		{11, "", nps.ErrInvalidScore},
	}
	for _, tt := range tests {
		got, err := nps.CategoryOf(tt.score)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("CategoryOf(%d) = %q, %v, want %q, %v", tt.score, got, err, tt.want, tt.wantErr)
		}
	}
}

// counts returns a summary of promoters 10s, passives 8s and detractors 0s.
func counts(t *testing.T, promoters, passives, detractors int) nps.Summary {
	t.Helper()
	var s nps.Summary
	for _, n := range []struct{ score, times int }{{10, promoters}, {8, passives}, {0, detractors}} {
		for range n.times {
			if err := s.Add(n.score); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

func TestScore(t *testing.T) {
	tests := []struct {
		name       string
		p, pas, d  int
		want       int
		wantScored bool
	}{
		{"empty set has no score", 0, 0, 0, 0, false},
		{"all passives score 0", 0, 5, 0, 0, true},
		{"all promoters", 4, 0, 0, 100, true},
		{"all detractors", 0, 0, 4, -100, true},
		{"-33.3 rounds to -33", 1, 0, 2, -33, true},
		{"33.3 rounds to 33", 2, 0, 1, 33, true},
		{"66.7 rounds to 67", 2, 1, 0, 67, true},
		{"-66.7 rounds to -67", 0, 1, 2, -67, true},
		{"16.7 from counts, not 33-17=16", 2, 3, 1, 17, true},
		{"12.5 rounds away from zero", 1, 7, 0, 13, true},
		{"-12.5 rounds away from zero", 0, 7, 1, -13, true},
		{"3-2 of 8: 12.5", 3, 3, 2, 13, true},
		{"2-3 of 8: -12.5", 2, 3, 3, -13, true},
		{"0.5 rounds to 1", 1, 199, 0, 1, true},
		{"-0.5 rounds to -1", 0, 199, 1, -1, true},
		{"0.49 rounds to 0", 49, 9951, 0, 0, true},
	}
	for _, tt := range tests {
		s := counts(t, tt.p, tt.pas, tt.d)
		got, ok := s.Score()
		if got != tt.want || ok != tt.wantScored {
			t.Errorf("%s: Score() of P=%d passives=%d D=%d = %d, %t, want %d, %t",
				tt.name, tt.p, tt.pas, tt.d, got, ok, tt.want, tt.wantScored)
		}
	}
}

func TestShares(t *testing.T) {
	tests := []struct {
		p, pas, d             int
		wantP, wantPas, wantD string
	}{
		{0, 0, 0, "0.0", "0.0", "0.0"},
		{1, 7, 0, "12.5", "87.5", "0.0"},
		{1, 15, 0, "6.3", "93.8", "0.0"}, // 6.25 and 93.75 round up
		{1, 0, 2, "33.3", "0.0", "66.7"},
		{2, 3, 1, "33.3", "50.0", "16.7"},
		{3, 0, 0, "100.0", "0.0", "0.0"},
	}
	for _, tt := range tests {
		s := counts(t, tt.p, tt.pas, tt.d)
		got := []string{s.PromoterShare().String(), s.PassiveShare().String(), s.DetractorShare().String()}
		if want := []string{tt.wantP, tt.wantPas, tt.wantD}; !slices.Equal(got, want) {
			t.Errorf("shares of P=%d passives=%d D=%d = %v, want %v", tt.p, tt.pas, tt.d, got, want)
		}
	}
}

func TestSmallSample(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want bool
	}{{0, true}, {29, true}, {30, false}, {31, false}} {
		if got := counts(t, tt.n, 0, 0).SmallSample(); got != tt.want {
			t.Errorf("SmallSample() with N=%d = %t, want %t", tt.n, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	var rs []nps.Response
	for _, score := range []int{0, 6, 7, 8, 9, 10, 10} {
		rs = append(rs, nps.Response{Score: score})
	}
	got, err := nps.Summarize(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := nps.Summary{N: 7, Promoters: 3, Passives: 2, Detractors: 2,
		Distribution: nps.Distribution{1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summarize() mismatch (-want +got):\n%s", diff)
	}
}

func TestAddN(t *testing.T) {
	var got nps.Summary
	for _, c := range [][2]int{{0, 1}, {6, 1}, {7, 1}, {8, 1}, {9, 1}, {10, 2}} {
		if err := got.AddN(c[0], c[1]); err != nil {
			t.Fatal(err)
		}
	}
	want, err := nps.Summarize([]nps.Response{{Score: 0}, {Score: 6}, {Score: 7}, {Score: 8}, {Score: 9}, {Score: 10}, {Score: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddN() mismatch with Summarize (-want +got):\n%s", diff)
	}
	if err := got.AddN(11, 3); !errors.Is(err, nps.ErrInvalidScore) {
		t.Errorf("AddN(11, 3) = %v, want %v", err, nps.ErrInvalidScore)
	}
}

func TestSummarizeRefusesInvalidScore(t *testing.T) {
	for _, score := range []int{-1, 11} {
		_, err := nps.Summarize([]nps.Response{{Score: 5}, {ID: "x", Score: score}})
		if !errors.Is(err, nps.ErrInvalidScore) {
			t.Errorf("Summarize(score %d) error = %v, want %v", score, err, nps.ErrInvalidScore)
		}
	}
	var s nps.Summary
	if err := s.Add(11); !errors.Is(err, nps.ErrInvalidScore) {
		t.Errorf("Add(11) = %v, want %v", err, nps.ErrInvalidScore)
	}
	if diff := cmp.Diff(nps.Summary{}, s); diff != "" {
		t.Errorf("Add(11) changed the summary (-want +got):\n%s", diff)
	}
}
