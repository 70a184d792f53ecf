package e2e

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// llmPipelineConfig is a gateway-like pipeline: OTLP in, the llm processor with default
// settings, OTLP/HTTP out to the test's sink.
func llmPipelineConfig(otlpPort int, sinkURL, processorCfg string) string {
	return fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  llm:%s
  batch:
    timeout: 100ms
exporters:
  otlp_http:
    endpoint: %s
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [llm, batch]
      exporters: [otlp_http]
    logs:
      receivers: [otlp]
      processors: [llm, batch]
      exporters: [otlp_http]
`, otlpPort, processorCfg, sinkURL)
}

func newSDKTracer(t *testing.T, otlpPort int) (trace.Tracer, func()) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx,
		otlptracehttp.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", otlpPort)),
		otlptracehttp.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "e2e-chat-app"))))
	return tp.Tracer("e2e"), func() {
		if err := tp.Shutdown(ctx); err != nil {
			t.Errorf("flushing spans: %v", err)
		}
	}
}

// TestLLMProcessorNormalizesAndPrices sends one model call in each of three
// instrumentation conventions with the OpenTelemetry Go SDK and checks that the exported
// spans are in GenAI semconv v1.41 and carry their cost. Expected costs are computed by
// hand from the providers' public prices (USD per million tokens):
//   - gpt-4o-mini: input 0.15, cached input 0.075, output 0.60
//   - claude-sonnet-4-5: input 3, output 15
//   - gpt-4o: input 2.50, output 10
func TestLLMProcessorNormalizesAndPrices(t *testing.T) {
	otlpPort := freePort(t)
	sink := NewOTLPSink(t)
	StartCollector(t, llmPipelineConfig(otlpPort, sink.URL, ""), otlpPort)
	tracer, flush := newSDKTracer(t, otlpPort)

	start := time.Now().Add(-2 * time.Second)
	end := start.Add(1500 * time.Millisecond)
	client := trace.WithSpanKind(trace.SpanKindClient)

	// OpenInference (Arize Phoenix instrumentations).
	_, s := tracer.Start(context.Background(), "ChatCompletion", client, trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String("openinference.span.kind", "LLM"),
		attribute.String("llm.system", "openai"),
		attribute.String("llm.provider", "openai"),
		attribute.String("llm.model_name", "gpt-4o-mini-2024-07-18"),
		attribute.String("llm.invocation_parameters", `{"temperature":0.2,"max_tokens":512}`),
		attribute.Int("llm.token_count.prompt", 1200),
		attribute.Int("llm.token_count.completion", 300),
		attribute.Int("llm.token_count.prompt_details.cache_read", 200),
		attribute.String("llm.input_messages.0.message.role", "system"),
		attribute.String("llm.input_messages.0.message.content", "You are a helpful travel assistant."),
		attribute.String("llm.input_messages.1.message.role", "user"),
		attribute.String("llm.input_messages.1.message.content", "Find me a hotel in Lisbon."),
		attribute.String("llm.output_messages.0.message.role", "assistant"),
		attribute.String("llm.output_messages.0.message.content", "Here are three hotels in Lisbon."),
		attribute.String("llm.finish_reason", "stop"),
		attribute.String("session.id", "sess-oi"),
		attribute.String("user.id", "user-oi"),
	))
	s.End(trace.WithTimestamp(end))

	// OpenLLMetry (Traceloop) legacy indexed attributes, capitalised gen_ai.system.
	_, s = tracer.Start(context.Background(), "anthropic.chat", client, trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String("llm.request.type", "chat"),
		attribute.String("gen_ai.system", "Anthropic"),
		attribute.String("gen_ai.request.model", "claude-sonnet-4-5-20250929"),
		attribute.Int("gen_ai.usage.prompt_tokens", 1000),
		attribute.Int("gen_ai.usage.completion_tokens", 500),
		attribute.String("gen_ai.prompt.0.role", "user"),
		attribute.String("gen_ai.prompt.0.content", "Summarise this contract."),
		attribute.String("gen_ai.completion.0.role", "assistant"),
		attribute.String("gen_ai.completion.0.content", "The contract says..."),
		attribute.String("gen_ai.completion.0.finish_reason", "end_turn"),
		attribute.String("traceloop.association.properties.session_id", "sess-oll"),
		attribute.String("traceloop.association.properties.user_id", "user-oll"),
	))
	s.End(trace.WithTimestamp(end))

	// Vercel AI SDK v6: the outer generateText span (an agent-like root that repeats the
	// usage of its provider calls) and the doGenerate provider call.
	ctx, root := tracer.Start(context.Background(), "ai.generateText", trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String("ai.operationId", "ai.generateText"),
		attribute.String("ai.model.provider", "openai.chat"),
		attribute.String("ai.model.id", "gpt-4o"),
		attribute.Int("ai.usage.promptTokens", 800),
		attribute.Int("ai.usage.completionTokens", 200),
		attribute.String("ai.telemetry.functionId", "trip-planner"),
	))
	_, s = tracer.Start(ctx, "ai.generateText.doGenerate", client, trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String("ai.operationId", "ai.generateText.doGenerate"),
		attribute.String("ai.model.provider", "openai.chat"),
		attribute.String("ai.model.id", "gpt-4o"),
		attribute.String("gen_ai.system", "openai.chat"),
		attribute.String("gen_ai.request.model", "gpt-4o"),
		attribute.Int("ai.usage.promptTokens", 800),
		attribute.Int("ai.usage.completionTokens", 200),
		attribute.String("ai.prompt.messages", `[{"role":"system","content":"Plan trips."},{"role":"user","content":[{"type":"text","text":"Three days in Rome?"}]}]`),
		attribute.String("ai.response.text", "Day 1: the Colosseum..."),
		attribute.String("ai.response.finishReason", "stop"),
		attribute.String("ai.telemetry.metadata.sessionId", "sess-vercel"),
		attribute.String("ai.telemetry.metadata.userId", "user-vercel"),
	))
	s.End(trace.WithTimestamp(end))
	root.End(trace.WithTimestamp(end))

	// A model nobody prices.
	_, s = tracer.Start(context.Background(), "chat acme-llm-1", client, trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", "acme"),
		attribute.String("gen_ai.request.model", "acme-llm-1"),
		attribute.Int("gen_ai.usage.input_tokens", 10),
		attribute.Int("gen_ai.usage.output_tokens", 5),
	))
	s.End(trace.WithTimestamp(end))

	flush()
	Eventually(t, 20*time.Second, "5 exported spans", func() bool { return sink.SpanCount() >= 5 })
	spans := sink.SpansByName()

	cases := []struct {
		span                  string
		operation, provider   string
		requestModel          string
		input, output         int64
		conversation, user    string
		cost                  float64
		firstRole, outputText string
		finishReasons         []string
		instructions          string // text of gen_ai.system_instructions; "" = absent
	}{
		{"ChatCompletion", "chat", "openai", "gpt-4o-mini-2024-07-18", 1200, 300, "sess-oi", "user-oi",
			1000*0.15/1e6 + 200*0.075/1e6 + 300*0.60/1e6, "system", "Here are three hotels in Lisbon.", []string{"stop"}, ""},
		{"anthropic.chat", "chat", "anthropic", "claude-sonnet-4-5-20250929", 1000, 500, "sess-oll", "user-oll",
			1000*3.0/1e6 + 500*15.0/1e6, "user", "The contract says...", []string{"stop"}, ""},
		{"ai.generateText.doGenerate", "chat", "openai", "gpt-4o", 800, 200, "sess-vercel", "user-vercel",
			// The AI SDK's system message becomes gen_ai.system_instructions.
			800*2.50/1e6 + 200*10.0/1e6, "user", "Day 1: the Colosseum...", []string{"stop"}, "Plan trips."},
	}
	for _, tc := range cases {
		t.Run(tc.span, func(t *testing.T) {
			span, ok := spans[tc.span]
			if !ok {
				t.Fatalf("span %q was not exported", tc.span)
			}
			attrs := span.Attributes()
			call := genai.ReadCall(attrs)
			expectEqual(t, "gen_ai.operation.name", call.Operation, tc.operation)
			expectEqual(t, "gen_ai.provider.name", call.Provider, tc.provider)
			expectEqual(t, "gen_ai.request.model", call.RequestModel, tc.requestModel)
			expectEqual(t, "gen_ai.usage.input_tokens", call.Usage.Input, tc.input)
			expectEqual(t, "gen_ai.usage.output_tokens", call.Usage.Output, tc.output)
			expectEqual(t, "gen_ai.conversation.id", call.Conversation, tc.conversation)
			expectEqual(t, "user.id", call.User, tc.user)

			in, err := genai.ParseMessages(genai.Str(attrs, genai.InputMessages))
			if err != nil || len(in) == 0 {
				t.Fatalf("gen_ai.input.messages: %v (%d messages)", err, len(in))
			}
			expectEqual(t, "first input role", in[0].Role, tc.firstRole)
			if tc.instructions != "" {
				parts, err := genai.ParseParts(genai.Str(attrs, genai.SystemInstructions))
				if err != nil || len(parts) != 1 || parts[0].Content != tc.instructions {
					t.Errorf("gen_ai.system_instructions = %v (%v), want one text part %q", parts, err, tc.instructions)
				}
			}
			out, err := genai.ParseMessages(genai.Str(attrs, genai.OutputMessages))
			if err != nil || len(out) != 1 || len(out[0].Parts) == 0 {
				t.Fatalf("gen_ai.output.messages: %v %+v", err, out)
			}
			expectEqual(t, "output text", out[0].Parts[0].Content, tc.outputText)
			if fr, ok := attrs.Get(genai.ResponseFinishReasons); !ok || fr.Type() != pcommon.ValueTypeSlice ||
				fmt.Sprint(fr.Slice().AsRaw()) != fmt.Sprint(tc.finishReasons) {
				t.Errorf("gen_ai.response.finish_reasons = %v, want the array %v", fr.AsRaw(), tc.finishReasons)
			}

			cost, ok := genai.Float(attrs, genai.CostTotal)
			if !ok || math.Abs(cost-tc.cost) > 1e-12 {
				t.Errorf("%s = %v (present %v), want %v", genai.CostTotal, cost, ok, tc.cost)
			}
			if _, unpriced := attrs.Get(genai.Unpriced); unpriced {
				t.Errorf("a priced call carries %s", genai.Unpriced)
			}
			if tps, ok := genai.Float(attrs, genai.OutputTokensPerSecond); !ok || math.Abs(tps-float64(tc.output)/1.5) > 1e-6 {
				t.Errorf("%s = %v, want %v tokens / 1.5 s", genai.OutputTokensPerSecond, tps, tc.output)
			}
		})
	}

	t.Run("agent root is not priced again", func(t *testing.T) {
		attrs := spans["ai.generateText"].Attributes()
		expectEqual(t, "gen_ai.operation.name", genai.Str(attrs, genai.OperationName), genai.OpInvokeAgent)
		expectEqual(t, "gen_ai.agent.name", genai.Str(attrs, genai.AgentName), "trip-planner")
		if _, ok := attrs.Get(genai.CostTotal); ok {
			t.Errorf("the invoke_agent root carries a cost: its usage repeats its child's and would be counted twice")
		}
	})

	t.Run("unknown model is marked unpriced", func(t *testing.T) {
		attrs := spans["chat acme-llm-1"].Attributes()
		if v, ok := attrs.Get(genai.Unpriced); !ok || !v.Bool() {
			t.Errorf("%s missing on a call to an unknown model", genai.Unpriced)
		}
		if _, ok := attrs.Get(genai.CostTotal); ok {
			t.Errorf("an unknown model was priced")
		}
	})
}

func expectEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
