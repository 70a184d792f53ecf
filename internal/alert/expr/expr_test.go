package expr

import (
	"math"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
)

var t0 = time.Date(2026, 8, 27, 10, 0, 0, 0, time.UTC)

// fixture: per model, a request counter, an error counter, a latency histogram and a
// quality gauge, sampled every 15 s for 10 minutes.
func fixture(t *testing.T) *series.Store {
	t.Helper()
	st := series.NewStore(time.Hour, time.Minute, func() time.Time { return t0.Add(10 * time.Minute) })
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	newSum := func(name string) pmetric.Sum {
		m := ms.AppendEmpty()
		m.SetName(name)
		s := m.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		return s
	}
	reqs, errs := newSum("otelcol_llm.requests"), newSum("otelcol_llm.errors")
	hm := ms.AppendEmpty()
	hm.SetName("gen_ai.client.operation.duration")
	hist := hm.SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	gm := ms.AppendEmpty()
	gm.SetName("quality")
	gauge := gm.SetEmptyGauge()
	for i := 0; i <= 40; i++ {
		ts := pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * 15 * time.Second))
		for _, model := range []string{"gpt", "claude"} {
			rate, errRate := 10.0, 0.01
			if model == "claude" {
				errRate = 0.2
			}
			dp := reqs.DataPoints().AppendEmpty()
			dp.SetTimestamp(ts)
			dp.SetDoubleValue(rate * 15 * float64(i))
			dp.Attributes().PutStr("gen_ai.request.model", model)
			dp = errs.DataPoints().AppendEmpty()
			dp.SetTimestamp(ts)
			dp.SetDoubleValue(rate * errRate * 15 * float64(i))
			dp.Attributes().PutStr("gen_ai.request.model", model)
			h := hist.DataPoints().AppendEmpty()
			h.SetTimestamp(ts)
			h.Attributes().PutStr("gen_ai.request.model", model)
			h.ExplicitBounds().FromRaw([]float64{1, 2, 5, 10})
			if model == "gpt" {
				h.BucketCounts().FromRaw([]uint64{50, 40, 9, 1, 0})
			} else {
				h.BucketCounts().FromRaw([]uint64{0, 10, 20, 60, 10})
			}
			h.SetCount(100)
			q := gauge.DataPoints().AppendEmpty()
			q.SetTimestamp(ts)
			q.SetDoubleValue(0.9 - 0.001*float64(i))
			q.Attributes().PutStr("gen_ai.request.model", model)
		}
	}
	st.Ingest(md)
	return st
}

func eval(t *testing.T, st *series.Store, e string) (map[string]float64, error) {
	t.Helper()
	n, err := Parse(e)
	if err != nil {
		t.Fatalf("Parse(%q): %v", e, err)
	}
	out := map[string]float64{}
	var evalErr error
	st.View(func(v series.View) {
		var w Warnings
		val, err := Eval(NewEnv(v, t0.Add(10*time.Minute), 5*time.Minute), n, &w)
		if err != nil {
			evalErr = err
			return
		}
		if val.IsScalar {
			out["scalar"] = val.Scalar
		}
		for _, s := range val.Vector {
			out[s.Labels.String()] = s.V
		}
	})
	return out, evalErr
}

func TestEval(t *testing.T) {
	st := fixture(t)
	const gpt, claude = `{gen_ai.request.model="gpt"}`, `{gen_ai.request.model="claude"}`
	tests := []struct {
		expr string
		want map[string]float64
	}{
		{`sum(rate(otelcol_llm.requests[2m]))`, map[string]float64{"{}": 20}},
		{`sum by (gen_ai.request.model) (increase(otelcol_llm.errors[2m])) / sum by (gen_ai.request.model) (increase(otelcol_llm.requests[2m]))`,
			map[string]float64{gpt: 0.01, claude: 0.2}},
		{`sum by (gen_ai.request.model) (rate(otelcol_llm.errors[2m])) / sum by (gen_ai.request.model) (rate(otelcol_llm.requests[2m])) > 0.05`,
			map[string]float64{claude: 0.2}},
		{`rate(otelcol_llm.requests{gen_ai.request.model=~"g.*"}[1m])`, map[string]float64{gpt: 10}},
		{`count(rate(otelcol_llm.requests[1m]))`, map[string]float64{"{}": 2}},
		{`rate(otelcol_llm.requests{gen_ai.request.model="claude"}[1m])`, map[string]float64{claude: 10}},
		{`rate(otelcol_llm.requests{gen_ai.request.model="claude", gen_ai.request.model!="claude"}[1m])`, map[string]float64{}},
		{`rate(otelcol_llm.requests{gen_ai.request.model="mistral"}[1m])`, map[string]float64{}},
		// 4 delta points in (9m,10m] of 100 observations each; gpt: p99 rank 396 of 400 → (5,10]
		{`histogram_quantile(0.99, sum by (gen_ai.request.model) (increase(gen_ai.client.operation.duration[1m])))`,
			map[string]float64{gpt: 5 + 5*(396.0-396)/4, claude: 10}},
		{`histogram_quantile(0.5, sum(rate(gen_ai.client.operation.duration[1m])))`, map[string]float64{"{}": 2 + 3*(100.0-100)/116}},
		{`min_over_time(quality[5m]) < 0.87`, map[string]float64{gpt: 0.86, claude: 0.86}},
		{`max(avg_over_time(quality{gen_ai.request.model="gpt"}[1m]))`, map[string]float64{"{}": 0.9 - 0.001*38.5}},
		{`quality{gen_ai.request.model="gpt"} * 100`, map[string]float64{gpt: 86}},
		{`nosuchmetric > 1`, map[string]float64{}},
		{`2 * 3 + 1`, map[string]float64{"scalar": 7}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := eval(t, st, tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, w := range tt.want {
				if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-9 {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	st := fixture(t)
	tests := []struct{ expr, want string }{
		{`histogram_quantile(0.99, rate(otelcol_llm.requests[5m]))`, "is not a histogram"},
		{`rate(quality[5m])`, "quality is a gauge"},
		{`avg_over_time(gen_ai.client.operation.duration[5m])`, "is a histogram"},
		{`avg(rate(gen_ai.client.operation.duration[5m]))`, "cannot aggregate histograms"},
		{`rate(gen_ai.client.operation.duration[5m]) > 1`, "operands are histograms"},
	}
	for _, tt := range tests {
		_, err := eval(t, st, tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.expr, err, tt.want)
		}
	}
}

func TestDivisionByZeroIsAWarning(t *testing.T) {
	st := fixture(t)
	n, _ := Parse(`sum(rate(otelcol_llm.errors[1m])) / (sum(rate(otelcol_llm.requests[1m])) * 0)`)
	st.View(func(v series.View) {
		var w Warnings
		val, err := Eval(NewEnv(v, t0.Add(10*time.Minute), 5*time.Minute), n, &w)
		if err != nil || len(val.Vector) != 0 || w.DivisionByZero != 1 {
			t.Fatalf("val=%v err=%v warnings=%+v", val, err, w)
		}
	})
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`rate(x)`, "needs a range selector"},
		{`rate(x[5q])`, "invalid duration"},
		{`histogram_quantile(1.5, x)`, "between 0 and 1"},
		{`sum by (a (x)`, "expected"},
		{`x{a="b"`, "expected"},
		{`foo(x)`, `unknown function "foo"`},
		{`x > `, "unexpected end"},
		{`x{a=~"("}`, "invalid regexp"},
		{`x y`, `unexpected "y"`},
		{`x{a~"b"}`, "unexpected character"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error %v, want %q", tt.expr, err, tt.want)
		}
	}
}

func TestPrintRoundTrip(t *testing.T) {
	for _, e := range []string{
		`histogram_quantile(0.99, sum by (gen_ai.request.model) (rate(gen_ai.client.operation.duration[5m]))) > 5`,
		`sum without (instance) (increase(otelcol_llm.errors{gen_ai.provider.name!="x"}[1h30m])) / 2`,
	} {
		n, err := Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		if n.String() != e {
			t.Errorf("printed %q, want %q", n.String(), e)
		}
	}
}

func TestCheckKinds(t *testing.T) {
	catalog := func(m string) (series.Kind, bool) {
		k, ok := map[string]series.Kind{"c": series.Counter, "h": series.Histogram, "g": series.Gauge}[m]
		return k, ok
	}
	bad := map[string]string{
		`histogram_quantile(0.9, sum(rate(c[5m]))) > 1`: "c is a counter, not a histogram",
		`rate(g[5m])`:          "g is a gauge",
		`max_over_time(h[5m])`: "h is a histogram",
		`c[5m] > 1`:            "range selector",
	}
	for e, want := range bad {
		n, err := Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(n, catalog); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%s) = %v, want %q", e, err, want)
		}
	}
	for _, e := range []string{`histogram_quantile(0.9, sum(rate(h[5m])))`, `rate(c[1m]) / rate(unknown[1m])`, `avg_over_time(g[5m])`} {
		n, _ := Parse(e)
		if err := Check(n, catalog); err != nil {
			t.Errorf("Check(%s) = %v, want nil", e, err)
		}
	}
}
