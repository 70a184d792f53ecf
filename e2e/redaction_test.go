package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Sensitive values sent by the application; none may reach the exporter.
var leaked = []string{
	"ops-oncall@example.com",                  // resource attribute
	"jane.roe@example.org",                    // span attribute
	"4111 1111 1111 1111", "4111111111111111", // JSON message content
	"john.doe@example.com",        // JSON message content, log body map
	"DE89 3704 0044 0532 0130 00", // JSON double-encoded in tool arguments
	"+44 20 7946 0958",            // JSON double-encoded, log body
	"536-22-1234",                 // span event attribute
	"maria@example.co.uk",         // link attribute
	"sk-proj-Zx81kLm93QpR7sT2abcdefghijklmnopqrstuvwxyz0123456789ABCD", // header
	"hunter2-Pa55",         // secret key in a log body map
	"198.51.100.7",         // log attribute
	"AKIAIOSFODNN7EXAMPLE", // log body string
}

// TestRedactionEverywhere sends PII in every place the redactor covers, with the
// OpenTelemetry Go SDK through the built collector, and checks that nothing survives
// while structure and harmless values do.
func TestRedactionEverywhere(t *testing.T) {
	otlpPort := freePort(t)
	sink := NewOTLPSink(t)
	StartCollector(t, llmPipelineConfig(otlpPort, sink.URL, `
    redaction:
      fail_closed: true`), otlpPort)
	ctx := context.Background()
	res := resource.NewSchemaless(
		attribute.String("service.name", "e2e-support-bot"),
		attribute.String("host.owner", "ops-oncall@example.com"))

	texp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", otlpPort)), otlptracehttp.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(texp), sdktrace.WithResource(res))
	tracer := tp.Tracer("e2e-redaction")

	input := `[{"role":"system","parts":[{"type":"text","content":"You are a support bot, release 10.1.2.3."}]},` +
		`{"role":"user","parts":[{"type":"text","content":"My card is 4111 1111 1111 1111, mail john.doe@example.com"}]}]`
	output := `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"refund","arguments":` +
		`"{\"iban\":\"DE89 3704 0044 0532 0130 00\",\"phone\":\"+44 20 7946 0958\"}"}],"finish_reason":"tool_call"}]`
	_, earlier := tracer.Start(ctx, "earlier")
	earlier.End()
	_, span := tracer.Start(ctx, "chat gpt-4o", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithLinks(trace.Link{SpanContext: earlier.SpanContext(), Attributes: []attribute.KeyValue{
			attribute.String("link.reason", "follow-up from maria@example.co.uk")}}),
		trace.WithAttributes(
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String("gen_ai.provider.name", "openai"),
			attribute.String("gen_ai.request.model", "gpt-4o"),
			attribute.Int("gen_ai.usage.input_tokens", 120),
			attribute.Int("gen_ai.usage.output_tokens", 30),
			attribute.String("gen_ai.input.messages", input),
			attribute.String("gen_ai.output.messages", output),
			attribute.String("app.escalated_by", "jane.roe@example.org"),
			attribute.StringSlice("http.request.header.authorization", []string{"Bearer sk-proj-Zx81kLm93QpR7sT2abcdefghijklmnopqrstuvwxyz0123456789ABCD"}),
			attribute.String("app.order", "order 100234567 shipped"),
		))
	span.AddEvent("customer.verified", trace.WithAttributes(attribute.String("detail", "SSN 536-22-1234 matched")))
	span.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("flushing spans: %v", err)
	}

	lexp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", otlpPort)), otlploghttp.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(lexp)), sdklog.WithResource(res))
	logger := lp.Logger("e2e-redaction")
	var plain otellog.Record
	plain.SetTimestamp(time.Now())
	plain.SetBody(attribute.StringValue("callback +44 20 7946 0958 using AKIAIOSFODNN7EXAMPLE"))
	plain.AddAttributes(attribute.String("client.address", "198.51.100.7"))
	logger.Emit(ctx, plain)
	var structured otellog.Record
	structured.SetTimestamp(time.Now())
	structured.SetBody(attribute.MapValue(
		attribute.String("user", "john.doe@example.com"),
		attribute.String("password", "hunter2-Pa55"),
		attribute.Map("request", attribute.String("note", "ticket 42"), attribute.Int("count", 3))))
	logger.Emit(ctx, structured)
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatalf("flushing logs: %v", err)
	}

	Eventually(t, 20*time.Second, "2 spans and 2 log records", func() bool {
		return sink.SpanCount() >= 2 && logRecordCount(sink.Logs()) >= 2
	})

	exported := exportedJSON(t, sink)
	for _, v := range leaked {
		for _, form := range []string{v, strings.Trim(fmt.Sprintf("%q", v), `"`), strings.ReplaceAll(v, " ", "")} {
			if strings.Contains(exported, form) {
				t.Errorf("%q survived the pipeline", v)
			}
		}
	}

	s, ok := sink.SpansByName()["chat gpt-4o"]
	if !ok {
		t.Fatal("chat span not exported")
	}
	attrs := s.Attributes()
	msgs, err := genai.ParseMessages(genai.Str(attrs, genai.InputMessages))
	if err != nil || len(msgs) != 2 || msgs[1].Role != "user" || len(msgs[1].Parts) != 1 {
		t.Fatalf("input messages lost their structure: %v %+v", err, msgs)
	}
	expectEqual(t, "user content", msgs[1].Parts[0].Content, "My card is <CREDIT_CARD>, mail <EMAIL>")
	expectEqual(t, "system content", msgs[0].Parts[0].Content, "You are a support bot, release 10.1.2.3.")
	out, err := genai.ParseMessages(genai.Str(attrs, genai.OutputMessages))
	if err != nil || len(out) != 1 || len(out[0].Parts) != 1 {
		t.Fatalf("output messages lost their structure: %v %+v", err, out)
	}
	var args map[string]string
	if err := json.Unmarshal(out[0].Parts[0].Arguments, &args); err != nil {
		// The arguments were a JSON string holding JSON; it must still hold JSON.
		var inner string
		if err := json.Unmarshal(out[0].Parts[0].Arguments, &inner); err != nil || json.Unmarshal([]byte(inner), &args) != nil {
			t.Fatalf("tool arguments are no longer JSON: %s", out[0].Parts[0].Arguments)
		}
	}
	expectEqual(t, "tool args", fmt.Sprint(args), "map[iban:<IBAN> phone:<PHONE>]")
	expectEqual(t, "harmless value", genai.Str(attrs, "app.order"), "order 100234567 shipped")
	var summary map[string]int
	if err := json.Unmarshal([]byte(genai.Str(attrs, genai.RedactionSummary)), &summary); err != nil {
		t.Fatalf("summary attribute: %v", err)
	}
	expectEqual(t, "summary", fmt.Sprint(summary), "map[CREDIT_CARD:1 EMAIL:3 IBAN:1 PHONE:1 SECRET:1 US_SSN:1]")
	if n, _ := genai.Int(attrs, genai.UsageInputTokens); n != 120 {
		t.Errorf("usage changed: %d", n)
	}
}

func logRecordCount(lds []plog.Logs) int {
	n := 0
	for _, ld := range lds {
		n += ld.LogRecordCount()
	}
	return n
}

// exportedJSON is everything the sink received, as OTLP JSON.
func exportedJSON(t *testing.T, sink *OTLPSink) string {
	t.Helper()
	var b strings.Builder
	for _, rs := range sink.Spans() {
		td := ptrace.NewTraces()
		rs.CopyTo(td.ResourceSpans().AppendEmpty())
		j, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
	}
	for _, ld := range sink.Logs() {
		j, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
	}
	return b.String()
}
