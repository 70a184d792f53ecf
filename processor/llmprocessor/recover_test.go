package llmprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llm/otelcol-llm/internal/enrich"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
	"github.com/otelcol-llm/otelcol-llm/internal/redact"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

// panickingCoster stands in for a pricing bug that panics on some model.
type panickingCoster struct{}

func (panickingCoster) Cost(string, string, genai.Usage) (pricing.Cost, bool) {
	panic("pricing bug")
}

// TestStageFailureKeepsTheBatch: a bug that panics in normalization or enrichment of one
// span neither crashes the collector nor loses data: every span of the batch goes on, the
// spans after the failing one are processed, and the failure is counted.
func TestStageFailureKeepsTheBatch(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Redaction.Enabled = false
	p, err := newLLMProcessor(processortest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	p.enricher = enrich.New(panickingCoster{})

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for range 3 {
		a := spans.AppendEmpty().Attributes()
		a.PutStr("gen_ai.system", "openai")
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutInt("gen_ai.usage.input_tokens", 10)
	}
	out, err := p.processTraces(context.Background(), td)
	require.NoError(t, err)
	require.Equal(t, 3, out.SpanCount(), "no span may be lost")
	for i := range 3 {
		// Normalization ran before the failing stage, on every span.
		require.Equal(t, "openai", genai.Str(out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(i).Attributes(), genai.ProviderName))
	}
}

// TestRedactionFailureRefusesTheBatch: when redaction cannot finish, the batch is refused
// with a permanent error instead of leaving the pipeline unredacted.
func TestRedactionFailureRefusesTheBatch(t *testing.T) {
	p, err := newLLMProcessor(processortest.NewNopSettings(metadata.Type), createDefaultConfig())
	require.NoError(t, err)
	_, err = p.redact(func() redact.Stats { panic("redaction bug") })
	require.ErrorIs(t, err, errRedactionFailed)
	require.True(t, consumererror.IsPermanent(err), "retrying would fail the same way")
}
