package llmmetricsconnector

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/spanmetricsconnector"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// benchSpans is a batch shaped like an instrumented LLM application's: mostly chat calls
// over a few providers and models with full semconv attributes, some embeddings, tool
// and agent spans, and a few failures.
func benchSpans(n int) ptrace.Traces {
	models := []struct{ provider, request, response, address string }{
		{genai.ProviderOpenAI, "gpt-4o", "gpt-4o-2024-08-06", "api.openai.com"},
		{genai.ProviderOpenAI, "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "api.openai.com"},
		{genai.ProviderAnthropic, "claude-sonnet-4", "claude-sonnet-4-20250514", "api.anthropic.com"},
		{genai.ProviderGCPGemini, "gemini-2.5-flash", "gemini-2.5-flash", "generativelanguage.googleapis.com"},
	}
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, "chatbot")
	rs.Resource().Attributes().PutStr("deployment.environment", "prod")
	rs.Resource().Attributes().PutStr("telemetry.sdk.language", "python")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range n {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{byte(i), byte(i >> 8), 1})
		s.SetSpanID(pcommon.SpanID{byte(i), byte(i >> 8), 2})
		s.SetStartTimestamp(1_700_000_000_000_000_000)
		s.SetEndTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + (i%50+1)*40_000_000))
		a := s.Attributes()
		m := models[i%len(models)]
		switch i % 20 {
		case 0:
			s.SetName("execute_tool get_weather")
			a.PutStr(genai.OperationName, genai.OpExecuteTool)
			a.PutStr(genai.ToolName, "get_weather")
			a.PutStr(genai.ToolCallID, fmt.Sprintf("call_%d", i))
			a.PutStr(genai.ToolType, "function")
			continue
		case 1:
			s.SetName("invoke_agent planner")
			a.PutStr(genai.OperationName, genai.OpInvokeAgent)
			a.PutStr(genai.ProviderName, m.provider)
			a.PutStr(genai.AgentName, "planner")
			a.PutStr(genai.AgentID, "agent_1")
			continue
		case 2, 3:
			s.SetName("embeddings text-embedding-3-small")
			s.SetKind(ptrace.SpanKindClient)
			a.PutStr(genai.OperationName, genai.OpEmbeddings)
			a.PutStr(genai.ProviderName, genai.ProviderOpenAI)
			a.PutStr(genai.RequestModel, "text-embedding-3-small")
			a.PutStr(genai.ServerAddress, "api.openai.com")
			a.PutInt(genai.ServerPort, 443)
			a.PutInt(genai.UsageInputTokens, int64(8+i%100))
			a.PutDouble(genai.CostTotal, 0.00000016)
			continue
		}
		s.SetName("chat " + m.request)
		s.SetKind(ptrace.SpanKindClient)
		a.PutStr(genai.OperationName, genai.OpChat)
		a.PutStr(genai.ProviderName, m.provider)
		a.PutStr(genai.RequestModel, m.request)
		a.PutStr(genai.ResponseModel, m.response)
		a.PutStr(genai.ServerAddress, m.address)
		a.PutInt(genai.ServerPort, 443)
		a.PutStr(genai.ResponseID, fmt.Sprintf("chatcmpl-%d", i))
		a.PutEmptySlice(genai.ResponseFinishReasons).AppendEmpty().SetStr("stop")
		a.PutInt(genai.RequestMaxTokens, 1024)
		a.PutDouble(genai.RequestTemperature, 0.2)
		a.PutInt(genai.UsageInputTokens, int64(200+i%1000))
		a.PutInt(genai.UsageOutputTokens, int64(50+i%300))
		a.PutInt(genai.UsageCacheReadInputTokens, 128)
		a.PutDouble(genai.CostTotal, 0.0021)
		a.PutDouble(genai.CostInput, 0.0011)
		a.PutDouble(genai.CostOutput, 0.001)
		a.PutStr(genai.PricingModel, m.response)
		a.PutStr(genai.ConversationID, fmt.Sprintf("conv-%d", i%7))
		a.PutStr(genai.UserID, fmt.Sprintf("user-%d", i%13))
		if i%17 == 0 {
			a.PutStr(genai.ErrorType, "rate_limit_error")
			s.Status().SetCode(ptrace.StatusCodeError)
		}
	}
	return td
}

// semconvDimensions are the GenAI metric attributes llmmetrics always has; spanmetrics is
// given the same ones, over the same resource attribute (service.name).
var semconvDimensions = []string{genai.OperationName, genai.ProviderName, genai.RequestModel, genai.ResponseModel,
	genai.ServerAddress, genai.ServerPort, genai.ErrorType}

func newSpanmetrics(b *testing.B, next *consumertest.MetricsSink) connector.Traces {
	f := spanmetricsconnector.NewFactory()
	cfg := f.CreateDefaultConfig().(*spanmetricsconnector.Config)
	for _, d := range semconvDimensions {
		cfg.Dimensions = append(cfg.Dimensions, spanmetricsconnector.Dimension{Name: d})
	}
	cfg.ExcludeDimensions = []string{"span.name", "span.kind", "status.code"}
	cfg.AggregationCardinalityLimit = 5000
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()), cfg, next)
	require.NoError(b, err)
	return c
}

func newLLMMetrics(b *testing.B, next *consumertest.MetricsSink) connector.Traces {
	f := NewFactory()
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), f.CreateDefaultConfig(), next)
	require.NoError(b, err)
	return c
}

// BenchmarkConnectors runs llmmetrics (default config) and the contrib spanmetrics
// connector (same dimensions) on the same batches in one run.
func BenchmarkConnectors(b *testing.B) {
	td := benchSpans(100)
	for _, bc := range []struct {
		name string
		new  func(*testing.B, *consumertest.MetricsSink) connector.Traces
	}{
		{"spanmetrics", newSpanmetrics},
		{"llmmetrics", newLLMMetrics},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := bc.new(b, &consumertest.MetricsSink{})
			require.NoError(b, c.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(b, c.Shutdown(context.Background())) }()
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				if err := c.ConsumeTraces(context.Background(), td); err != nil {
					b.Fatal(err)
				}
			}
			spans := float64(b.N * td.SpanCount())
			b.ReportMetric(spans/b.Elapsed().Seconds(), "spans/s")
			// CPU time, garbage collection included, is what a shared machine's load
			// distorts least.
			b.ReportMetric(float64(cputime.Process()-cpu)/spans, "cpu-ns/span")
		})
	}
}
