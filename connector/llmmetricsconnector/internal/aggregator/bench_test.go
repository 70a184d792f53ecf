package aggregator

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

func BenchmarkConsume(b *testing.B) {
	agg := New(Config{ResourceDimensions: []string{genai.ServiceName}, CardinalityLimit: 1000}, at(0))
	td := chatBatch(100)
	b.ReportAllocs()
	for b.Loop() {
		agg.Consume(td, at(10))
	}
	b.ReportMetric(float64(b.N*td.SpanCount())/b.Elapsed().Seconds(), "spans/s")
}

// BenchmarkConsumeQuality compares the two forms of the combined score on passing chat
// calls: the attributes the llm processor writes, and the event of its older releases.
func BenchmarkConsumeQuality(b *testing.B) {
	forms := []struct {
		name string
		add  func(ptrace.Span)
	}{
		{"none", func(ptrace.Span) {}},
		{"attribute", func(s ptrace.Span) { s.Attributes().PutDouble(genai.QualityScore, 1) }},
		{"event", func(s ptrace.Span) {
			ev := s.Events().AppendEmpty()
			ev.SetName(genai.EventEvaluationResult)
			ev.Attributes().PutStr(genai.EvaluationName, genai.EvaluationQuality)
			ev.Attributes().PutDouble(genai.EvaluationScoreValue, 1)
			ev.Attributes().PutStr(genai.EvaluationScoreLabel, genai.QualityLabelPass)
			ev.Attributes().PutStr(genai.EvaluationSource, genai.EvaluationSourceBuiltin)
		}},
	}
	for _, f := range forms {
		b.Run(f.name, func(b *testing.B) {
			agg := New(Config{ResourceDimensions: []string{genai.ServiceName}, CardinalityLimit: 1000}, at(0))
			td := chatBatch(100)
			for _, s := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
				f.add(s)
			}
			b.ReportAllocs()
			for b.Loop() {
				agg.Consume(td, at(10))
			}
			b.ReportMetric(float64(b.N*td.SpanCount())/b.Elapsed().Seconds(), "spans/s")
		})
	}
}
