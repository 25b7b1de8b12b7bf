package nps

import (
	"errors"
	"fmt"
)

// Category is the group a score puts a customer in.
type Category string

// The three groups of Bain's definition.
const (
	Detractor Category = "detractor" // 0–6
	Passive   Category = "passive"   // 7–8
	Promoter  Category = "promoter"  // 9–10
)

// ErrInvalidScore means a score is not a whole number from 0 to 10.
var ErrInvalidScore = errors.New("the score must be from 0 to 10")

// CategoryOf returns the group of score.
func CategoryOf(score int) (Category, error) {
	switch {
	case score < 0 || score > 10:
		return "", fmt.Errorf("score %d: %w", score, ErrInvalidScore)
	case score >= 9:
		return Promoter, nil
	case score >= 7:
		return Passive, nil
	}
	return Detractor, nil
}

// MinSample is the number of answers below which a score is flagged as too few to mean
// much. Below 30 a single answer moves the score by more than 3 points, and the score's
// 95 % margin of error can exceed ±35 points, so a week with 12 answers says little.
const MinSample = 30

// Distribution counts answers by score: d[s] is the number of answers that gave s.
type Distribution [11]int

// Summary is what a set of answers says. Build it with Add, AddN or Summarize: the counts
// and the distribution agree only then. The zero Summary is an empty set.
type Summary struct {
	N            int          `json:"n"` // answers with a score
	Promoters    int          `json:"promoters"`
	Passives     int          `json:"passives"`
	Detractors   int          `json:"detractors"`
	Distribution Distribution `json:"distribution"`
}

// Add counts one answer.
func (s *Summary) Add(score int) error { return s.AddN(score, 1) }

// AddN counts n answers that gave score, as a store that keeps counts rather than
// answers has them.
func (s *Summary) AddN(score, n int) error {
	c, err := CategoryOf(score)
	if err != nil {
		return err
	}
	s.N += n
	s.Distribution[score] += n
	switch c {
	case Promoter:
		s.Promoters += n
	case Passive:
		s.Passives += n
	default:
		s.Detractors += n
	}
	return nil
}

// Summarize counts the answers of rs.
func Summarize(rs []Response) (Summary, error) {
	var s Summary
	for _, r := range rs {
		if err := s.Add(r.Score); err != nil {
			return Summary{}, fmt.Errorf("response %s: %w", r.ID, err)
		}
	}
	return s, nil
}

// Score returns the Net Promoter Score, from −100 to +100: (P − D) × 100 / N rounded half
// away from zero. ok is false for an empty set, which has no score.
func (s Summary) Score() (score int, ok bool) {
	if s.N == 0 {
		return 0, false
	}
	return divRound((s.Promoters-s.Detractors)*100, s.N), true
}

// SmallSample reports whether s has too few answers for its score to mean much; see
// MinSample.
func (s Summary) SmallSample() bool { return s.N < MinSample }

// Share is a share of the answers in tenths of a percent: 333 is 33.3 %. It is an integer
// so that it is rounded once, exactly. The three shares of a set are rounded
// independently, so they may add up to 99.9 or 100.1.
type Share int

// String formats p with one decimal and a dot, without the percent sign: "33.3".
func (p Share) String() string { return fmt.Sprintf("%d.%d", p/10, p%10) }

// PromoterShare returns the share of promoters, 0 for an empty set (check N).
func (s Summary) PromoterShare() Share { return s.share(s.Promoters) }

// PassiveShare returns the share of passives, 0 for an empty set (check N).
func (s Summary) PassiveShare() Share { return s.share(s.Passives) }

// DetractorShare returns the share of detractors, 0 for an empty set (check N).
func (s Summary) DetractorShare() Share { return s.share(s.Detractors) }

func (s Summary) share(n int) Share {
	if s.N == 0 {
		return 0
	}
	return Share(divRound(n*1000, s.N))
}

// divRound returns num / den rounded half away from zero; den > 0.
func divRound(num, den int) int {
	q, r := num/den, num%den
	if r < 0 {
		r = -r
	}
	if 2*r >= den {
		if num < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}
