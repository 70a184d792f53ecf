package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// llmCall is one batch of identical model calls the test sends.
type llmCall struct {
	provider, model string
	calls, failed   int
	seconds         float64
	input, output   int
	cost            float64
}

// TestLLMMetricsWithPrometheus sends GenAI spans with the OpenTelemetry Go SDK to the
// distribution, which derives metrics with the llmmetrics connector and exposes them with
// the prometheus exporter; a real Prometheus scrapes them, and the PromQL a dashboard uses
// must give back what was sent.
func TestLLMMetricsWithPrometheus(t *testing.T) {
	promBin := requireTool(t, "prometheus")
	otlpPort, metricsPort, promPort := freePort(t), freePort(t), freePort(t)

	StartCollector(t, fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
connectors:
  llmmetrics:
    flush_interval: 1s
    dimensions: [user.id]
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
      exporters: [llmmetrics]
    metrics:
      receivers: [llmmetrics]
      exporters: [prometheus]
`, otlpPort, metricsPort), otlpPort, metricsPort)
	prom := startPromServer(t, promBin, promPort, metricsPort)

	sent := []llmCall{
		{provider: genai.ProviderOpenAI, model: "gpt-4o", calls: 50, failed: 5, seconds: 1.0, input: 120, output: 40, cost: 0.0025},
		{provider: genai.ProviderAnthropic, model: "claude-sonnet-4", calls: 30, seconds: 3.0, input: 900, output: 300, cost: 0.01},
	}
	sendLLMSpans(t, otlpPort, sent)

	// p99 latency per model: the true value lies in one duration bucket, and
	// histogram_quantile interpolates inside it.
	durationBuckets := []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
	p99 := prom.waitFor(t, `histogram_quantile(0.99, sum by (le, gen_ai_request_model) (gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat"}))`, len(sent))
	for _, c := range sent {
		lo, hi := durationBucketOf(durationBuckets, c.seconds)
		got := p99[c.model]
		assert.True(t, got > lo && got <= hi, "p99 of %s = %v, want within the bucket (%v, %v] holding %v s", c.model, got, lo, hi, c.seconds)
	}

	cost := prom.waitFor(t, `sum by (gen_ai_request_model) (otelcol_llm_cost_usd_total)`, len(sent))
	for _, c := range sent {
		assert.InDelta(t, float64(c.calls)*c.cost, cost[c.model], 1e-9, "cost of %s", c.model)
	}

	errorRatio := prom.waitFor(t, `sum by (gen_ai_request_model) (otelcol_llm_errors_total) / sum by (gen_ai_request_model) (otelcol_llm_requests_total)`, 1)
	assert.InDelta(t, 0.1, errorRatio["gpt-4o"], 1e-9, "error ratio of gpt-4o")

	tokens := prom.waitFor(t, `sum by (gen_ai_request_model) (gen_ai_client_token_usage_sum{gen_ai_token_type="input"})`, len(sent))
	for _, c := range sent {
		assert.InDelta(t, float64(c.calls*c.input), tokens[c.model], 1e-9, "input tokens of %s", c.model)
	}

	edges := prom.waitFor(t, `sum by (server) (otelcol_llm_service_graph_request_total{client="e2e-chatbot"})`, len(sent))
	for _, c := range sent {
		assert.InDelta(t, float64(c.calls), edges[c.provider], 1e-9, "calls from e2e-chatbot to %s", c.provider)
	}

	tools := prom.waitFor(t, `sum by (gen_ai_tool_name, otelcol_llm_status) (otelcol_llm_tool_calls_total)`, 1)
	assert.Equal(t, map[string]float64{"get_weatherok": 1}, tools)
	agentEdges := prom.waitFor(t, `sum by (server) (otelcol_llm_service_graph_request_total{client="planner"})`, 2)
	assert.Equal(t, map[string]float64{"get_weather": 1, "gpt-4o-mini": 1}, agentEdges)

	// Every query of the example Grafana dashboard is valid PromQL over these names, and
	// every panel shows data.
	for _, q := range grafanaDashboardQueries(t) {
		got := prom.query(t, q)
		t.Logf("dashboard query %s: %v", q, got)
		assert.NotEmpty(t, got, "dashboard query %s", q)
	}

	// The Prometheus names the README documents.
	names := prom.metricNames(t)
	for _, name := range []string{
		"gen_ai_client_operation_duration_seconds_bucket", "gen_ai_client_token_usage_bucket",
		"otelcol_llm_cost_usd_total", "otelcol_llm_requests_total", "otelcol_llm_errors_total", "otelcol_llm_tokens_total",
		"otelcol_llm_service_graph_request_total", "otelcol_llm_service_graph_request_failed_total",
		"otelcol_llm_service_graph_request_server_seconds_bucket",
	} {
		assert.Contains(t, names, name)
	}
}

func sendLLMSpans(t *testing.T, port int, calls []llmCall) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", port)), otlptracegrpc.WithInsecure())
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String(genai.ServiceName, "e2e-chatbot"))),
	)
	tracer := tp.Tracer("e2e")
	start := time.Now().Add(-time.Minute)
	for _, c := range calls {
		for i := range c.calls {
			_, span := tracer.Start(ctx, genai.OpChat+" "+c.model, trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start),
				trace.WithAttributes(
					attribute.String(genai.OperationName, genai.OpChat),
					attribute.String(genai.ProviderName, c.provider),
					attribute.String(genai.RequestModel, c.model),
					attribute.Int(genai.UsageInputTokens, c.input),
					attribute.Int(genai.UsageOutputTokens, c.output),
					attribute.Float64(genai.CostTotal, c.cost),
					attribute.String(genai.UserID, fmt.Sprintf("user-%d", i%3)),
				))
			if i < c.failed {
				span.SetAttributes(attribute.String(genai.ErrorType, "rate_limit_error"))
				span.SetStatus(codes.Error, "rate limited")
			}
			span.End(trace.WithTimestamp(start.Add(time.Duration(c.seconds * float64(time.Second)))))
		}
	}

	// One agent run: the planner calls a tool and a streaming model call, which is
	// evaluated and had an e-mail address redacted by the llm processor.
	agentCtx, agent := tracer.Start(ctx, genai.OpInvokeAgent+" planner", trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String(genai.OperationName, genai.OpInvokeAgent),
		attribute.String(genai.ProviderName, genai.ProviderAzureAIOpenAI),
		attribute.String(genai.AgentName, "planner"),
	))
	_, tool := tracer.Start(agentCtx, genai.OpExecuteTool+" get_weather", trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String(genai.OperationName, genai.OpExecuteTool),
		attribute.String(genai.ToolName, "get_weather"),
	))
	tool.End(trace.WithTimestamp(start.Add(200 * time.Millisecond)))
	_, chat := tracer.Start(agentCtx, genai.OpChat+" gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start),
		trace.WithAttributes(
			attribute.String(genai.OperationName, genai.OpChat),
			attribute.String(genai.ProviderName, genai.ProviderAzureAIOpenAI),
			attribute.String(genai.RequestModel, "gpt-4o-mini"),
			attribute.String(genai.UserID, "user-7"),
			attribute.Int(genai.UsageInputTokens, 300),
			attribute.Int(genai.UsageOutputTokens, 101),
			attribute.Float64(genai.ResponseTimeToFirstChunk, 0.25),
			attribute.Float64(genai.CostTotal, 0.0002),
			attribute.String(genai.RedactionSummary, `{"email":1}`),
		))
	chat.AddEvent(genai.EventEvaluationResult, trace.WithAttributes(
		attribute.String(genai.EvaluationName, "relevance"),
		attribute.Float64(genai.EvaluationScoreValue, 0.9),
	))
	chat.End(trace.WithTimestamp(start.Add(1250 * time.Millisecond)))
	agent.End(trace.WithTimestamp(start.Add(1500 * time.Millisecond)))
	require.NoError(t, tp.Shutdown(ctx))
}

type promServer struct{ base string }

func startPromServer(t *testing.T, bin string, port, targetPort int) *promServer {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: otelcol-llm
    static_configs:
      - targets: ["127.0.0.1:%d"]
`, targetPort)), 0o600))
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port))
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus output:\n%s", out.String())
		}
	})
	p := &promServer{base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	Eventually(t, 30*time.Second, "prometheus ready", func() bool {
		resp, err := http.Get(p.base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// query runs an instant PromQL query and returns each series' value keyed by the values
// of its labels (the single label the queries here group by).
func (p *promServer) query(t *testing.T, q string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(p.base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "success", body.Status, "query %s: %s", q, body.Error)
	out := map[string]float64{}
	for _, r := range body.Data.Result {
		// The key is the label values in label-name order, so that it is stable.
		key := ""
		for _, name := range slices.Sorted(maps.Keys(r.Metric)) {
			key += r.Metric[name]
		}
		f, err := strconv.ParseFloat(r.Value[1].(string), 64)
		require.NoError(t, err)
		out[key] = f
	}
	return out
}

// waitFor polls q until it returns at least n series that are all numbers, and the
// values have stopped changing between two scrapes (the flush after the last span).
func (p *promServer) waitFor(t *testing.T, q string, n int) map[string]float64 {
	t.Helper()
	var last map[string]float64
	Eventually(t, 90*time.Second, "PromQL "+q, func() bool {
		got := p.query(t, q)
		if len(got) < n {
			return false
		}
		for _, v := range got {
			if math.IsNaN(v) {
				return false
			}
		}
		stable := fmt.Sprint(got) == fmt.Sprint(last)
		last = got
		if !stable {
			time.Sleep(2 * time.Second)
		}
		return stable
	})
	t.Logf("%s = %v", q, last)
	return last
}

func (p *promServer) metricNames(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(p.base + "/api/v1/label/__name__/values")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct{ Data []string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	sort.Strings(body.Data)
	t.Logf("exported metric names: %v", body.Data)
	return body.Data
}

// grafanaDashboardQueries returns the PromQL of examples/grafana/dashboard.json with Grafana's
// variables replaced as Grafana would for a recent range.
func grafanaDashboardQueries(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "grafana", "dashboard.json"))
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Targets []struct{ Expr string }
		}
	}
	require.NoError(t, json.Unmarshal(raw, &dash))
	vars := strings.NewReplacer("$__rate_interval", "1m", "$__range", "5m", "$service", ".*")
	var out []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			out = append(out, vars.Replace(tg.Expr))
		}
	}
	require.NotEmpty(t, out)
	return out
}

// durationBucketOf returns the explicit bucket (lo, hi] that holds v.
func durationBucketOf(bounds []float64, v float64) (float64, float64) {
	lo := math.Inf(-1)
	for _, b := range bounds {
		if v <= b {
			return lo, b
		}
		lo = b
	}
	return lo, math.Inf(1)
}
