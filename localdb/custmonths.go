package localdb

import (
	"cmp"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"maps"
	"slices"
	"time"
)

// The rows of customer_months. Each holds, for the customers of one hash bucket, what
// the top customers and the active count need of their operations of one UTC month:
// when each was made, the money it adds to the customer's purchases and whether it is a
// visit. Packed, a month of 1,000,000 operations reads in a few hundred rows: SQLite
// spends about a microsecond on every row it hands over, which one row per operation or
// per customer would spend many times over.
//
// A row's data is its customers in id order, each written as
//
//	uvarint len(id), id,
//	uvarint first, uvarint last-first: the times of the first and last operations,
//	varint spent, uvarint visits: the sums of all the operations,
//	uvarint number of operations, uvarint len(ops), ops
//
// where ops holds each operation in time order as uvarint ms since the previous one
// (since first for the first), varint spent*2 + visit. Times are Unix ms; an
// operation's spent is the amount of a purchase, minus that of a refund, 0 otherwise.
// A period that holds all or none of a customer's month reads the sums or nothing, and
// only the others read ops.

// customerBuckets is how many rows a month of customers is split into: enough that a
// fold rewrites small rows, few enough that a month reads in a few hundred.
const customerBuckets = 256

// custOp is one operation as customer_months keeps it.
type custOp struct {
	at    int64 // Unix ms
	spent int64
	visit bool
}

// monthOf returns the customer_months month of the Unix time ms.
func monthOf(ms int64) int64 {
	t := time.UnixMilli(ms).UTC()
	return int64(t.Year())*12 + int64(t.Month()) - 1
}

// bucketOf returns the customer_months bucket of a customer.
func bucketOf(customerID string) int64 {
	h := fnv.New32a()
	h.Write([]byte(customerID))
	return int64(h.Sum32() % customerBuckets)
}

var errBadCustomerMonth = errors.New("unreadable customer_months row")

// custMonth is one customer's operations of a customer_months row.
type custMonth struct {
	id          []byte // valid as long as the row's data
	first, last int64
	spent       int64
	visits      int64
	n           int
	ops         []byte
}

// custMonthReader reads the data of a customer_months row, one customer at a time.
type custMonthReader struct {
	data []byte
	err  error
}

func (r *custMonthReader) uvarint() uint64 { return readVarint(r, binary.Uvarint) }

func (r *custMonthReader) varint() int64 { return readVarint(r, binary.Varint) }

// readVarint reads one number with decode, a binary varint reader.
func readVarint[T int64 | uint64](r *custMonthReader, decode func([]byte) (T, int)) T {
	v, n := decode(r.data)
	if n <= 0 {
		r.err, r.data = errBadCustomerMonth, nil
		return 0
	}
	r.data = r.data[n:]
	return v
}

// bytes reads a length and that many bytes.
func (r *custMonthReader) bytes() []byte {
	l := r.uvarint()
	if l > uint64(len(r.data)) {
		r.err, r.data = errBadCustomerMonth, nil
		return nil
	}
	b := r.data[:l]
	r.data = r.data[l:]
	return b
}

// next reads the next customer into c. It returns false at the end of the data or on an
// error, which r.err then holds.
func (r *custMonthReader) next(c *custMonth) bool {
	if len(r.data) == 0 || r.err != nil {
		return false
	}
	c.id = r.bytes()
	c.first = int64(r.uvarint())
	c.last = c.first + int64(r.uvarint())
	c.spent = r.varint()
	c.visits = int64(r.uvarint())
	c.n = int(r.uvarint())
	c.ops = r.bytes()
	return r.err == nil
}

// each calls fn with each of c's operations.
func (c *custMonth) each(fn func(custOp)) error {
	r := custMonthReader{data: c.ops}
	at := c.first
	for range c.n {
		at += int64(r.uvarint())
		v := r.varint()
		if r.err != nil {
			return r.err
		}
		fn(custOp{at: at, spent: v >> 1, visit: v&1 == 1})
	}
	return nil
}

// sum adds up c's operations made in [lo, hi); active reports whether there is any.
func (c *custMonth) sum(lo, hi int64) (spent, visits int64, active bool, err error) {
	switch {
	case c.last < lo || c.first >= hi:
		return 0, 0, false, nil
	case c.first >= lo && c.last < hi:
		return c.spent, c.visits, true, nil
	}
	err = c.each(func(o custOp) {
		if o.at >= lo && o.at < hi {
			active = true
			spent += o.spent
			if o.visit {
				visits++
			}
		}
	})
	return spent, visits, active, err
}

// decodeCustMonth reads a whole row, to add operations to it.
func decodeCustMonth(data []byte) (map[string][]custOp, error) {
	m := make(map[string][]custOp)
	r := custMonthReader{data: data}
	var c custMonth
	for r.next(&c) {
		ops := make([]custOp, 0, c.n)
		if err := c.each(func(o custOp) { ops = append(ops, o) }); err != nil {
			return nil, err
		}
		m[string(c.id)] = ops
	}
	return m, r.err
}

// encodeCustMonth writes a row; it sorts each customer's operations by time.
func encodeCustMonth(m map[string][]custOp) []byte {
	var b, ops []byte
	for _, id := range slices.Sorted(maps.Keys(m)) {
		list := m[id]
		if len(list) == 0 {
			continue
		}
		slices.SortStableFunc(list, func(a, b custOp) int { return cmp.Compare(a.at, b.at) })
		var spent, visits int64
		ops = ops[:0]
		prev := list[0].at
		for _, o := range list {
			v := o.spent * 2
			if o.visit {
				v++
				visits++
			}
			spent += o.spent
			ops = binary.AppendUvarint(ops, uint64(o.at-prev))
			ops = binary.AppendVarint(ops, v)
			prev = o.at
		}
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
		b = binary.AppendUvarint(b, uint64(list[0].at))
		b = binary.AppendUvarint(b, uint64(prev-list[0].at))
		b = binary.AppendVarint(b, spent)
		b = binary.AppendUvarint(b, uint64(visits))
		b = binary.AppendUvarint(b, uint64(len(list)))
		b = binary.AppendUvarint(b, uint64(len(ops)))
		b = append(b, ops...)
	}
	return b
}
