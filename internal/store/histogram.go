package store

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"math/bits"

	"modernc.org/sqlite"
)

// Latency histograms of the call rollups. Buckets are log-linear over microseconds: values
// below 2^subBits are exact, above that every power of two is split into 2^subBits equal
// buckets. A bucket is at most 1/16 of its lower bound wide, so a percentile reported as
// its bucket's midpoint is within 1/32 (3.125%) of the exact nearest-rank value, at any
// scale from microseconds to hours. The bucket layout is part of the schema: changing it
// needs a migration that rebuilds the rollups.
const (
	subBits    = 4
	subBuckets = 1 << subBits
	// histBuckets covers every non-negative int64 of nanoseconds (2^53 µs).
	histBuckets = subBuckets + (53-subBits+1)*subBuckets
)

// bucketOf is the bucket index of a duration in nanoseconds.
func bucketOf(ns int64) int {
	us := uint64(max(ns, 0)) / 1000
	if us < subBuckets {
		return int(us)
	}
	e := bits.Len64(us) - 1 // us in [2^e, 2^(e+1)), e >= subBits
	sub := int(us>>(e-subBits)) & (subBuckets - 1)
	return subBuckets + (e-subBits)*subBuckets + sub
}

// bucketMidNs is the middle of bucket i in nanoseconds: what a percentile in it reports.
func bucketMidNs(i int) float64 {
	if i < subBuckets {
		return float64(i) * 1000
	}
	e := (i-subBuckets)/subBuckets + subBits
	sub := (i - subBuckets) % subBuckets
	width := uint64(1) << (e - subBits)
	lo := (uint64(subBuckets) + uint64(sub)) * width
	return (float64(lo) + float64(width)/2) * 1000
}

// histogram counts durations per bucket; nil until the first value.
type histogram struct {
	counts []int64
	n      int64
}

func (h *histogram) add(ns int64) {
	if h.counts == nil {
		h.counts = make([]int64, histBuckets)
	}
	h.counts[bucketOf(ns)]++
	h.n++
}

// merge adds an encoded histogram.
func (h *histogram) merge(enc []byte) error {
	if len(enc) == 0 {
		return nil
	}
	if h.counts == nil {
		h.counts = make([]int64, histBuckets)
	}
	return decodeHistogram(enc, func(i int, c int64) {
		h.counts[i] += c
		h.n += c
	})
}

// quantileMs is the midpoint of the bucket holding the nearest-rank q quantile, in ms.
func (h *histogram) quantileMs(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := max(int64(q*float64(h.n)+0.999999), 1)
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return bucketMidNs(i) / 1e6
		}
	}
	return 0
}

// appendEncoded writes the histogram sparsely: (gap to the previous non-empty bucket,
// count) as unsigned varints. A rollup row of a few calls takes a few bytes.
func (h *histogram) appendEncoded(b []byte) []byte {
	prev := -1
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		b = appendBucket(b, i-prev, c)
		prev = i
	}
	return b
}

func appendBucket(b []byte, gap int, count int64) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, uint64(gap)), uint64(count))
}

// mergeEncoded adds two encoded histograms without expanding them: rollup upserts merge a
// batch's few buckets into a row's few buckets.
func mergeEncoded(a, b []byte) ([]byte, error) {
	out := make([]byte, 0, len(a)+len(b))
	ra, rb := histReader{b: a}, histReader{b: b}
	ia, ca, okA := ra.next()
	ib, cb, okB := rb.next()
	prev := -1
	emit := func(i int, c int64) {
		out = appendBucket(out, i-prev, c)
		prev = i
	}
	for okA || okB {
		switch {
		case okA && (!okB || ia < ib):
			emit(ia, ca)
			ia, ca, okA = ra.next()
		case okB && (!okA || ib < ia):
			emit(ib, cb)
			ib, cb, okB = rb.next()
		default:
			emit(ia, ca+cb)
			ia, ca, okA = ra.next()
			ib, cb, okB = rb.next()
		}
	}
	if ra.err != nil || rb.err != nil {
		return nil, errBadHistogram
	}
	return out, nil
}

// histReader iterates over the buckets of an encoded histogram.
type histReader struct {
	b   []byte
	pos int // one past the last bucket read
	err error
}

func (r *histReader) next() (int, int64, bool) {
	if len(r.b) == 0 || r.err != nil {
		return 0, 0, false
	}
	gap, n := binary.Uvarint(r.b)
	if n <= 0 || gap == 0 || gap > histBuckets || r.pos-1+int(gap) >= histBuckets {
		r.err = errBadHistogram
		return 0, 0, false
	}
	r.b = r.b[n:]
	c, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errBadHistogram
		return 0, 0, false
	}
	r.b = r.b[n:]
	i := r.pos - 1 + int(gap)
	r.pos = i + 1
	return i, int64(c), true
}

var errBadHistogram = errors.New("malformed latency histogram")

func decodeHistogram(b []byte, f func(bucket int, count int64)) error {
	r := histReader{b: b}
	for i, c, ok := r.next(); ok; i, c, ok = r.next() {
		f(i, c)
	}
	return r.err
}

// SQL functions over encoded histograms, so that a rollup upsert merges in one statement
// and the overview sums rows in SQLite:
//
//	llmstore_hist_merge(a, b)   the sum of two histograms (either may be NULL)
//	llmstore_hist_sum(h)        aggregate: the sum of a column of histograms
func init() {
	sqlite.MustRegisterFunction("llmstore_hist_merge", &sqlite.FunctionImpl{
		NArgs: 2, Deterministic: true, VolatileArgs: true,
		Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return mergeEncoded(blob(args[0]), blob(args[1]))
		},
	})
	sqlite.MustRegisterFunction("llmstore_hist_sum", &sqlite.FunctionImpl{
		NArgs: 1, Deterministic: true, VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &histSum{}, nil },
	})
}

func blob(v driver.Value) []byte {
	b, _ := v.([]byte)
	return b
}

// histSum is one evaluation of llmstore_hist_sum.
type histSum struct{ h histogram }

func (a *histSum) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	return a.h.merge(blob(args[0]))
}

func (a *histSum) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errors.New("llmstore_hist_sum is not a window function")
}

func (a *histSum) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return a.h.appendEncoded([]byte{}), nil
}

func (a *histSum) Final(*sqlite.FunctionContext) {}
