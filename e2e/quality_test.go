package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/judge/judgetest"
)

// TestQualityWithPrometheus sends chat calls with the OpenTelemetry Go SDK — good answers,
// refusals, truncated answers, an OpenInference-evaluated call — plus user feedback as a
// span and as a log record. The llm processor evaluates every call, normalizes the external
// evaluations, joins the feedback to its call and has a mock judge model grade a sample;
// the llmmetrics connector turns every score into metrics, and a real Prometheus scraping
// the collector must give back the quality a user would compute by hand.
func TestQualityWithPrometheus(t *testing.T) {
	promBin := requireTool(t, "prometheus")
	otlpPort, metricsPort, promPort := freePort(t), freePort(t), freePort(t)

	judgeModel := judgetest.New(t)
	judgeModel.Answer(func(body string) (int, string) {
		score := 0.9
		if strings.Contains(body, "can't help") { // a refusal is not relevant
			score = 0.1
		}
		return http.StatusOK, fmt.Sprintf(`{"relevance": {"score": %v, "explanation": "graded"}}`, score)
	})

	StartCollector(t, fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  llm:
    judge:
      enabled: true
      endpoint: %s/v1
      model: judge-mini
      sample_rate: 1
      max_per_minute: 1000
connectors:
  llmmetrics:
    flush_interval: 1s
exporters:
  prometheus:
    endpoint: 127.0.0.1:%d
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [llm]
      exporters: [llmmetrics]
    logs:
      receivers: [otlp]
      processors: [llm]
      exporters: [llmmetrics]
    metrics:
      receivers: [llmmetrics]
      exporters: [prometheus]
`, otlpPort, judgeModel.URL, metricsPort), otlpPort, metricsPort)
	prom := startPromServer(t, promBin, promPort, metricsPort)

	ctx := context.Background()
	res := resource.NewSchemaless(attribute.String(genai.ServiceName, "e2e-support"))
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", otlpPort)), otlptracehttp.WithInsecure())
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))
	tracer := tp.Tracer("e2e-quality")
	call := func(model, provider, answer, finish string, extra ...attribute.KeyValue) trace.SpanContext {
		out, _ := json.Marshal([]map[string]any{{"role": "assistant", "finish_reason": finish,
			"parts": []map[string]string{{"type": "text", "content": answer}}}})
		_, span := tracer.Start(ctx, "chat "+model, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(append([]attribute.KeyValue{
			attribute.String(genai.OperationName, genai.OpChat),
			attribute.String(genai.ProviderName, provider),
			attribute.String(genai.RequestModel, model),
			attribute.String(genai.InputMessages, `[{"role":"user","parts":[{"type":"text","content":"How do I reset my password?"}]}]`),
			attribute.String(genai.OutputMessages, string(out)),
			attribute.StringSlice(genai.ResponseFinishReasons, []string{finish}),
			attribute.Int(genai.UsageInputTokens, 20),
			attribute.Int(genai.UsageOutputTokens, 30),
		}, extra...)...))
		span.End()
		return span.SpanContext()
	}
	// gpt-4o: 15 good answers and 5 refusals; claude: 4 truncated answers.
	var rated trace.SpanContext
	for i := range 15 {
		sc := call("gpt-4o", genai.ProviderOpenAI, "Open Settings, choose Security and click Reset password.", "stop")
		if i == 0 {
			rated = sc
		}
	}
	for range 5 {
		call("gpt-4o", genai.ProviderOpenAI, "I'm sorry, but I can't help with that request.", "stop")
	}
	for range 4 {
		call("claude-sonnet-4", genai.ProviderAnthropic, "Open Settings, then", "length")
	}
	// A call evaluated by Phoenix (OpenInference evaluation attributes on the span).
	call("gpt-4o", genai.ProviderOpenAI, "Open Settings.", "stop",
		attribute.String("evaluations.0.evaluation.name", "correctness"),
		attribute.Float64("evaluations.0.evaluation.score", 0.5),
		attribute.String("evaluations.0.evaluation.label", "partially_correct"))
	// Thumbs down from the web frontend, as a child span of the rated call.
	fctx := trace.ContextWithSpanContext(ctx, rated)
	_, fb := tracer.Start(fctx, "feedback", trace.WithAttributes(attribute.String(genai.FeedbackThumbs, "down")))
	fb.End()
	require.NoError(t, tp.Shutdown(ctx))

	// A 5-of-5 rating for the same call, as a log record correlated by trace and span ID.
	lexp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", otlpPort)), otlploghttp.WithInsecure())
	require.NoError(t, err)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(lexp)),
		sdklog.WithResource(resource.NewSchemaless(attribute.String(genai.ServiceName, "e2e-web"))))
	var rec otellog.Record
	rec.SetTimestamp(time.Now())
	rec.AddAttributes(attribute.Int(genai.FeedbackRating, 5))
	lp.Logger("feedback").Emit(trace.ContextWithSpanContext(ctx, rated), rec)
	require.NoError(t, lp.Shutdown(ctx))

	// The combined score per model: gpt-4o (15 × 1 + 5 refusals × 0.2 + 1 × 1) / 21,
	// claude (4 truncated × 0.5) / 4.
	avg := prom.waitFor(t, `sum by (gen_ai_request_model) (otelcol_llm_evaluation_score_sum{gen_ai_evaluation_name="quality"}) / sum by (gen_ai_request_model) (otelcol_llm_evaluation_score_count{gen_ai_evaluation_name="quality"})`, 2)
	assert.InDelta(t, (15+5*0.2+1)/21.0, avg["gpt-4o"], 1e-9)
	assert.InDelta(t, 0.5, avg["claude-sonnet-4"], 1e-9)

	// The refusal rate the README's PromQL example computes.
	refusals := prom.waitFor(t, `sum(otelcol_llm_evaluation_results_total{gen_ai_evaluation_name="refusal"}) / sum(otelcol_llm_evaluation_results_total{gen_ai_evaluation_name="quality"})`, 1)
	assert.InDelta(t, 5.0/25, refusals[""], 1e-9)
	truncated := prom.waitFor(t, `sum by (gen_ai_request_model) (otelcol_llm_evaluation_results_total{gen_ai_evaluation_name="truncation"})`, 1)
	assert.Equal(t, map[string]float64{"claude-sonnet-4": 4}, truncated)

	// User feedback, span and log record, counted under the rated call's model and service.
	feedback := prom.waitFor(t, `sum by (service_name, gen_ai_request_model, gen_ai_evaluation_score_label) (otelcol_llm_evaluation_results_total{gen_ai_evaluation_name="user_feedback"})`, 2)
	assert.Equal(t, map[string]float64{"downgpt-4oe2e-support": 1, "5/5gpt-4oe2e-support": 1}, feedback)

	// The external evaluation, normalized from OpenInference attributes.
	correctness := prom.waitFor(t, `sum by (gen_ai_evaluation_score_label) (otelcol_llm_evaluation_score_sum{gen_ai_evaluation_name="correctness"})`, 1)
	assert.Equal(t, map[string]float64{"partially_correct": 0.5}, correctness)

	// The judge graded every call (sample_rate 1): refusals are not relevant.
	relevance := prom.waitFor(t, `sum by (gen_ai_request_model) (otelcol_llm_evaluation_score_count{gen_ai_evaluation_name="relevance"})`, 2)
	assert.Equal(t, map[string]float64{"gpt-4o": 21, "claude-sonnet-4": 4}, relevance)
	assert.Len(t, judgeModel.Requests(), 25)
}
