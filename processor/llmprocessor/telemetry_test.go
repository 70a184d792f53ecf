package llmprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

// counterValue sums the points of a counter whose attributes include want.
func counterValue(t *testing.T, tel *componenttest.Telemetry, name string, want ...attribute.KeyValue) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	require.NoError(t, err, name)
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is not an int64 counter", name)
	var total int64
	for _, dp := range sum.DataPoints {
		match := true
		for _, kv := range want {
			if v, ok := dp.Attributes.Value(kv.Key); !ok || v != kv.Value {
				match = false
			}
		}
		if match {
			total += dp.Value
		}
	}
	return total
}

// TestInternalTelemetry: operators watch these counters to see what the processor does
// to their data: which conventions it converted, how many calls it could price and how
// much PII it removed.
func TestInternalTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	tp, err := NewFactory().CreateTraces(context.Background(), set, createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, model := range []string{"gpt-4o", "gpt-4o-mini", "acme-llm-1"} {
		a := spans.AppendEmpty().Attributes()
		a.PutStr("openinference.span.kind", "LLM")
		a.PutStr("llm.model_name", model)
		a.PutInt("llm.token_count.prompt", 100)
		a.PutInt("llm.token_count.completion", 10)
		a.PutStr("llm.input_messages.0.message.role", "user")
		a.PutStr("llm.input_messages.0.message.content", "Write to jane.doe@example.org")
	}
	bad := spans.AppendEmpty().Attributes()
	bad.PutStr("gen_ai.system", "openai")
	bad.PutStr("gen_ai.usage.prompt_tokens", "lots")
	require.NoError(t, tp.ConsumeTraces(context.Background(), td))

	require.Equal(t, int64(3), counterValue(t, tel, "otelcol_processor_llm_normalized_items", attribute.String("source", "openinference")))
	require.Equal(t, int64(2), counterValue(t, tel, "otelcol_processor_llm_priced_calls"))
	require.Equal(t, int64(1), counterValue(t, tel, "otelcol_processor_llm_unpriced_calls"))
	require.Positive(t, counterValue(t, tel, "otelcol_processor_llm_normalization_errors"))
	// Each email appears twice: in the OpenInference attribute and in gen_ai.input.messages.
	require.Equal(t, int64(6), counterValue(t, tel, "otelcol_processor_llm_redaction_findings", attribute.String("entity", "EMAIL")))
	_, err = tel.GetMetric("otelcol_processor_llm_internal_failures")
	require.Error(t, err, "no stage failed, so the failure counter has no points")
}

// A system prompt resent with every call is scanned once: the scan cache's hits show it.
func TestScanCacheTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	tp, err := NewFactory().CreateTraces(context.Background(), set, createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })

	for range 3 {
		td := ptrace.NewTraces()
		a := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.system_instructions", `[{"type":"text","content":"You are a support assistant for a travel agency. Be brief, polite and precise."}]`)
		require.NoError(t, tp.ConsumeTraces(context.Background(), td))
	}
	require.Equal(t, int64(1), counterValue(t, tel, "otelcol_processor_llm_redaction_scan_cache_lookups", attribute.String("outcome", "miss")))
	require.Equal(t, int64(2), counterValue(t, tel, "otelcol_processor_llm_redaction_scan_cache_lookups", attribute.String("outcome", "hit")))
}
