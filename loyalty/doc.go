// Package loyalty holds Merci's loyalty rules: programs, tiers, rewards, and the operations
// that change a customer's balance. It is pure Go: no I/O, no clock, no storage.
//
// A balance is never stored as a field that devices overwrite: it is the sum of the signed
// deltas of a customer's operations. Every operation carries a globally unique, time-ordered
// id (UUIDv7), so that applying the same operation twice can be detected and ignored, and
// operations from several offline devices add up to the same balance in any order.
//
// Deltas are computed once, when an operation is made, from the program in force at that
// moment. Replaying an operation later never re-reads the program, so a change of rules
// does not rewrite history.
package loyalty
