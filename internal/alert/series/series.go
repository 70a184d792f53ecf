// Package series keeps a sliding window of metric points per series, built from pdata, and
// answers the window questions alert expressions ask: last value, over-time aggregates,
// counter increase with reset handling (cumulative and delta), histogram bucket increase.
package series

import (
	"math"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// Kind is what a metric's points mean; it decides which functions apply.
type Kind uint8

const (
	// Gauge is an instantaneous value (OTel Gauge, or a non-monotonic Sum).
	Gauge Kind = iota + 1
	// Counter is a monotonic Sum.
	Counter
	// Histogram is an explicit-bucket histogram.
	Histogram
)

func (k Kind) String() string {
	switch k {
	case Gauge:
		return "gauge"
	case Counter:
		return "counter"
	case Histogram:
		return "histogram"
	}
	return "unknown"
}

// Temporality of counters and histograms.
type Temporality uint8

const (
	Cumulative Temporality = iota + 1
	Delta
)

func (t Temporality) String() string {
	if t == Delta {
		return "delta"
	}
	return "cumulative"
}

// Sample is one point. Times are Unix nanoseconds; Start is the OTel start time (0 if unset).
// A histogram point keeps its count in V and NewLayout tells that its bounds differ from
// the previous point's, so that window scans find resets without touching the buckets.
type Sample struct {
	T, Start int64
	V        float64
	// Adj is the reset-adjusted running total of a cumulative counter: the increase between
	// two points is the difference of their Adj, whatever resets lie between them.
	Adj       float64
	H         *Hist
	NewLayout bool
}

// isReset reports whether p starts a new count after prev: a decrease, or a new start time.
func isReset(prev, p *Sample) bool {
	return p.V < prev.V || (p.Start != 0 && prev.Start != 0 && p.Start != prev.Start)
}

// Hist is one explicit-bucket histogram point: Counts[i] observations fell in
// (Bounds[i-1], Bounds[i]], the last one in (Bounds[len-1], +Inf).
type Hist struct {
	Bounds []float64
	Counts []float64
	Count  float64
	Sum    float64
}

// Series is the window of one label set of one metric.
type Series struct {
	Labels      labels.Labels
	Kind        Kind
	Temporality Temporality
	samples     []Sample
	gone        bool // deleted; still listed until the metric is reindexed
}

// append adds a point newer than the last one, deriving what window scans need: the
// reset-adjusted total and, for histograms, the layout change flag (bounds equal to the
// previous point's are shared, one copy per series).
func (s *Series) append(smp Sample) {
	smp.Adj = smp.V
	if n := len(s.samples); n > 0 {
		prev := &s.samples[n-1]
		if isReset(prev, &smp) {
			smp.Adj = prev.Adj + smp.V
		} else {
			smp.Adj = prev.Adj + smp.V - prev.V
		}
		if smp.H != nil {
			if prev.H != nil && SameBounds(prev.H.Bounds, smp.H.Bounds) {
				smp.H.Bounds = prev.H.Bounds
			} else {
				smp.NewLayout = true
			}
		}
	}
	s.samples = append(s.samples, smp)
}

// Samples returns the samples with from < T <= to, oldest first.
func (s *Series) Samples(from, to int64) []Sample {
	n := len(s.samples)
	hi := n
	if n > 0 && s.samples[n-1].T > to { // evaluation usually looks at the newest points
		hi = firstAfter(s.samples[:n], to)
	}
	lo := firstAfter(s.samples[:hi], from)
	return s.samples[lo:hi]
}

// firstAfter is the index of the first sample with T > t (a hand-inlined sort.Search: it
// runs for every series of every selector).
func firstAfter(ss []Sample, t int64) int {
	lo, hi := 0, len(ss)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ss[m].T > t {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// Len is the number of retained samples.
func (s *Series) Len() int { return len(s.samples) }

// Last returns the newest sample with at-lookback < T <= at (the PromQL instant selector).
func (s *Series) Last(at, lookback int64) (Sample, bool) {
	w := s.Samples(at-lookback, at)
	if len(w) == 0 {
		return Sample{}, false
	}
	return w[len(w)-1], true
}

// Increase is how much a counter grew over (from, to].
//
// Delta points are summed when their interval ends in the window (Prometheus advises
// sum_over_time for deltas; rate extrapolation would be wrong). Cumulative points follow
// Prometheus' extrapolated increase: every decrease, and every change of start time, is a
// reset after which the new value counts from zero; at least two points are needed.
func (s *Series) Increase(from, to int64) (float64, bool) {
	w := s.Samples(from, to)
	if s.Temporality == Delta {
		if len(w) == 0 {
			return 0, false
		}
		var sum float64
		for _, p := range w {
			sum += p.V
		}
		return sum, true
	}
	if len(w) < 2 {
		return 0, false
	}
	first, last := &w[0], &w[len(w)-1]
	return extrapolate(last.Adj-first.Adj, first.T, last.T, first.V, len(w), from, to), true
}

// extrapolate widens an increase seen between the first and last sample to the whole
// window, as PromQL's extrapolatedRate does for counters: by half a sample interval at most
// beyond the data, and never below a zero-valued counter start.
func extrapolate(delta float64, firstT, lastT int64, firstV float64, n int, from, to int64) float64 {
	sampled := float64(lastT - firstT)
	if sampled <= 0 {
		return delta
	}
	toStart := float64(firstT - from)
	toEnd := float64(to - lastT)
	avg := sampled / float64(n-1)
	threshold := avg * 1.1
	if toStart >= threshold {
		toStart = avg / 2
	}
	if delta > 0 && firstV >= 0 {
		if toZero := sampled * (firstV / delta); toZero < toStart {
			toStart = toZero
		}
	}
	if toEnd >= threshold {
		toEnd = avg / 2
	}
	return delta * (sampled + toStart + toEnd) / sampled
}

// HistIncrease is the bucket-wise growth of a histogram over (from, to], same reset rules
// as Increase. Points whose bounds differ from the newest point's are a layout change and
// count as a reset.
func (s *Series) HistIncrease(from, to int64) (*Hist, bool) {
	w := s.Samples(from, to)
	if len(w) == 0 {
		return nil, false
	}
	last := w[len(w)-1].H
	out := &Hist{Bounds: last.Bounds, Counts: make([]float64, len(last.Counts))}
	add := func(h *Hist, sign float64) {
		for i, c := range h.Counts {
			out.Counts[i] += sign * c
		}
		out.Count += sign * h.Count
		out.Sum += sign * h.Sum
	}
	if s.Temporality == Delta {
		for _, p := range w {
			if SameBounds(p.H.Bounds, last.Bounds) {
				add(p.H, 1)
			}
		}
		return out, true
	}
	if len(w) < 2 {
		return nil, false
	}
	// Between resets a cumulative histogram grows by last − first of the segment; after a
	// reset the new segment counts from zero.
	segStart := w[0].H
	for i := 1; i < len(w); i++ {
		prev, p := &w[i-1], &w[i]
		if !p.NewLayout && !isReset(prev, p) {
			continue
		}
		if SameBounds(prev.H.Bounds, last.Bounds) {
			add(prev.H, 1)
			add(segStart, -1)
		}
		segStart = &Hist{Bounds: p.H.Bounds, Counts: make([]float64, len(p.H.Counts))} // implicit zero
	}
	add(last, 1)
	add(segStart, -1)
	factor := extrapolate(1, w[0].T, w[len(w)-1].T, 0, len(w), from, to)
	for i := range out.Counts {
		out.Counts[i] *= factor
	}
	out.Count *= factor
	out.Sum *= factor
	return out, true
}

// SameBounds reports whether two histogram layouts are equal.
func SameBounds(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] { // interned at ingestion
		return true
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Quantile estimates the q-quantile with PromQL's histogram_quantile rules: linear
// interpolation inside a bucket, the lowest bucket starting at 0 (when its upper bound is
// positive), the +Inf bucket answered with the highest finite bound, NaN without
// observations or without a finite bucket.
func (h *Hist) Quantile(q float64) float64 {
	switch {
	case math.IsNaN(q):
		return math.NaN()
	case q < 0:
		return math.Inf(-1)
	case q > 1:
		return math.Inf(1)
	}
	if len(h.Bounds) == 0 {
		return math.NaN()
	}
	var total float64
	for _, c := range h.Counts {
		total += c
	}
	if total <= 0 {
		return math.NaN()
	}
	rank := q * total
	var cum float64
	for i, c := range h.Counts {
		if cum+c < rank {
			cum += c
			continue
		}
		if i == len(h.Bounds) { // +Inf bucket
			return h.Bounds[len(h.Bounds)-1]
		}
		upper := h.Bounds[i]
		var lower float64
		switch {
		case i > 0:
			lower = h.Bounds[i-1]
		case upper <= 0:
			return upper
		}
		if c == 0 {
			return upper
		}
		return lower + (upper-lower)*(rank-cum)/c
	}
	return h.Bounds[len(h.Bounds)-1]
}
