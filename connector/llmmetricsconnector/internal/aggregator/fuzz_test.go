package aggregator

import (
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// FuzzConsume feeds spans whose values come from untrusted instrumentation: no input may
// panic, and no emitted point may carry a negative or non-finite value.
func FuzzConsume(f *testing.F) {
	f.Add("chat", "100", "0.3", `{"email":2}`, "0.8", int64(1), int64(2))
	f.Add("embeddings", "-1", "NaN", `{"x":-1}`, "Inf", int64(5), int64(1))
	f.Add("invoke_agent", "1e400", "-0", `[1,2]`, "", int64(0), int64(0))
	f.Fuzz(func(t *testing.T, op, tokens, ttfc, redaction, score string, start, end int64) {
		td := ptrace.NewTraces()
		s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetStartTimestamp(pcommon.Timestamp(start))
		s.SetEndTimestamp(pcommon.Timestamp(end))
		a := s.Attributes()
		a.PutStr(genai.OperationName, op)
		a.PutStr(genai.UsageInputTokens, tokens)
		a.PutStr(genai.UsageOutputTokens, tokens)
		a.PutStr(genai.CostTotal, tokens)
		a.PutStr(genai.ResponseTimeToFirstChunk, ttfc)
		a.PutStr(genai.RedactionSummary, redaction)
		a.PutStr(genai.EvaluationName, "relevance")
		a.PutStr(genai.EvaluationScoreValue, score)
		a.PutStr(genai.QualityScore, score)
		agg := New(Config{CardinalityLimit: 10, MaxExemplars: 1}, 0)
		agg.Consume(td, 1)
		md, _ := agg.Flush(2)
		ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
		for i := 0; i < ms.Len(); i++ {
			m := ms.At(i)
			switch m.Type() {
			case pmetric.MetricTypeSum:
				for j := 0; j < m.Sum().DataPoints().Len(); j++ {
					dp := m.Sum().DataPoints().At(j)
					v := dp.DoubleValue() + float64(dp.IntValue())
					if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s: bad value %v", m.Name(), v)
					}
				}
			case pmetric.MetricTypeHistogram:
				for j := 0; j < m.Histogram().DataPoints().Len(); j++ {
					dp := m.Histogram().DataPoints().At(j)
					if math.IsNaN(dp.Sum()) || math.IsInf(dp.Sum(), 0) || (m.Name() != genai.MetricEvaluationScore && dp.Sum() < 0) {
						t.Fatalf("%s: bad sum %v", m.Name(), dp.Sum())
					}
				}
			}
		}
	})
}
