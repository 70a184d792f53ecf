package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

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
	rows, err := s.r.QueryContext(ctx, `SELECT time_ns, unit, type, attributes, value, count, sum FROM metric_points
		WHERE name = ? AND time_ns >= ? AND time_ns < ? ORDER BY time_ns`, name, from, w.To.UnixNano())
	if err != nil {
		return out, s.describe("querying a metric", err)
	}
	defer rows.Close()
	type acc struct {
		value, sum float64
		n, count   int64
	}
	steps := map[string]map[int64]*acc{}
	var order []string
	for rows.Next() {
		var t int64
		var attrs string
		var value, sum *float64
		var count *int64
		if err := rows.Scan(&t, &out.Unit, &out.Type, &attrs, &value, &count, &sum); err != nil {
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
