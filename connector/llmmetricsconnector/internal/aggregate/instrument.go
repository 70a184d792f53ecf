package aggregate

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Sample identifies the span an observation came from, for exemplars.
type Sample struct {
	TraceID pcommon.TraceID
	SpanID  pcommon.SpanID
	Time    pcommon.Timestamp
}

type exemplar struct {
	Sample
	value float64
}

// exemplars keeps the first max samples of a flush interval: exemplars point at recent
// traces, so they are cleared on every flush.
type exemplars []exemplar

func (e *exemplars) add(s *Sample, v float64, max int) {
	if s != nil && len(*e) < max {
		*e = append(*e, exemplar{Sample: *s, value: v})
	}
}

func (e exemplars) appendTo(dest pmetric.ExemplarSlice) {
	dest.EnsureCapacity(len(e))
	for _, x := range e {
		ex := dest.AppendEmpty()
		ex.SetTraceID(x.TraceID)
		ex.SetSpanID(x.SpanID)
		ex.SetTimestamp(x.Time)
		ex.SetDoubleValue(x.value)
	}
}

// Sum is a monotonic sum. N counts observations, so that a series with no observation in
// a delta interval is not emitted as a zero.
type Sum struct {
	Value     float64
	N         uint64
	exemplars exemplars
}

// Add records v; s may be nil, and exemplars are kept only while fewer than max.
func (m *Sum) Add(v float64, s *Sample, maxExemplars int) {
	m.Value += v
	m.N++
	m.exemplars.add(s, v, maxExemplars)
}

// AppendTo appends the sum as a data point, integer-valued if asInt.
func (m *Sum) AppendTo(dps pmetric.NumberDataPointSlice, asInt bool, start, ts pcommon.Timestamp) pmetric.NumberDataPoint {
	dp := dps.AppendEmpty()
	dp.SetStartTimestamp(start)
	dp.SetTimestamp(ts)
	if asInt {
		dp.SetIntValue(int64(m.Value))
	} else {
		dp.SetDoubleValue(m.Value)
	}
	m.exemplars.appendTo(dp.Exemplars())
	return dp
}

// Reset starts a new delta interval.
func (m *Sum) Reset() { *m = Sum{exemplars: m.exemplars[:0]} }

// ClearExemplars starts a new exemplar interval and keeps the value (cumulative).
func (m *Sum) ClearExemplars() { m.exemplars = m.exemplars[:0] }

// Histogram is an explicit-bucket histogram. Its bounds are owned by the caller and passed
// to every call, so the zero value is ready and a series stores no pointer to them.
type Histogram struct {
	Counts    []uint64
	Count     uint64
	Total     float64
	Min, Max  float64
	exemplars exemplars
}

// Observe records v into the bucket (bounds[i-1], bounds[i]].
func (h *Histogram) Observe(bounds []float64, v float64, s *Sample, maxExemplars int) {
	if h.Counts == nil {
		h.Counts = make([]uint64, len(bounds)+1)
	}
	// Binary search for the first bound >= v.
	lo, hi := 0, len(bounds)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if v > bounds[mid] {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	h.Counts[lo]++
	if h.Count == 0 || v < h.Min {
		h.Min = v
	}
	if h.Count == 0 || v > h.Max {
		h.Max = v
	}
	h.Count++
	h.Total += v
	h.exemplars.add(s, v, maxExemplars)
}

// AppendTo appends the histogram as a data point.
func (h *Histogram) AppendTo(dps pmetric.HistogramDataPointSlice, bounds []float64, start, ts pcommon.Timestamp) pmetric.HistogramDataPoint {
	dp := dps.AppendEmpty()
	dp.SetStartTimestamp(start)
	dp.SetTimestamp(ts)
	dp.ExplicitBounds().FromRaw(bounds)
	dp.BucketCounts().FromRaw(h.Counts)
	dp.SetCount(h.Count)
	dp.SetSum(h.Total)
	dp.SetMin(h.Min)
	dp.SetMax(h.Max)
	h.exemplars.appendTo(dp.Exemplars())
	return dp
}

// Reset starts a new delta interval.
func (h *Histogram) Reset() {
	clear(h.Counts)
	*h = Histogram{Counts: h.Counts, exemplars: h.exemplars[:0]}
}

// ClearExemplars starts a new exemplar interval and keeps the counts (cumulative).
func (h *Histogram) ClearExemplars() { h.exemplars = h.exemplars[:0] }
