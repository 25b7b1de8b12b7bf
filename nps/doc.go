// Package nps holds Merci's Net Promoter Score rules: the invitation a kiosk shows after a
// purchase, the answer a customer gives, the owner's follow-up of that answer, and the
// score of a set of answers. It is pure Go: no I/O, no clock, no storage; callers pass
// the time in.
//
// The score is computed from counts, (P − D) × 100 / N, and rounded once, half away from
// zero, to an integer; it is never the difference of rounded percentages, which can be a
// point off (2 promoters, 1 detractor, 3 passives: 33 − 17 = 16, but the score is 17).
// A set with no answers has no score at all, which is not a score of 0.
package nps
