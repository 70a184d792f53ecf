package series

import (
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

var t0 = time.Date(2026, 8, 27, 10, 0, 0, 0, time.UTC)

func at(sec float64) int64 { return t0.Add(time.Duration(sec * float64(time.Second))).UnixNano() }

func counterSeries(temp Temporality, pts ...[3]float64) *Series {
	s := &Series{Kind: Counter, Temporality: temp}
	for _, p := range pts { // {t, v, start}
		start := int64(0)
		if p[2] != 0 {
			start = at(p[2])
		}
		s.append(Sample{T: at(p[0]), V: p[1], Start: start})
	}
	return s
}

func TestIncrease(t *testing.T) {
	tests := []struct {
		name   string
		s      *Series
		from   float64
		to     float64
		want   float64
		wantOK bool
	}{
		{"from zero: no extrapolation below zero", counterSeries(Cumulative, [3]float64{10, 0}, [3]float64{20, 10}, [3]float64{30, 20}, [3]float64{40, 30}, [3]float64{50, 40}, [3]float64{60, 50}), 0, 60, 50, true},
		{"extrapolated to window start", counterSeries(Cumulative, [3]float64{10, 100}, [3]float64{20, 110}, [3]float64{30, 120}, [3]float64{40, 130}, [3]float64{50, 140}, [3]float64{60, 150}), 0, 60, 60, true},
		{"counter reset by decrease", counterSeries(Cumulative, [3]float64{15, 100}, [3]float64{30, 110}, [3]float64{45, 5}, [3]float64{60, 15}), 0, 60, 25.0 * 60 / 45, true},
		{"counter reset by new start time", counterSeries(Cumulative, [3]float64{15, 100, 1}, [3]float64{30, 110, 1}, [3]float64{45, 120, 40}, [3]float64{60, 130, 40}), 0, 60, 140.0 * 60 / 45, true},
		{"one point is not enough", counterSeries(Cumulative, [3]float64{30, 5}), 0, 60, 0, false},
		{"deltas are summed, not extrapolated", counterSeries(Delta, [3]float64{10, 1}, [3]float64{30, 2}, [3]float64{50, 3}, [3]float64{70, 100}), 0, 60, 6, true},
		{"delta outside window", counterSeries(Delta, [3]float64{-10, 1}), 0, 60, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.s.Increase(at(tt.from), at(tt.to))
			if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("Increase = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	h := &Hist{Bounds: []float64{1, 2, 5}, Counts: []float64{10, 10, 10, 10}}
	tests := []struct {
		q, want float64
	}{
		{0.1, 0.4}, // lowest bucket starts at 0
		{0.5, 2},   // upper edge of bucket (1,2]
		{0.6, 3.2}, // linear in (2,5]: 2 + 3*(24-20)/10
		{0.99, 5},  // +Inf bucket → highest finite bound
		{1.5, math.Inf(1)},
		{-1, math.Inf(-1)},
	}
	for _, tt := range tests {
		if got := h.Quantile(tt.q); math.Abs(got-tt.want) > 1e-9 && got != tt.want {
			t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := (&Hist{Bounds: []float64{1}, Counts: []float64{0, 0}}).Quantile(0.5); !math.IsNaN(got) {
		t.Errorf("no observations: got %v, want NaN", got)
	}
	if got := (&Hist{Counts: []float64{3}}).Quantile(0.5); !math.IsNaN(got) {
		t.Errorf("only +Inf bucket: got %v, want NaN", got)
	}
	if got := (&Hist{Bounds: []float64{-1, 1}, Counts: []float64{4, 0, 0}}).Quantile(0.5); got != -1 {
		t.Errorf("non-positive first bound: got %v, want -1", got)
	}
}

func histPoints(temp Temporality, pts ...[]float64) *Series {
	s := &Series{Kind: Histogram, Temporality: temp}
	for _, p := range pts { // {t, counts...}
		h := &Hist{Bounds: []float64{1, 2}, Counts: append([]float64(nil), p[1:]...)}
		for _, c := range h.Counts {
			h.Count += c
		}
		s.append(Sample{T: at(p[0]), V: h.Count, H: h})
	}
	return s
}

func TestHistIncrease(t *testing.T) {
	cum := histPoints(Cumulative, []float64{0, 1, 1, 0}, []float64{30, 3, 2, 1}, []float64{60, 5, 3, 2})
	h, ok := cum.HistIncrease(at(-0.001), at(60))
	if !ok || h.Counts[0] != 4 || h.Counts[1] != 2 || h.Counts[2] != 2 {
		t.Fatalf("cumulative increase = %+v, %v", h, ok)
	}
	reset := histPoints(Cumulative, []float64{0, 5, 5, 5}, []float64{30, 1, 0, 0}, []float64{60, 2, 1, 0})
	h, _ = reset.HistIncrease(at(-0.001), at(60))
	if h.Counts[0] != 2 || h.Counts[1] != 1 || h.Count != 3 {
		t.Fatalf("increase across reset = %+v", h)
	}
	delta := histPoints(Delta, []float64{10, 1, 0, 0}, []float64{20, 0, 2, 1})
	h, _ = delta.HistIncrease(at(0), at(60))
	if h.Counts[0] != 1 || h.Counts[1] != 2 || h.Counts[2] != 1 {
		t.Fatalf("delta sum = %+v", h)
	}
}

func TestIngest(t *testing.T) {
	now := t0
	st := NewStore(time.Hour, time.Minute, func() time.Time { return now })
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "chat")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()

	sum := ms.AppendEmpty()
	sum.SetName("requests")
	s := sum.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	add := func(ts time.Time, v float64, model string) pmetric.NumberDataPoint {
		dp := s.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr("model", model)
		return dp
	}
	add(now.Add(-time.Minute), 1, "a")
	add(now, 2, "a")
	add(now.Add(-30*time.Second), 3, "a") // out of order
	add(now.Add(10*time.Minute), 3, "a")  // clock skew
	add(now.Add(-2*time.Hour), 3, "b")    // older than retention
	add(now, math.NaN(), "c")             // non-finite
	add(now, 1, "d").SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))

	g := ms.AppendEmpty()
	g.SetName("requests") // same name, other kind
	dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(now))
	dp.SetIntValue(5)

	st.Ingest(md)
	stats := st.Stats()
	want := Stats{Points: 2, OutOfOrder: 1, FutureSkew: 1, TooOld: 1, NonFinite: 1, NoRecorded: 1, KindMismatch: 1, ActiveSeries: 1}
	if stats != want {
		t.Fatalf("stats = %+v\nwant    %+v", stats, want)
	}
	st.View(func(v View) {
		m := v.Metric("requests")
		if m == nil || m.Kind != Counter || len(m.Series) != 1 {
			t.Fatalf("metric = %+v", m)
		}
		for _, ser := range m.Series {
			if ser.Labels.Get("service.name") != "chat" || ser.Labels.Get("model") != "a" {
				t.Fatalf("labels = %s", ser.Labels)
			}
		}
	})
	now = now.Add(2 * time.Hour)
	st.Compact()
	if st.Stats().ActiveSeries != 0 {
		t.Fatal("Compact kept a series with no point in the retention window")
	}
}

func TestStaleMarkerRemovesSeriesFromSelection(t *testing.T) {
	now := t0
	st := NewStore(time.Hour, time.Minute, func() time.Time { return now })
	point := func(ts time.Time, stale bool) {
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("g")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(1)
		dp.Attributes().PutStr("model", "a")
		if stale {
			dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
		}
		st.Ingest(md)
	}
	count := func() int {
		n := 0
		st.View(func(v View) {
			if m := v.Metric("g"); m != nil {
				ms, _ := labels.ParseMatchers([]string{`model="a"`})
				m.Select(ms, func(*Series) { n++ })
				m.Select(nil, func(*Series) { n++ })
			}
		})
		return n
	}
	point(now.Add(-2*time.Second), false)
	if count() != 2 {
		t.Fatal("series not selected")
	}
	point(now.Add(-time.Second), true)
	if count() != 0 {
		t.Fatal("a series marked stale is still selected")
	}
	point(now, false)
	st.Compact()
	if got := count(); got != 2 {
		t.Fatalf("the series came back once, selected %d times (want 1 per selector)", got)
	}
}
