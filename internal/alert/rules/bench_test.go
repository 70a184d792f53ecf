package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// benchStore holds 100,000 active series: requests, errors, cost (cumulative counters) and
// the operation-duration histogram, each for 100 services × 25 models × 10 error types,
// with 21 points 15 s apart (5 minutes).
func benchStore(b *testing.B, now time.Time) *series.Store {
	b.Helper()
	st := series.NewStore(6*time.Minute, time.Minute, func() time.Time { return now })
	bounds := []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	for step := 20; step >= 0; step-- {
		ts := pcommon.NewTimestampFromTime(now.Add(-time.Duration(step) * 15 * time.Second))
		md := pmetric.NewMetrics()
		ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
		sums := map[string]pmetric.NumberDataPointSlice{}
		for _, name := range []string{genai.MetricRequests, genai.MetricErrors, genai.MetricCost} {
			m := ms.AppendEmpty()
			m.SetName(name)
			s := m.SetEmptySum()
			s.SetIsMonotonic(true)
			s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			sums[name] = s.DataPoints()
		}
		hm := ms.AppendEmpty()
		hm.SetName(genai.MetricClientOperationDuration)
		h := hm.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		n := float64(20 - step)
		for svc := range 100 {
			for model := range 25 {
				for et := range 10 {
					attrs := func(a pcommon.Map) {
						a.PutStr(genai.ServiceName, fmt.Sprintf("svc-%d", svc))
						a.PutStr(genai.RequestModel, fmt.Sprintf("model-%d", model))
						a.PutStr(genai.ErrorType, fmt.Sprintf("type-%d", et))
					}
					for name, dps := range sums {
						dp := dps.AppendEmpty()
						dp.SetTimestamp(ts)
						dp.SetDoubleValue(n * float64(len(name)))
						attrs(dp.Attributes())
					}
					dp := h.DataPoints().AppendEmpty()
					dp.SetTimestamp(ts)
					dp.ExplicitBounds().FromRaw(bounds)
					counts := make([]uint64, len(bounds)+1)
					for i := range counts {
						counts[i] = uint64(n) * uint64(i%4)
					}
					dp.BucketCounts().FromRaw(counts)
					attrs(dp.Attributes())
				}
			}
		}
		st.Ingest(md)
	}
	if got := st.Stats().ActiveSeries; got != 100000 {
		b.Fatalf("%d series", got)
	}
	return st
}

// benchRules is 1,000 rules in four families: per-service error ratio and p99 latency
// (equality matchers, served by the label index), per-service cost, and fleet-wide
// per-model thresholds that share one sub-expression. Ten rules of each family fire (a
// few hundred alerts); the others stay quiet, as most rules do most of the time.
func benchRules(b *testing.B) []*Rule {
	var cfgs []Config
	for i := range 250 {
		svc := fmt.Sprintf("svc-%d", i%100)
		ratio, latency, cost, fleet := 0.95, 100, 1e6, 1e6
		if i < 10 {
			ratio, latency, cost, fleet = 0.5, 5, 100, 1000
		}
		cfgs = append(cfgs,
			Config{Alert: fmt.Sprintf("Errors%d", i), Severity: SeverityCritical, Expr: fmt.Sprintf(
				`sum by (gen_ai.request.model) (rate(otelcol_llm.errors{service.name=%q}[2m])) / sum by (gen_ai.request.model) (rate(otelcol_llm.requests{service.name=%q}[2m])) > %g`, svc, svc, ratio)},
			Config{Alert: fmt.Sprintf("Latency%d", i), Severity: SeverityWarning, For: 5 * time.Minute, Expr: fmt.Sprintf(
				`histogram_quantile(0.99, sum by (gen_ai.request.model) (rate(gen_ai.client.operation.duration{service.name=%q}[5m]))) > %d`, svc, latency)},
			Config{Alert: fmt.Sprintf("Cost%d", i), Severity: SeverityWarning, Expr: fmt.Sprintf(
				`sum(increase(otelcol_llm.cost.usd{service.name=%q}[5m])) > %g`, svc, cost)},
			Config{Alert: fmt.Sprintf("Fleet%d", i), Severity: SeverityInfo, Expr: fmt.Sprintf(
				`sum by (gen_ai.request.model) (rate(otelcol_llm.requests[5m])) > %g`, fleet+float64(i))},
		)
	}
	rs := make([]*Rule, len(cfgs))
	for i, c := range cfgs {
		r, err := Compile(c, Catalog)
		if err != nil {
			b.Fatal(err)
		}
		rs[i] = r
	}
	return rs
}

// BenchmarkEvaluate is one evaluation cycle of 1,000 rules over 100,000 active series.
func BenchmarkEvaluate(b *testing.B) {
	now := time.Date(2026, 8, 27, 10, 0, 0, 0, time.UTC)
	st := benchStore(b, now)
	m, err := NewManager(benchRules(b), st, 5*time.Minute, External{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	// CPU time next to wall time: on a shared machine the wall clock measures the neighbours.
	before := cputime.Process()
	n := 0
	for b.Loop() {
		n++
		if errs := m.Evaluate(now); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
	cpu := cputime.Process() - before
	b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "cpu-ms/op")
	b.ReportMetric(float64(len(m.Alerts())), "alerts")
}

// BenchmarkBaselineSort sorts one million float64s: a fixed CPU-bound reference measured in
// the same invocation as BenchmarkEvaluate, so that the evaluation cost can be quoted as a
// ratio on a shared machine (sorting 1M float64s takes about 85 ms on a quiet modern core).
func BenchmarkBaselineSort(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 1<<20)
	for i := range xs {
		xs[i] = rng.Float64()
	}
	ys := make([]float64, len(xs))
	before := cputime.Process()
	n := 0
	for b.Loop() {
		n++
		copy(ys, xs)
		slices.Sort(ys)
	}
	cpu := cputime.Process() - before
	b.ReportMetric(float64(cpu.Milliseconds())/float64(n), "cpu-ms/op")
}
