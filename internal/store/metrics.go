package store

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// The buckets column of a histogram point: upper bounds and counts (one more count than
// bounds: the last bucket has no upper bound).
type explicitBuckets struct {
	Bounds []float64 `json:"bounds"`
	Counts []uint64  `json:"counts"`
}

func explicitBucketsOf(dp pmetric.HistogramDataPoint) explicitBuckets {
	return explicitBuckets{Bounds: dp.ExplicitBounds().AsRaw(), Counts: dp.BucketCounts().AsRaw()}
}

// The buckets column of an exponential histogram point, as in OTLP.
type exponentialBuckets struct {
	Scale     int32              `json:"scale"`
	ZeroCount uint64             `json:"zero_count"`
	Positive  exponentialIndexed `json:"positive"`
	Negative  exponentialIndexed `json:"negative"`
}

type exponentialIndexed struct {
	Offset int32    `json:"offset"`
	Counts []uint64 `json:"counts"`
}

func exponentialBucketsOf(dp pmetric.ExponentialHistogramDataPoint) exponentialBuckets {
	return exponentialBuckets{Scale: dp.Scale(), ZeroCount: dp.ZeroCount(),
		Positive: exponentialIndexed{Offset: dp.Positive().Offset(), Counts: dp.Positive().BucketCounts().AsRaw()},
		Negative: exponentialIndexed{Offset: dp.Negative().Offset(), Counts: dp.Negative().BucketCounts().AsRaw()}}
}

// The buckets column of a summary point: its quantiles.
type summaryQuantiles struct {
	Quantiles []quantileValue `json:"quantiles"`
}

type quantileValue struct {
	Quantile float64 `json:"quantile"`
	Value    float64 `json:"value"`
}

func quantilesOf(dp pmetric.SummaryDataPoint) summaryQuantiles {
	out := summaryQuantiles{Quantiles: []quantileValue{}}
	for _, q := range dp.QuantileValues().All() {
		out.Quantiles = append(out.Quantiles, quantileValue{Quantile: q.Quantile(), Value: q.Value()})
	}
	return out
}

// Quantiles are estimated percentiles of a histogram or summary step.
type Quantiles struct {
	P50 *float64 `json:"p50,omitempty"`
	P95 *float64 `json:"p95,omitempty"`
	P99 *float64 `json:"p99,omitempty"`
}

// histogramQuantile estimates quantile q of explicit buckets by linear interpolation in
// the bucket that holds it (as Prometheus does); a quantile in the unbounded last bucket
// is reported as the last bound.
func histogramQuantile(b explicitBuckets, q float64) float64 {
	var total uint64
	for _, c := range b.Counts {
		total += c
	}
	if total == 0 || len(b.Counts) != len(b.Bounds)+1 {
		return math.NaN()
	}
	rank := q * float64(total)
	var seen float64
	for i, c := range b.Counts {
		if seen+float64(c) >= rank && c > 0 {
			if i == len(b.Bounds) {
				return b.Bounds[len(b.Bounds)-1]
			}
			lo := 0.0
			if i > 0 {
				lo = b.Bounds[i-1]
			} else if b.Bounds[0] < 0 {
				return b.Bounds[0]
			}
			return lo + (b.Bounds[i]-lo)*(rank-seen)/float64(c)
		}
		seen += float64(c)
	}
	return b.Bounds[len(b.Bounds)-1]
}

// MetricInfo describes one stored metric.
type MetricInfo struct {
	Name   string `json:"name"`
	Unit   string `json:"unit"`
	Type   string `json:"type"`
	Points int64  `json:"points"`
}

// Metrics lists the metrics with points in the window.
func (s *Store) Metrics(ctx context.Context, w Window) ([]MetricInfo, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, max(unit), max(type), count(*) FROM metric_points
		WHERE time_ns >= ? AND time_ns < ? GROUP BY name ORDER BY name`, w.From.UnixNano(), w.To.UnixNano())
	if err != nil {
		return nil, s.describe("listing metrics", err)
	}
	defer rows.Close()
	out := []MetricInfo{}
	for rows.Next() {
		var m MetricInfo
		if err := rows.Scan(&m.Name, &m.Unit, &m.Type, &m.Points); err != nil {
			return nil, s.describe("reading metrics", err)
		}
		out = append(out, m)
	}
	return out, s.rowsErr("reading metrics", rows)
}

// Point is one step of a series. For gauges it is the mean of the step's points; for
// delta sums their sum; for cumulative sums the last value; for histograms and summaries
// Value is the mean observation (sum/count) and Count the number of observations (summed
// for delta, last for cumulative).
type Point struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
	Count *int64    `json:"count,omitempty"`
	// Quantiles of a histogram step (from its buckets, merged over the step: summed for
	// delta, the last for cumulative points) or of a summary (its last point's).
	Quantiles *Quantiles `json:"quantiles,omitempty"`
}

// Series is the points of one attribute set.
type Series struct {
	Attributes json.RawMessage `json:"attributes"`
	Points     []Point         `json:"points"`
}

// MetricSeries is a metric's time series in a window, one per attribute set.
type MetricSeries struct {
	MetricInfo
	StepSeconds int64    `json:"step_seconds"`
	Series      []Series `json:"series"`
}

// seriesLimit bounds the series returned for one metric.
const seriesLimit = 50

// MetricSeries returns the named metric's points in w, aggregated per step.
func (s *Store) MetricSeries(ctx context.Context, name string, w Window, step time.Duration) (MetricSeries, error) {
	if step <= 0 {
		step = w.To.Sub(w.From) / 60
	}
	step = max(step, time.Second)
	out := MetricSeries{MetricInfo: MetricInfo{Name: name}, StepSeconds: int64(step / time.Second), Series: []Series{}}
	from := w.From.UnixNano()
	rows, err := s.r.QueryContext(ctx, `SELECT time_ns, unit, type, attributes, value, count, sum, buckets FROM metric_points
		WHERE name = ? AND time_ns >= ? AND time_ns < ? ORDER BY time_ns`, name, from, w.To.UnixNano())
	if err != nil {
		return out, s.describe("querying a metric", err)
	}
	defer rows.Close()
	type acc struct {
		value, sum float64
		n, count   int64
		// explicit holds the step's merged histogram buckets; nil when points with other
		// bounds met in the step (no quantiles then), or for other types.
		explicit  *explicitBuckets
		quantiles *summaryQuantiles
		mixed     bool
	}
	steps := map[string]map[int64]*acc{}
	var order []string
	for rows.Next() {
		var t int64
		var attrs string
		var value, sum *float64
		var count *int64
		var buckets *string
		if err := rows.Scan(&t, &out.Unit, &out.Type, &attrs, &value, &count, &sum, &buckets); err != nil {
			return out, s.describe("reading a metric", err)
		}
		out.Points++
		bySeries := steps[attrs]
		if bySeries == nil {
			if len(steps) == seriesLimit {
				continue
			}
			bySeries = map[int64]*acc{}
			steps[attrs] = bySeries
			order = append(order, attrs)
		}
		b := (t - from) / int64(step)
		a := bySeries[b]
		if a == nil {
			a = &acc{}
			bySeries[b] = a
		}
		cumulative := strings.HasSuffix(out.Type, "_cumulative")
		switch {
		case value != nil && cumulative:
			a.value = *value
		case value != nil:
			a.value += *value
		case count != nil && cumulative:
			a.count, a.sum = *count, deref(sum)
		case count != nil:
			a.count += *count
			a.sum += deref(sum)
		}
		a.n++
		if buckets == nil {
			continue
		}
		switch {
		case strings.HasPrefix(out.Type, "histogram_"):
			var eb explicitBuckets
			if json.Unmarshal([]byte(*buckets), &eb) != nil || len(eb.Counts) != len(eb.Bounds)+1 {
				a.mixed = true
				continue
			}
			switch {
			case a.explicit == nil || cumulative:
				a.explicit = &eb
			case slices.Equal(a.explicit.Bounds, eb.Bounds):
				for i, c := range eb.Counts {
					a.explicit.Counts[i] += c
				}
			default:
				a.mixed = true
			}
		case out.Type == "summary":
			var sq summaryQuantiles
			if json.Unmarshal([]byte(*buckets), &sq) == nil {
				a.quantiles = &sq
			}
		}
	}
	if err := s.rowsErr("reading a metric", rows); err != nil {
		return out, err
	}
	for _, attrs := range order {
		ser := Series{Attributes: json.RawMessage(attrs)}
		for b := int64(0); b*int64(step) < w.To.UnixNano()-from; b++ {
			a := steps[attrs][b]
			if a == nil {
				continue
			}
			p := Point{Time: time.Unix(0, from+b*int64(step)).UTC()}
			switch {
			case a.count > 0 || out.Type == "summary" || strings.HasPrefix(out.Type, "histogram") || strings.HasPrefix(out.Type, "exponential"):
				c := a.count
				p.Count = &c
				if c > 0 {
					p.Value = a.sum / float64(c)
				}
				p.Quantiles = stepQuantiles(a.explicit, a.mixed, a.quantiles)
			case out.Type == "gauge":
				p.Value = a.value / float64(a.n)
			default:
				p.Value = a.value
			}
			ser.Points = append(ser.Points, p)
		}
		out.Series = append(out.Series, ser)
	}
	return out, nil
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// stepQuantiles reads p50/p95/p99 from a step's merged histogram buckets or its summary.
func stepQuantiles(eb *explicitBuckets, mixed bool, sq *summaryQuantiles) *Quantiles {
	var q Quantiles
	at := map[float64]**float64{0.5: &q.P50, 0.95: &q.P95, 0.99: &q.P99}
	switch {
	case eb != nil && !mixed:
		for quantile, dst := range at {
			if v := histogramQuantile(*eb, quantile); !math.IsNaN(v) {
				*dst = &v
			}
		}
	case sq != nil:
		for _, v := range sq.Quantiles {
			if dst, ok := at[v.Quantile]; ok {
				*dst = &v.Value
			}
		}
	}
	if q == (Quantiles{}) {
		return nil
	}
	return &q
}
