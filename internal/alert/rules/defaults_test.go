package rules

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// pushScores ingests cumulative otelcol_llm.evaluation.score histograms, as the llmmetrics
// connector emits them: per evaluation name, count and sum of the scores so far.
func pushScores(st *series.Store, c *clock, start time.Time, totals map[string][2]float64) {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(genai.MetricEvaluationScore)
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for name, cs := range totals {
		dp := h.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(c.now))
		dp.SetCount(uint64(cs[0]))
		dp.SetSum(cs[1])
		dp.ExplicitBounds().FromRaw([]float64{0.5})
		dp.BucketCounts().FromRaw([]uint64{0, uint64(cs[0])})
		dp.Attributes().PutStr(genai.ServiceName, "chatbot")
		dp.Attributes().PutStr(genai.EvaluationName, name)
	}
	st.Ingest(md)
}

// The default quality rule watches the combined score only: a refusal rate of 100% in the
// refusal evaluator's own series does not fire it, a combined average of 0.6 does.
func TestDefaultQualityRuleWatchesCombinedScore(t *testing.T) {
	var quality Config
	for _, cfg := range Defaults() {
		if cfg.Alert == DefaultQuality {
			quality = cfg
		}
	}
	c := &clock{t0}
	m, st := newManager(t, c, quality)
	start := c.now
	// Per minute: 10 calls with a combined score of 0.9, and 1 refusal scored 0.
	var n float64
	for range 70 {
		c.now = c.now.Add(time.Minute)
		n++
		pushScores(st, c, start, map[string][2]float64{
			genai.EvaluationQuality: {10 * n, 9 * n},
			genai.EvaluatorRefusal:  {n, 0},
		})
		if errs := m.Evaluate(c.now); len(errs) > 0 {
			t.Fatalf("evaluation errors: %v", errs)
		}
	}
	if alerts := m.Alerts(); len(alerts) != 0 {
		t.Fatalf("combined score 0.9 fired %v", alerts)
	}
	// Quality drops: each new minute's 10 calls average 0.3.
	q := [2]float64{10 * n, 9 * n}
	for range 70 {
		c.now = c.now.Add(time.Minute)
		q[0] += 10
		q[1] += 3
		pushScores(st, c, start, map[string][2]float64{genai.EvaluationQuality: q})
		if errs := m.Evaluate(c.now); len(errs) > 0 {
			t.Fatalf("evaluation errors: %v", errs)
		}
	}
	alerts := m.Alerts()
	if len(alerts) != 1 || alerts[0].State != StateFiring || alerts[0].Labels.Get(genai.ServiceName) != "chatbot" {
		t.Fatalf("want one firing alert for chatbot, got %+v", alerts)
	}
	if v := alerts[0].Value; v < 0.29 || v > 0.31 {
		t.Fatalf("alert value %v, want the last hour's average 0.3", v)
	}
}

// The refusal-rate rule the exporter's README documents compiles against the catalog and
// fires when more than 5% of a model's evaluated calls are refused.
func TestDocumentedRefusalRateRule(t *testing.T) {
	cfg := Config{
		Alert: "LLMRefusalRateHigh",
		Expr: `sum by (service.name, gen_ai.request.model) (increase(otelcol_llm.evaluation.results{gen_ai.evaluation.name="refusal"}[1h]))
      / sum by (service.name, gen_ai.request.model) (increase(otelcol_llm.evaluation.results{gen_ai.evaluation.name="quality"}[1h]))
      > 0.05`,
		Severity: SeverityWarning,
	}
	if _, err := Compile(cfg, Catalog); err != nil {
		t.Fatal(err)
	}
	c := &clock{t0}
	m, st := newManager(t, c, cfg)
	start := c.now
	push := func(n float64) {
		md := pmetric.NewMetrics()
		mt := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		mt.SetName(genai.MetricEvaluationResults)
		sum := mt.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for name, v := range map[string]float64{genai.EvaluationQuality: 100 * n, genai.EvaluatorRefusal: 8 * n} {
			dp := sum.DataPoints().AppendEmpty()
			dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
			dp.SetTimestamp(pcommon.NewTimestampFromTime(c.now))
			dp.SetDoubleValue(v)
			dp.Attributes().PutStr(genai.ServiceName, "chatbot")
			dp.Attributes().PutStr(genai.RequestModel, "gpt-4o")
			dp.Attributes().PutStr(genai.EvaluationName, name)
		}
		st.Ingest(md)
	}
	for n := range 10 {
		c.now = c.now.Add(time.Minute)
		push(float64(n + 1))
		if errs := m.Evaluate(c.now); len(errs) > 0 {
			t.Fatalf("evaluation errors: %v", errs)
		}
	}
	alerts := m.Alerts()
	if len(alerts) != 1 || alerts[0].Labels.Get(genai.RequestModel) != "gpt-4o" {
		t.Fatalf("want one alert for gpt-4o, got %+v", alerts)
	}
	if v := alerts[0].Value; v < 0.079 || v > 0.081 {
		t.Fatalf("refusal rate %v, want 0.08", v)
	}
}
