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
//	uvarint len(id), id, uvarint number of operations,
//	then per operation, in time order: uvarint ms since the previous one (since the
//	Unix epoch for the first), varint spent*2 + visit
//
// where spent is the amount of a purchase, minus that of a refund, 0 otherwise.

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

// custMonthReader reads the data of a customer_months row, one customer at a time.
type custMonthReader struct {
	data []byte
	err  error
}

func (r *custMonthReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.err, r.data = errBadCustomerMonth, nil
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *custMonthReader) varint() int64 {
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.err, r.data = errBadCustomerMonth, nil
		return 0
	}
	r.data = r.data[n:]
	return v
}

// next reads the next customer: its id (valid until the data changes) and calls op for
// each of its operations. It returns false at the end of the data or on an error.
func (r *custMonthReader) next(op func(custOp)) (id []byte, ok bool) {
	if len(r.data) == 0 || r.err != nil {
		return nil, false
	}
	l := r.uvarint()
	if l > uint64(len(r.data)) {
		r.err, r.data = errBadCustomerMonth, nil
		return nil, false
	}
	id, r.data = r.data[:l], r.data[l:]
	var at int64
	for n := r.uvarint(); n > 0 && r.err == nil; n-- {
		at += int64(r.uvarint())
		v := r.varint()
		op(custOp{at: at, spent: v >> 1, visit: v&1 == 1})
	}
	return id, r.err == nil
}

// decodeCustMonth reads a whole row, to add operations to it.
func decodeCustMonth(data []byte) (map[string][]custOp, error) {
	m := make(map[string][]custOp)
	r := custMonthReader{data: data}
	var ops []custOp
	for {
		id, ok := r.next(func(o custOp) { ops = append(ops, o) })
		if !ok {
			break
		}
		m[string(id)], ops = ops, nil
	}
	return m, r.err
}

// encodeCustMonth writes a row; it sorts each customer's operations by time.
func encodeCustMonth(m map[string][]custOp) []byte {
	var b []byte
	for _, id := range slices.Sorted(maps.Keys(m)) {
		ops := m[id]
		slices.SortStableFunc(ops, func(a, b custOp) int { return cmp.Compare(a.at, b.at) })
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
		b = binary.AppendUvarint(b, uint64(len(ops)))
		var prev int64
		for _, o := range ops {
			v := o.spent * 2
			if o.visit {
				v++
			}
			b = binary.AppendUvarint(b, uint64(o.at-prev))
			b = binary.AppendVarint(b, v)
			prev = o.at
		}
	}
	return b
}
