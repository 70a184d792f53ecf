package aggregator

import (
	"testing"

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
