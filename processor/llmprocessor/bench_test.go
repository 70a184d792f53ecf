package llmprocessor

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llm/otelcol-llm/internal/chattest"
	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

// The conversation every stage's benchmark uses (internal/chattest).
const (
	benchSystem    = chattest.System
	benchUser1     = chattest.User
	benchAssistant = chattest.Assistant
	benchToolArgs  = chattest.ToolArgs
	benchToolOut   = chattest.ToolOut
	benchAnswer    = chattest.Answer
	benchPII       = chattest.PII
)

func benchUserText(withPII bool) string {
	if withPII {
		return benchUser1 + benchPII
	}
	return benchUser1
}

// benchSpan returns one ~2 KB chat span in the given source convention.
func benchSpan(convention string, withPII bool) ptrace.Traces {
	return benchSpanTexts(convention, benchUserText(withPII), benchAnswer)
}

// benchSpanTexts is benchSpan with the last user turn and the answer given.
func benchSpanTexts(convention, user, answer string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "support-bot")
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	span.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	span.SetKind(ptrace.SpanKindClient)
	span.SetStartTimestamp(1764288000000000000)
	span.SetEndTimestamp(1764288002500000000)
	a := span.Attributes()
	switch convention {
	case "semconv":
		span.SetName("chat gpt-4o")
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("gen_ai.response.model", "gpt-4o-2024-08-06")
		a.PutDouble("gen_ai.request.temperature", 0.2)
		a.PutInt("gen_ai.usage.input_tokens", 1450)
		a.PutInt("gen_ai.usage.output_tokens", 180)
		a.PutInt("gen_ai.usage.cache_read.input_tokens", 1024)
		a.PutStr("gen_ai.system_instructions", fmt.Sprintf(`[{"type":"text","content":%q}]`, benchSystem))
		a.PutStr("gen_ai.input.messages", fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":%q}]},`+
			`{"role":"assistant","parts":[{"type":"text","content":%q},{"type":"tool_call","id":"call_1","name":"lookup_booking","arguments":%s}]},`+
			`{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":%s}]}]`,
			user, benchAssistant, benchToolArgs, benchToolOut))
		a.PutStr("gen_ai.output.messages", fmt.Sprintf(`[{"role":"assistant","parts":[{"type":"text","content":%q}],"finish_reason":"stop"}]`, answer))
		a.PutEmptySlice("gen_ai.response.finish_reasons").AppendEmpty().SetStr("stop")
		a.PutStr("gen_ai.conversation.id", "conv-1")
	case "semconv_legacy":
		span.SetName("chat gpt-4o")
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.system", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutInt("gen_ai.usage.prompt_tokens", 1450)
		a.PutInt("gen_ai.usage.completion_tokens", 180)
		for _, ev := range []struct{ name, content string }{
			{"gen_ai.system.message", benchSystem}, {"gen_ai.user.message", user},
			{"gen_ai.assistant.message", benchAssistant}, {"gen_ai.tool.message", benchToolOut},
		} {
			e := span.Events().AppendEmpty()
			e.SetName(ev.name)
			e.Attributes().PutStr("gen_ai.system", "openai")
			e.Attributes().PutStr("content", ev.content)
		}
		e := span.Events().AppendEmpty()
		e.SetName("gen_ai.choice")
		e.Attributes().PutInt("index", 0)
		e.Attributes().PutStr("finish_reason", "stop")
		e.Attributes().PutStr("message", fmt.Sprintf(`{"content":%q}`, answer))
	case "openinference":
		span.SetName("ChatCompletion")
		a.PutStr("openinference.span.kind", "LLM")
		a.PutStr("llm.provider", "openai")
		a.PutStr("llm.system", "openai")
		a.PutStr("llm.model_name", "gpt-4o-2024-08-06")
		a.PutStr("llm.invocation_parameters", `{"temperature":0.2,"max_tokens":512}`)
		a.PutInt("llm.token_count.prompt", 1450)
		a.PutInt("llm.token_count.completion", 180)
		a.PutInt("llm.token_count.prompt_details.cache_read", 1024)
		for i, m := range []struct{ role, content string }{
			{"system", benchSystem}, {"user", user}, {"assistant", benchAssistant}, {"tool", benchToolOut},
		} {
			a.PutStr(fmt.Sprintf("llm.input_messages.%d.message.role", i), m.role)
			a.PutStr(fmt.Sprintf("llm.input_messages.%d.message.content", i), m.content)
		}
		a.PutStr("llm.input_messages.2.message.tool_calls.0.tool_call.id", "call_1")
		a.PutStr("llm.input_messages.2.message.tool_calls.0.tool_call.function.name", "lookup_booking")
		a.PutStr("llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments", benchToolArgs)
		a.PutStr("llm.input_messages.3.message.tool_call_id", "call_1")
		a.PutStr("llm.output_messages.0.message.role", "assistant")
		a.PutStr("llm.output_messages.0.message.content", answer)
		a.PutStr("llm.finish_reason", "stop")
		a.PutStr("session.id", "conv-1")
	case "openllmetry":
		span.SetName("openai.chat")
		a.PutStr("llm.request.type", "chat")
		a.PutStr("gen_ai.system", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutStr("gen_ai.response.model", "gpt-4o-2024-08-06")
		a.PutInt("gen_ai.usage.prompt_tokens", 1450)
		a.PutInt("gen_ai.usage.completion_tokens", 180)
		a.PutInt("llm.usage.total_tokens", 1630)
		for i, m := range []struct{ role, content string }{
			{"system", benchSystem}, {"user", user}, {"assistant", benchAssistant}, {"tool", benchToolOut},
		} {
			a.PutStr(fmt.Sprintf("gen_ai.prompt.%d.role", i), m.role)
			a.PutStr(fmt.Sprintf("gen_ai.prompt.%d.content", i), m.content)
		}
		a.PutStr("gen_ai.prompt.2.tool_calls.0.id", "call_1")
		a.PutStr("gen_ai.prompt.2.tool_calls.0.name", "lookup_booking")
		a.PutStr("gen_ai.prompt.2.tool_calls.0.arguments", benchToolArgs)
		a.PutStr("gen_ai.prompt.3.tool_call_id", "call_1")
		a.PutStr("gen_ai.completion.0.role", "assistant")
		a.PutStr("gen_ai.completion.0.content", answer)
		a.PutStr("gen_ai.completion.0.finish_reason", "stop")
		a.PutStr("traceloop.association.properties.session_id", "conv-1")
	case "vercel":
		span.SetName("ai.generateText.doGenerate")
		a.PutStr("ai.operationId", "ai.generateText.doGenerate")
		a.PutStr("ai.model.provider", "openai.chat")
		a.PutStr("ai.model.id", "gpt-4o")
		a.PutStr("gen_ai.system", "openai.chat")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutInt("ai.usage.promptTokens", 1450)
		a.PutInt("ai.usage.completionTokens", 180)
		a.PutStr("ai.prompt.messages", fmt.Sprintf(`[{"role":"system","content":%q},{"role":"user","content":[{"type":"text","text":%q}]},`+
			`{"role":"assistant","content":[{"type":"text","text":%q},{"type":"tool-call","toolCallId":"call_1","toolName":"lookup_booking","input":%s}]},`+
			`{"role":"tool","content":[{"type":"tool-result","toolCallId":"call_1","toolName":"lookup_booking","output":%s}]}]`,
			benchSystem, user, benchAssistant, benchToolArgs, benchToolOut))
		a.PutStr("ai.response.text", answer)
		a.PutStr("ai.response.finishReason", "stop")
		a.PutStr("ai.telemetry.metadata.sessionId", "conv-1")
	case "langfuse":
		span.SetName("OpenAI-generation")
		a.PutStr("langfuse.observation.type", "generation")
		a.PutStr("langfuse.observation.model.name", "gpt-4o")
		a.PutStr("langfuse.observation.model.parameters", `{"temperature":0.2}`)
		a.PutStr("langfuse.observation.usage_details", `{"input":426,"output":180,"input_cached_tokens":1024,"total":1630}`)
		a.PutStr("langfuse.observation.input", fmt.Sprintf(`[{"role":"system","content":%q},{"role":"user","content":%q}]`, benchSystem, user))
		a.PutStr("langfuse.observation.output", fmt.Sprintf(`{"role":"assistant","content":%q}`, answer))
		a.PutStr("session.id", "conv-1")
	default:
		panic("unknown convention " + convention)
	}
	return td
}

var benchConventions = []string{"semconv", "semconv_legacy", "openinference", "openllmetry", "vercel", "langfuse"}

// benchBatch is the number of spans in one export request: SDK batch processors send up
// to 512, so per-request costs (the processor helper, internal telemetry) are shared as
// they are in production, and ns/op ÷ benchBatch is the cost per span.
const benchBatch = 100

// benchInputs is one encoded export request of benchBatch spans of a convention, one span
// in five carrying PII, as a collector receives it.
func benchInputs(b *testing.B, convention string) [][]byte {
	return [][]byte{benchRequest(b, convention, "")}
}

func benchRequest(b *testing.B, convention, prefix string) []byte {
	td := ptrace.NewTraces()
	for i := range benchBatch {
		benchSpanTexts(convention, prefix+benchUserText(i%5 == 0), prefix+benchAnswer).ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	buf, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil {
		b.Fatal(err)
	}
	return buf
}

// freshRequests makes requests like benchInputs' in which every answer and last user turn
// is new: each begins with a reference number never used before, as real traffic's do,
// while the system prompt and the history repeat from call to call. The redactor's clean
// cache then finds what it finds in production (the repeated texts), where benchInputs'
// request, the same every time, lets it skip every clean text after the first pass.
type freshRequests struct {
	encoded []byte
	at      []int // offsets of the reference numbers
	next    uint64
}

const freshMarker = "ref 0000000000: "

func newFreshRequests(b *testing.B, convention string) *freshRequests {
	f := &freshRequests{encoded: benchRequest(b, convention, freshMarker), next: 1}
	for i := 0; ; {
		j := bytes.Index(f.encoded[i:], []byte(freshMarker))
		if j < 0 {
			break
		}
		f.at = append(f.at, i+j+len("ref "))
		i += j + len(freshMarker)
	}
	if len(f.at) < 2*benchBatch {
		b.Fatalf("%s: %d fresh texts in a request of %d spans", convention, len(f.at), benchBatch)
	}
	return f
}

// request returns the next request, decoded.
func (f *freshRequests) request(b *testing.B) ptrace.Traces {
	for _, at := range f.at {
		copy(f.encoded[at:at+10], fmt.Sprintf("%010d", f.next))
		f.next++
	}
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(f.encoded)
	if err != nil {
		b.Fatal(err)
	}
	return td
}

// BenchmarkUnmarshal is the baseline: decoding the OTLP protobuf of the same spans, work
// every collector does for every span it receives. One op is one request of benchBatch
// spans.
func BenchmarkUnmarshal(b *testing.B) {
	for _, conv := range benchConventions {
		b.Run(conv, func(b *testing.B) {
			inputs := benchInputs(b, conv)
			var u ptrace.ProtoUnmarshaler
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := u.UnmarshalTraces(inputs[i%len(inputs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkUnmarshalAndProcess decodes the same request and runs it through the processor.
// Its time less BenchmarkUnmarshal's, divided by benchBatch, is the processor's cost per
// span. The last two stage sets differ only by the built-in evaluators, whose share of the
// processor's cost is their difference over the processor's cost without them.
func BenchmarkUnmarshalAndProcess(b *testing.B) {
	stages := []struct {
		name                  string
		redaction, evaluation bool
	}{
		{"normalize+price", false, false},
		{"normalize+price+redact", true, false},
		{"normalize+price+evaluate+redact", true, true},
	}
	for _, stage := range stages {
		for _, conv := range benchConventions {
			b.Run(stage.name+"/"+conv, func(b *testing.B) {
				cfg := createDefaultConfig()
				cfg.Redaction.Enabled = stage.redaction
				cfg.Evaluation.Enabled = stage.evaluation
				tp, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
				if err != nil {
					b.Fatal(err)
				}
				defer func() { _ = tp.Shutdown(context.Background()) }()
				inputs := benchInputs(b, conv)
				var u ptrace.ProtoUnmarshaler
				ctx := context.Background()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					td, err := u.UnmarshalTraces(inputs[i%len(inputs)])
					if err != nil {
						b.Fatal(err)
					}
					if err := tp.ConsumeTraces(ctx, td); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// TestBenchSpansAreRealistic keeps the benchmark honest: every convention's span carries
// about 2 KB of message content.
func TestBenchSpansAreRealistic(t *testing.T) {
	for _, conv := range benchConventions {
		td := benchSpan(conv, false)
		n := 0
		span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		count := func(_ string, v pcommon.Value) bool {
			if v.Type() == pcommon.ValueTypeStr && (len(v.Str()) > 60 || strings.Contains(v.Str(), " ")) {
				n += len(v.Str())
			}
			return true
		}
		span.Attributes().Range(count)
		for i := 0; i < span.Events().Len(); i++ {
			span.Events().At(i).Attributes().Range(count)
		}
		if n < 1500 || n > 3000 {
			t.Errorf("%s: %d bytes of content, want about 2 KB", conv, n)
		}
	}
}

// BenchmarkEvaluationShare measures what the built-in evaluators add to the processor, on a
// shared and noisy machine: each iteration runs a request through the processor without
// and then with the evaluators, alternately, and measures each call's CPU time on its own
// OS thread (other processes' load does not count). It reports both costs per span and the
// evaluators' share of the processor without them: from the sums (evaluators-%) and the
// median over the pairs (evaluators-%-median). Requests are either the same every
// time (repeated: every clean text is in the redactor's cache after the first pass) or
// fresh (freshRequests: new answers and user turns, as in real traffic).
func BenchmarkEvaluationShare(b *testing.B) {
	for _, conv := range benchConventions {
		for _, traffic := range []string{"fresh", "repeated"} {
			b.Run(conv+"/"+traffic, func(b *testing.B) {
				newProc := func(evaluation bool) func(ptrace.Traces) {
					cfg := createDefaultConfig()
					cfg.Evaluation.Enabled = evaluation
					tp, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
					return func(td ptrace.Traces) {
						if err := tp.ConsumeTraces(context.Background(), td); err != nil {
							b.Fatal(err)
						}
					}
				}
				without, with := newProc(false), newProc(true)
				var decode func() ptrace.Traces
				if traffic == "fresh" {
					fresh := newFreshRequests(b, conv)
					decode = func() ptrace.Traces { return fresh.request(b) }
				} else {
					input := benchInputs(b, conv)[0]
					decode = func() ptrace.Traces {
						td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(input)
						if err != nil {
							b.Fatal(err)
						}
						return td
					}
				}
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				var cpuWithout, cpuWith time.Duration
				var added []float64 // per iteration, % of the processor without the evaluators
				for b.Loop() {
					td := decode()
					t0 := cputime.Thread()
					without(td)
					t1 := cputime.Thread()
					td = decode()
					t2 := cputime.Thread()
					with(td)
					t3 := cputime.Thread()
					cpuWithout += t1 - t0
					cpuWith += t3 - t2
					added = append(added, 100*float64((t3-t2)-(t1-t0))/float64(t1-t0))
				}
				spans := float64(b.N * benchBatch)
				b.ReportMetric(float64(cpuWithout.Nanoseconds())/spans, "cpu-ns/span-without")
				b.ReportMetric(float64(cpuWith.Nanoseconds())/spans, "cpu-ns/span-with")
				b.ReportMetric(100*float64(cpuWith-cpuWithout)/float64(cpuWithout), "evaluators-%")
				// The median of the pairs: a pair's two calls run a few milliseconds apart,
				// under the same load, and a burst of the neighbours' load (or a GC
				// assist) that falls on one call of a pair moves the median little,
				// where it moves the ratio of the sums above by its whole size.
				slices.Sort(added)
				b.ReportMetric(added[len(added)/2], "evaluators-%-median")
			})
		}
	}
}
