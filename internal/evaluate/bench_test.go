package evaluate

import (
	"fmt"
	"runtime"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/chattest"
	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Realistic normalized chat spans, as the llm processor hands them to the evaluators: the
// conversation of every stage's benchmark (internal/chattest), so that the costs per span
// compare like with like.
const (
	benchSystem      = chattest.System
	benchUser        = chattest.User
	benchAssistant   = chattest.Assistant
	benchToolArgs    = chattest.ToolArgs
	benchToolOut     = chattest.ToolOut
	benchAnswer      = chattest.Answer
	benchDefinitions = `[{"type":"function","name":"lookup_booking","description":"Look a booking up by its reference.","parameters":{"type":"object","properties":{"booking_reference":{"type":"string","description":"TRV- and five digits"},"include_policy":{"type":"boolean"}},"required":["booking_reference"]}},` +
		`{"type":"function","name":"change_dates","description":"Move a booking to new dates.","parameters":{"type":"object","properties":{"booking_reference":{"type":"string"},"checkin":{"type":"string","format":"date"},"nights":{"type":"integer","minimum":1},"room":{"type":"object","properties":{"type":{"type":"string","enum":["double","twin","suite"]},"view":{"type":["string","null"]}},"required":["type"]},"notify":{"type":"array","items":{"type":"string"}}},"required":["booking_reference","checkin","nights"]}},` +
		`{"type":"function","name":"escalate","description":"Hand the conversation to a human agent.","parameters":{"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"]}}]`
	benchChangeArgs = `{"booking_reference":"TRV-88314","checkin":"2026-12-12","nights":2,"room":{"type":"double","view":"river"},"notify":["email","sms"]}`
)

func benchSpan(kind string) ptrace.Span {
	span := ptrace.NewSpan()
	span.SetName("chat gpt-4o")
	span.SetStartTimestamp(1764288000000000000)
	span.SetEndTimestamp(1764288002500000000)
	a := span.Attributes()
	a.PutStr(genai.OperationName, genai.OpChat)
	a.PutStr(genai.ProviderName, genai.ProviderOpenAI)
	a.PutStr(genai.RequestModel, "gpt-4o")
	a.PutStr(genai.ResponseModel, "gpt-4o-2024-08-06")
	a.PutDouble(genai.RequestTemperature, 0.2)
	a.PutInt(genai.UsageInputTokens, 1450)
	a.PutInt(genai.UsageOutputTokens, 180)
	a.PutInt(genai.UsageCacheReadInputTokens, 1024)
	a.PutStr(genai.SystemInstructions, fmt.Sprintf(`[{"type":"text","content":%q}]`, benchSystem))
	a.PutStr(genai.InputMessages, fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":%q}]},`+
		`{"role":"assistant","parts":[{"type":"text","content":%q},{"type":"tool_call","id":"call_1","name":"lookup_booking","arguments":%s}]},`+
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":%s}]}]`,
		benchUser, benchAssistant, benchToolArgs, benchToolOut))
	a.PutStr(genai.ConversationID, "conv-1")
	a.PutDouble(genai.CostTotal, 0.0021)
	a.PutStr(genai.PricingModel, "gpt-4o-2024-08-06")
	finish := "stop"
	var output string
	switch kind {
	case "chat":
		output = fmt.Sprintf(`[{"role":"assistant","parts":[{"type":"text","content":%q}],"finish_reason":"stop"}]`, benchAnswer)
	case "tool_call":
		finish = "tool_call"
		a.PutStr(genai.ToolDefinitions, benchDefinitions)
		output = fmt.Sprintf(`[{"role":"assistant","parts":[{"type":"text","content":%q},{"type":"tool_call","id":"call_2","name":"change_dates","arguments":%s}],"finish_reason":"tool_call"}]`,
			benchAssistant, benchChangeArgs)
	case "json":
		a.PutStr(genai.OutputType, "json")
		output = fmt.Sprintf(`[{"role":"assistant","parts":[{"type":"text","content":%q}],"finish_reason":"stop"}]`, benchToolOut+" ")
	case "refusal":
		output = `[{"role":"assistant","parts":[{"type":"text","content":"I'm sorry, but I can't help with changing bookings made through a partner agency. Please contact the agency directly."}],"finish_reason":"stop"}]`
	default:
		panic(kind)
	}
	a.PutStr(genai.OutputMessages, output)
	a.PutEmptySlice(genai.ResponseFinishReasons).AppendEmpty().SetStr(finish)
	return span
}

var removeAll = func(ptrace.SpanEvent) bool { return true }

var isQuality = func(k string, _ pcommon.Value) bool { return k == genai.QualityScore || k == genai.QualityFailing }

// evaluateLoop evaluates span once per iteration and reports, next to the wall time, the
// CPU time of the benchmark's own thread per span (cpu-ns/op): on a shared machine the
// wall clock also measures the neighbours. Results written by one iteration (events, the
// combined score's attributes) are removed before the next, so every iteration
// evaluates; that removal is counted.
func evaluateLoop(b *testing.B, e *Evaluator, span ptrace.Span) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	cpu := cputime.Thread()
	for b.Loop() {
		e.Span(span)
		span.Events().RemoveIf(removeAll)
		span.Attributes().RemoveIf(isQuality)
	}
	b.ReportMetric(float64((cputime.Thread()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkSpan is the cost of the evaluators per span, with the default configuration
// (emit: failing).
func BenchmarkSpan(b *testing.B) {
	for _, kind := range []string{"chat", "tool_call", "json", "refusal"} {
		b.Run(kind, func(b *testing.B) {
			e, err := New(DefaultConfig())
			if err != nil {
				b.Fatal(err)
			}
			evaluateLoop(b, e, benchSpan(kind))
		})
	}
}

// BenchmarkSpanCustom adds two custom evaluators, a regex and a phrase list, to the chat
// span.
func BenchmarkSpanCustom(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Custom = []CustomCheck{
		{Name: "cites_booking", Regex: `TRV-\d{5}`},
		{Name: "mentions_competitor", Phrases: []string{"acme travel", "globetrotter inc"}, Expect: ExpectAbsent},
	}
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	evaluateLoop(b, e, benchSpan("chat"))
}

// TestBenchSpansAreEvaluated keeps the benchmarks honest: each span gets the results its
// name promises.
func TestBenchSpansAreEvaluated(t *testing.T) {
	e, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[string]int{"chat": 0, "tool_call": 0, "json": 0, "refusal": 1} {
		span := benchSpan(kind)
		st := e.Span(span)
		if st.Spans != 1 || span.Events().Len() != want {
			t.Errorf("%s: %d spans evaluated, %d events, want 1 and %d", kind, st.Spans, span.Events().Len(), want)
		}
		if _, ok := span.Attributes().Get(genai.QualityScore); !ok {
			t.Errorf("%s: no combined score", kind)
		}
		n := 0
		st.Results(func(_ string, results, failures int) { n += results })
		if kind == "tool_call" && n < 6 || kind == "json" && n < 6 {
			t.Errorf("%s: only %d results", kind, n)
		}
	}
}
