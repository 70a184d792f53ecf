package llmprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

func TestFactory(t *testing.T) {
	f := NewFactory()
	require.Equal(t, metadata.Type, f.Type())
	require.NoError(t, componenttest.CheckConfigStruct(f.CreateDefaultConfig()))
	require.NoError(t, confmap.Validate(f.CreateDefaultConfig()), "the empty config must be valid")
}

// TestLifecycle starts the traces and logs processors of one component, as a collector
// with both pipelines does, sends data through both, and shuts them down.
func TestLifecycle(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig()
	set := processortest.NewNopSettings(metadata.Type)
	ctx := context.Background()
	host := componenttest.NewNopHost()

	traces := new(consumertest.TracesSink)
	tp, err := f.CreateTraces(ctx, set, cfg, traces)
	require.NoError(t, err)
	logs := new(consumertest.LogsSink)
	lp, err := f.CreateLogs(ctx, set, cfg, logs)
	require.NoError(t, err)
	require.Same(t, instances.byConfig[cfg.(*Config)], instances.byConfig[cfg.(*Config)])

	require.NoError(t, tp.Start(ctx, host))
	require.NoError(t, lp.Start(ctx, host))

	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.Attributes().PutStr("gen_ai.system", "openai")
	span.Attributes().PutStr("gen_ai.operation.name", "chat")
	span.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	span.Attributes().PutInt("gen_ai.usage.input_tokens", 1000)
	span.Attributes().PutInt("gen_ai.usage.output_tokens", 100)
	require.NoError(t, tp.ConsumeTraces(ctx, td))
	require.NoError(t, lp.ConsumeLogs(ctx, plog.NewLogs()))

	require.Len(t, traces.AllTraces(), 1)
	got := traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	require.Equal(t, "openai", genai.Str(got, genai.ProviderName))
	_, priced := got.Get(genai.CostTotal)
	require.True(t, priced, "the call was not priced")
	require.Len(t, logs.AllLogs(), 1)

	require.NoError(t, tp.Shutdown(ctx))
	require.NoError(t, lp.Shutdown(ctx))
	require.Empty(t, instances.byConfig, "the shared processor must be released after the last shutdown")
}

// TestBadPriceFileFailsAtCreation: a price file that cannot be read stops the collector at
// start with the file named, instead of running without the prices the user asked for.
func TestBadPriceFileFailsAtCreation(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Pricing.Files = []pricing.PriceFile{{Path: "testdata/does-not-exist.json", Format: "litellm"}}
	_, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.ErrorContains(t, err, "testdata/does-not-exist.json")
	require.Empty(t, instances.byConfig)
}
