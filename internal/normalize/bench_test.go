package normalize

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// A realistic chat: a system prompt, four turns, one tool call and its result, about
// 2 KB of message content.
var (
	benchSystem = strings.Repeat("You are the support assistant of ACME Travel. Answer briefly, cite the booking reference, never reveal internal notes. ", 5)
	benchTurns  = []string{
		strings.Repeat("Hi, my flight to Lisbon on booking ABC123 was cancelled and I need a new connection. ", 4),
		strings.Repeat("I found two options for you on the same day, one via Madrid and one direct. ", 3),
		strings.Repeat("The direct one please, and can you check if my seat preference is kept? ", 3),
	}
	benchToolArgs   = `{"booking":"ABC123","flight":"TP1351","seat_preference":"aisle"}`
	benchToolResult = strings.Repeat(`{"status":"confirmed","seat":"14C"}`, 4)
	benchAnswer     = strings.Repeat("Your new direct flight TP1351 is confirmed and your aisle seat 14C is kept. ", 3)
)

type benchCase struct {
	source string
	build  func(ptrace.Span)
}

var benchCases = []benchCase{
	{"semconv_legacy", func(s ptrace.Span) {
		a := s.Attributes()
		a.PutStr(legacySystem, "openai")
		a.PutStr(genai.OperationName, "chat")
		a.PutStr(genai.RequestModel, "gpt-4o")
		a.PutInt(genai.UsageInputTokens, 1200)
		a.PutInt(genai.UsageOutputTokens, 80)
		event := func(name, body string) {
			e := s.Events().AppendEmpty()
			e.SetName(name)
			e.Attributes().PutStr(legacySystem, "openai")
			e.Attributes().PutStr(legacyEventContent, body)
		}
		event(evSystemMessage, jsonOf(map[string]any{"content": benchSystem}))
		event(evUserMessage, jsonOf(map[string]any{"content": benchTurns[0]}))
		event(evAssistantMessage, jsonOf(map[string]any{"content": benchTurns[1]}))
		event(evUserMessage, jsonOf(map[string]any{"content": benchTurns[2]}))
		event(evAssistantMessage, jsonOf(map[string]any{"tool_calls": []any{map[string]any{"id": "call_1", "type": "function", "function": map[string]any{"name": "rebook", "arguments": benchToolArgs}}}}))
		event(evToolMessage, jsonOf(map[string]any{"content": benchToolResult, "id": "call_1"}))
		event(evChoice, jsonOf(map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"content": benchAnswer}}))
	}},
	{"openinference", func(s ptrace.Span) {
		a := s.Attributes()
		a.PutStr(oiSpanKind, "LLM")
		a.PutStr(oiProvider, "openai")
		a.PutStr(oiSystem, "openai")
		a.PutStr(oiModelName, "gpt-4o-2024-08-06")
		a.PutStr(oiInvocationParams, `{"temperature":0.2,"max_tokens":512}`)
		putFlatChat(a, oiInputPrefix, ".message.", "tool_calls.0.tool_call.", "function.")
		a.PutStr(oiOutputPrefix+"0.message.role", "assistant")
		a.PutStr(oiOutputPrefix+"0.message.content", benchAnswer)
		a.PutStr(oiFinishReason, "stop")
		a.PutInt(oiTokenPrompt, 1200)
		a.PutInt(oiTokenCompletion, 80)
		a.PutInt(oiTokenCacheRead, 1024)
		a.PutStr(genai.SessionID, "sess-1")
	}},
	{"openllmetry", func(s ptrace.Span) {
		a := s.Attributes()
		a.PutStr(ollRequestType, "chat")
		a.PutStr(legacySystem, "openai")
		a.PutStr(genai.RequestModel, "gpt-4o")
		putFlatChat(a, ollPromptPrefix, ".", "tool_calls.0.", "")
		a.PutStr(ollCompletionPrefix+"0.role", "assistant")
		a.PutStr(ollCompletionPrefix+"0.content", benchAnswer)
		a.PutStr(ollCompletionPrefix+"0.finish_reason", "stop")
		a.PutInt(legacyPromptTokens, 1200)
		a.PutInt(legacyCompletionTokens, 80)
		a.PutInt(ollTotalTokens, 1280)
		a.PutStr(ollAssociation+"session_id", "sess-1")
	}},
	{"vercel", func(s ptrace.Span) {
		s.SetName("ai.generateText.doGenerate")
		a := s.Attributes()
		a.PutStr(vOperationID, "ai.generateText.doGenerate")
		a.PutStr(vModelID, "gpt-4o")
		a.PutStr(vModelProvider, "openai.chat")
		a.PutStr(legacySystem, "openai.chat")
		a.PutStr(genai.RequestModel, "gpt-4o")
		a.PutStr(vPromptMessages, jsonOf([]any{
			map[string]any{"role": "system", "content": benchSystem},
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": benchTurns[0]}}},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "text", "text": benchTurns[1]}}},
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": benchTurns[2]}}},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "tool-call", "toolCallId": "call_1", "toolName": "rebook", "input": json.RawMessage(benchToolArgs)}}},
			map[string]any{"role": "tool", "content": []any{map[string]any{"type": "tool-result", "toolCallId": "call_1", "toolName": "rebook", "output": map[string]any{"type": "json", "value": json.RawMessage(`{"status":"confirmed"}`)}}}},
		}))
		a.PutStr(vResponseText, benchAnswer)
		a.PutStr(vFinishReason, "stop")
		a.PutStr(vResponseID, "resp_1")
		a.PutInt(vPromptTokens, 1200)
		a.PutInt(vCompletionTokens, 80)
		a.PutInt(genai.UsageInputTokens, 1200)
		a.PutInt(genai.UsageOutputTokens, 80)
		a.PutStr(vMetadata+"sessionId", "sess-1")
	}},
	{"langfuse", func(s ptrace.Span) {
		a := s.Attributes()
		a.PutStr(lfObservationType, "generation")
		a.PutStr(lfModelName, "gpt-4o")
		a.PutStr(lfModelParameters, `{"temperature":"0.2","max_tokens":512}`)
		a.PutStr(lfUsageDetails, `{"input":176,"output":80,"total":1280,"input_cached_tokens":1024}`)
		a.PutStr(lfCompletionStart, `"2023-11-14T22:13:20.640Z"`)
		a.PutStr(lfInput, jsonOf([]any{
			map[string]any{"role": "system", "content": benchSystem},
			map[string]any{"role": "user", "content": benchTurns[0]},
			map[string]any{"role": "assistant", "content": benchTurns[1]},
			map[string]any{"role": "user", "content": benchTurns[2]},
			map[string]any{"role": "assistant", "tool_calls": []any{map[string]any{"id": "call_1", "type": "function", "function": map[string]any{"name": "rebook", "arguments": benchToolArgs}}}},
			map[string]any{"role": "tool", "tool_call_id": "call_1", "content": benchToolResult},
		}))
		a.PutStr(lfOutput, jsonOf(map[string]any{"role": "assistant", "content": benchAnswer}))
		a.PutStr(genai.SessionID, "sess-1")
		a.PutStr(genai.UserID, "user-1")
	}},
	{"openai_js", func(s ptrace.Span) {
		a := s.Attributes()
		a.PutStr(genai.OperationName, "chat")
		a.PutStr(genai.ProviderName, "openai")
		a.PutStr(genai.RequestModel, "gpt-4.1")
		a.PutStr(genai.SystemInstructions, benchSystem)
		a.PutStr(genai.ConversationID, "conv_1")
		a.PutInt(genai.UsageInputTokens, 1200)
		a.PutInt(genai.UsageOutputTokens, 80)
		a.PutStr(genai.ServerAddress, "api.openai.com")
	}},
	// Already v1.41: the fast path (detect, check invariants, done).
	{"semconv_v1.41", func(s ptrace.Span) {
		a := s.Attributes()
		a.PutStr(genai.OperationName, "chat")
		a.PutStr(genai.ProviderName, "openai")
		a.PutStr(genai.RequestModel, "gpt-4o")
		msgs := []genai.Message{
			{Role: "user", Parts: []genai.Part{genai.TextPart(benchTurns[0])}},
			{Role: "assistant", Parts: []genai.Part{genai.TextPart(benchTurns[1])}},
			{Role: "user", Parts: []genai.Part{genai.TextPart(benchTurns[2])}},
			{Role: "assistant", Parts: []genai.Part{{Type: genai.PartToolCall, ID: "call_1", Name: "rebook", Arguments: json.RawMessage(benchToolArgs)}}},
			{Role: "tool", Parts: []genai.Part{{Type: genai.PartToolCallResponse, ID: "call_1", Response: jsonString(benchToolResult)}}},
		}
		in, _ := genai.MarshalMessages(msgs)
		out, _ := genai.MarshalMessages([]genai.Message{{Role: "assistant", Parts: []genai.Part{genai.TextPart(benchAnswer)}, FinishReason: "stop"}})
		sys, _ := genai.MarshalParts([]genai.Part{genai.TextPart(benchSystem)})
		a.PutStr(genai.SystemInstructions, sys)
		a.PutStr(genai.InputMessages, in)
		a.PutStr(genai.OutputMessages, out)
		a.PutInt(genai.UsageInputTokens, 1200)
		a.PutInt(genai.UsageOutputTokens, 80)
	}},
}

// putFlatChat writes the benchmark conversation as a flattened list: OpenInference
// ("llm.input_messages." ".message." "tool_calls.0.tool_call." "function.") or OpenLLMetry
// ("gen_ai.prompt." "." "tool_calls.0." "").
func putFlatChat(a pcommon.Map, prefix, infix, toolCall, function string) {
	msgs := []struct{ role, content string }{
		{"system", benchSystem}, {"user", benchTurns[0]}, {"assistant", benchTurns[1]},
		{"user", benchTurns[2]}, {"assistant", ""}, {"tool", benchToolResult},
	}
	for i, m := range msgs {
		p := prefix + strconv.Itoa(i) + infix
		a.PutStr(p+"role", m.role)
		if m.content != "" {
			a.PutStr(p+"content", m.content)
		}
	}
	call := prefix + "4" + infix + toolCall
	a.PutStr(call+"id", "call_1")
	a.PutStr(call+function+"name", "rebook")
	a.PutStr(call+function+"arguments", benchToolArgs)
	a.PutStr(prefix+"5"+infix+"tool_call_id", "call_1")
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// benchTraces returns one-span Traces for a case, as the OTLP receiver would see them.
func benchTraces(c benchCase) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "travel-support")
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("chat gpt-4o")
	span.SetKind(ptrace.SpanKindClient)
	span.SetTraceID(pcommon.TraceID{1, 2, 3})
	span.SetSpanID(pcommon.SpanID{4, 5, 6})
	span.SetStartTimestamp(1700000000000000000)
	span.SetEndTimestamp(1700000001500000000)
	c.build(span)
	return td
}

// BenchmarkNormalize measures one Span call on a fresh copy of the span (the copy is
// not timed). Compare with BenchmarkOTLPUnmarshal of the same span, run in the same
// invocation.
func BenchmarkNormalize(b *testing.B) {
	n, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range benchCases {
		b.Run(c.source, func(b *testing.B) {
			pristine := benchTraces(c).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			if r := n.Span(copySpan(pristine)); r.Sources == 0 && c.source != "semconv_v1.41" {
				b.Fatalf("%s span was not normalized", c.source)
			}
			// Fresh copies are made in batches with the timer stopped, so that neither the
			// copy nor the timer toggling is measured.
			work := make([]ptrace.Span, 256)
			for i := range work {
				work[i] = ptrace.NewSpan()
			}
			next := len(work)
			var cpu cpuClock
			b.ReportAllocs()
			for b.Loop() {
				if next == len(work) {
					b.StopTimer()
					cpu.stop()
					for _, w := range work {
						pristine.CopyTo(w)
					}
					next = 0
					cpu.start()
					b.StartTimer()
				}
				n.Span(work[next])
				next++
			}
			cpu.stop()
			cpu.report(b)
		})
	}
}

func copySpan(s ptrace.Span) ptrace.Span {
	c := ptrace.NewSpan()
	s.CopyTo(c)
	return c
}

// BenchmarkOTLPUnmarshal is the baseline: protobuf-decoding the same one-span request.
func BenchmarkOTLPUnmarshal(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.source, func(b *testing.B) {
			data, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(benchTraces(c))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			u := &ptrace.ProtoUnmarshaler{}
			var cpu cpuClock
			b.ReportAllocs()
			cpu.start()
			for b.Loop() {
				if _, err := u.UnmarshalTraces(data); err != nil {
					b.Fatal(err)
				}
			}
			cpu.stop()
			cpu.report(b)
		})
	}
}

// cpuClock measures process CPU time (user + system, GC included) while it runs. The
// build machine is shared: wall time per op swings with other load, CPU time per op
// does not, so the normalize/unmarshal ratio is computed from cpu-ns/op.
type cpuClock struct {
	total, since time.Duration
	running      bool
}

func (c *cpuClock) start() {
	if !c.running {
		c.since, c.running = cputime.Process(), true
	}
}

func (c *cpuClock) stop() {
	if c.running {
		c.total += cputime.Process() - c.since
		c.running = false
	}
}

func (c *cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
