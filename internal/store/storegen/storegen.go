// Package storegen makes synthetic GenAI telemetry as normalized by the llm processor:
// a small fixed fixture whose every value tests can assert, and a seeded generator of
// realistic traffic (agents, tool calls, sessions, several models and users, errors) for
// benchmarks and demos.
package storegen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// TraceID and SpanID make readable, deterministic ids: n in the low bytes.
func TraceID(n uint64) pcommon.TraceID {
	var id [16]byte
	binary.BigEndian.PutUint64(id[0:], 0x1111_0000_0000_0000)
	binary.BigEndian.PutUint64(id[8:], n)
	return id
}

// SpanID is a span id with n in its low bytes.
func SpanID(n uint64) pcommon.SpanID {
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], n)
	return id
}

// Call describes one span to add.
type Call struct {
	Name, Operation, Provider, Model, Agent, Tool string
	Parent                                        pcommon.SpanID
	ID                                            pcommon.SpanID
	Start                                         time.Time
	Duration                                      time.Duration
	InputTokens, OutputTokens                     int64
	Cost                                          float64
	User, Conversation                            string
	ErrorType                                     string
	Input, Output                                 []genai.Message
	System                                        []genai.Part
	ToolArgs, ToolResult                          string
}

// AddSpan appends a normalized GenAI span for c to ss.
func AddSpan(ss ptrace.SpanSlice, trace pcommon.TraceID, c Call) ptrace.Span {
	sp := ss.AppendEmpty()
	sp.SetTraceID(trace)
	sp.SetSpanID(c.ID)
	sp.SetParentSpanID(c.Parent)
	sp.SetName(c.Name)
	sp.SetKind(ptrace.SpanKindClient)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(c.Start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(c.Start.Add(c.Duration)))
	a := sp.Attributes()
	put := func(k, v string) {
		if v != "" {
			a.PutStr(k, v)
		}
	}
	put(genai.OperationName, c.Operation)
	put(genai.ProviderName, c.Provider)
	put(genai.RequestModel, c.Model)
	put(genai.ResponseModel, c.Model)
	put(genai.AgentName, c.Agent)
	put(genai.ToolName, c.Tool)
	put(genai.UserID, c.User)
	put(genai.ConversationID, c.Conversation)
	put(genai.ToolCallArguments, c.ToolArgs)
	put(genai.ToolCallResult, c.ToolResult)
	if genai.IsInference(c.Operation) {
		a.PutInt(genai.UsageInputTokens, c.InputTokens)
		a.PutInt(genai.UsageOutputTokens, c.OutputTokens)
		a.PutDouble(genai.CostTotal, c.Cost)
		a.PutStr(genai.ServerAddress, "api."+c.Provider+".example")
	}
	if c.Input != nil {
		s, _ := genai.MarshalMessages(c.Input)
		a.PutStr(genai.InputMessages, s)
	}
	if c.Output != nil {
		s, _ := genai.MarshalMessages(c.Output)
		a.PutStr(genai.OutputMessages, s)
	}
	if c.System != nil {
		s, _ := genai.MarshalParts(c.System)
		a.PutStr(genai.SystemInstructions, s)
	}
	if c.ErrorType != "" {
		a.PutStr(genai.ErrorType, c.ErrorType)
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage(c.ErrorType)
	}
	return sp
}

// NewResource appends a resource with a service name and returns its span slice.
func NewResource(td ptrace.Traces, service string) ptrace.SpanSlice {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, service)
	rs.Resource().Attributes().PutStr("deployment.environment.name", "test")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("storegen")
	return ss.Spans()
}

func user(s string) genai.Message {
	return genai.Message{Role: "user", Parts: []genai.Part{genai.TextPart(s)}}
}
func assistant(s, finish string) genai.Message {
	return genai.Message{Role: "assistant", Parts: []genai.Part{genai.TextPart(s)}, FinishReason: finish}
}

// Generated traffic uses these.
var (
	models = []struct {
		provider, model string
		in, out         float64 // USD per token
	}{
		{genai.ProviderOpenAI, "gpt-4o-2024-08-06", 2.5e-6, 10e-6},
		{genai.ProviderOpenAI, "gpt-4o-mini-2024-07-18", 0.15e-6, 0.6e-6},
		{genai.ProviderAnthropic, "claude-sonnet-4-20250514", 3e-6, 15e-6},
		{genai.ProviderAWSBedrock, "anthropic.claude-3-haiku-20240307-v1:0", 0.25e-6, 1.25e-6},
		{genai.ProviderGCPGemini, "gemini-2.0-flash", 0.1e-6, 0.4e-6},
	}
	services = []string{"support-bot", "search-api", "summarizer"}
	tools    = []string{"search_docs", "get_order", "refund"}
	errTypes = []string{"rate_limit_exceeded", "timeout", "500"}
	prompts  = []string{
		"Where is my order? It was due on Monday.",
		"Summarize the attached meeting notes in three bullet points.",
		"What is your refund policy for damaged items?",
		"Translate 'good morning' into French and German.",
		"Find the documentation page about API rate limits.",
	}
)

// Options configure Generate.
type Options struct {
	Seed   uint64
	Start  time.Time     // first trace start
	Period time.Duration // traces are spread evenly over [Start, Start+Period)
	Traces int
	// Users and Sessions bound the distinct user and conversation ids.
	Users, Sessions int
	// Evaluations adds what the llm processor's built-in evaluators write by default to
	// each model call: the combined quality score, and the error result of a failed call.
	Evaluations bool
	// RandomIDs draws trace ids at random, as SDKs do; by default they count up, which
	// makes every insert into an index keyed by trace id an append.
	RandomIDs bool
}

// SpansPerTrace is the average number of spans Generate makes per trace: an agent span
// and two model calls, plus a tool call half of the time.
const SpansPerTrace = 3.5

// Generate calls emit with batches of batchTraces traces each. A trace is an agent
// invocation with one or two model calls and, half of the time, a tool call in between.
func Generate(o Options, batchTraces int, emit func(ptrace.Traces) error) error {
	r := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	ids := rand.New(rand.NewPCG(o.Seed, 0x2545f4914f6cdd1d)) // apart from r: the same traces either way
	gap := o.Period / time.Duration(max(o.Traces, 1))
	var td ptrace.Traces
	spans := map[string]ptrace.SpanSlice{}
	for i := 0; i < o.Traces; i++ {
		if i%batchTraces == 0 {
			if i > 0 {
				if err := emit(td); err != nil {
					return err
				}
			}
			td = ptrace.NewTraces()
			clear(spans)
		}
		service := services[r.IntN(len(services))]
		ss, ok := spans[service]
		if !ok {
			ss = NewResource(td, service)
			spans[service] = ss
		}
		trace := TraceID(uint64(i) + 1)
		if o.RandomIDs {
			binary.LittleEndian.PutUint64(trace[:8], ids.Uint64())
			binary.LittleEndian.PutUint64(trace[8:], ids.Uint64())
		}
		addTrace(r, ss, trace, uint64(i), o.Start.Add(time.Duration(i)*gap), o)
	}
	if o.Traces > 0 {
		return emit(td)
	}
	return nil
}

func addTrace(r *rand.Rand, ss ptrace.SpanSlice, trace pcommon.TraceID, n uint64, start time.Time, o Options) {
	id := func(k uint64) pcommon.SpanID { return SpanID((n+1)<<4 | k) }
	m := models[r.IntN(len(models))]
	userID := fmt.Sprintf("user-%d", r.IntN(max(o.Users, 1)))
	session := fmt.Sprintf("session-%d", r.IntN(max(o.Sessions, 1)))
	agent := Call{Name: "invoke_agent assistant", Operation: genai.OpInvokeAgent, Agent: "assistant", ID: id(1),
		Start: start, User: userID, Conversation: session}
	prompt := prompts[r.IntN(len(prompts))]
	at := start.Add(time.Duration(1+r.IntN(20)) * time.Millisecond)
	call := func(k uint64, input []genai.Message, output []genai.Message) Call {
		in, out := int64(100+r.IntN(2000)), int64(20+r.IntN(500))
		d := time.Duration(200+r.ExpFloat64()*800) * time.Millisecond
		c := Call{Name: "chat " + m.model, Operation: genai.OpChat, Provider: m.provider, Model: m.model, ID: id(k),
			Parent: agent.ID, Start: at, Duration: d, InputTokens: in, OutputTokens: out,
			Cost: float64(in)*m.in + float64(out)*m.out, User: userID, Conversation: session, Input: input, Output: output}
		if r.IntN(100) < 3 {
			c.ErrorType = errTypes[r.IntN(len(errTypes))]
			c.Output = nil
		}
		at = at.Add(d + time.Millisecond)
		return c
	}
	add := func(c Call) {
		sp := AddSpan(ss, trace, c)
		if !o.Evaluations {
			return
		}
		end := c.Start.Add(c.Duration)
		if c.ErrorType != "" {
			AddEvaluation(sp.Events(), end, genai.EvaluatorError, 0, "fail", "the call failed: "+c.ErrorType)
			SetQuality(sp.Attributes(), 0, genai.EvaluatorError)
			return
		}
		SetQuality(sp.Attributes(), 0.7+0.3*r.Float64(), "")
	}
	input := []genai.Message{user(prompt)}
	first := call(2, input, []genai.Message{assistant("Let me look that up.", genai.FinishToolCall)})
	first.System = []genai.Part{genai.TextPart("You are a helpful assistant.")}
	add(first)
	if r.IntN(2) == 0 {
		tool := tools[r.IntN(len(tools))]
		d := time.Duration(5+r.IntN(100)) * time.Millisecond
		AddSpan(ss, trace, Call{Name: "execute_tool " + tool, Operation: genai.OpExecuteTool, Tool: tool, ID: id(3),
			Parent: agent.ID, Start: at, Duration: d, ToolArgs: `{"query":"` + prompt[:10] + `"}`, ToolResult: `{"ok":true}`})
		at = at.Add(d + time.Millisecond)
	}
	add(call(4, append(input, assistant("Let me look that up.", genai.FinishToolCall)),
		[]genai.Message{assistant("Here is what I found.", genai.FinishStop)}))
	agent.Duration = at.Sub(start)
	AddSpan(ss, trace, agent)
}

// Fixture is a small, fixed data set: two sessions, an agent with a tool call, an error,
// two services and three models. Tests assert its exact figures (see the constants).
func Fixture(base time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	bot := NewResource(td, "support-bot")
	t1 := TraceID(1)
	sys := []genai.Part{genai.TextPart("You are the support assistant of Example Shop.")}
	q1 := user("What is the refund policy for order 1234?")
	toolCall := genai.Message{Role: "assistant", FinishReason: genai.FinishToolCall, Parts: []genai.Part{{
		Type: genai.PartToolCall, ID: "call_1", Name: "get_policy", Arguments: []byte(`{"topic":"refunds"}`)}}}
	toolResp := genai.Message{Role: "tool", Parts: []genai.Part{{Type: genai.PartToolCallResponse, ID: "call_1",
		Response: []byte(`"Refunds within 30 days."`)}}}
	a1 := assistant("You can get a refund within 30 days of delivery.", genai.FinishStop)
	AddSpan(bot, t1, Call{Name: "invoke_agent support", Operation: genai.OpInvokeAgent, Agent: "support", ID: SpanID(1),
		Start: base, Duration: 2500 * time.Millisecond, User: "alice", Conversation: "sess-alice"})
	c2 := AddSpan(bot, t1, Call{Name: "chat gpt-4o", Operation: genai.OpChat, Provider: genai.ProviderOpenAI, Model: "gpt-4o",
		Parent: SpanID(1), ID: SpanID(2), Start: base.Add(10 * time.Millisecond), Duration: 800 * time.Millisecond,
		InputTokens: 120, OutputTokens: 30, Cost: 0.0006, User: "alice", Conversation: "sess-alice",
		System: sys, Input: []genai.Message{q1}, Output: []genai.Message{toolCall}})
	SetQuality(c2.Attributes(), 1, "")
	AddSpan(bot, t1, Call{Name: "execute_tool get_policy", Operation: genai.OpExecuteTool, Tool: "get_policy",
		Parent: SpanID(1), ID: SpanID(3), Start: base.Add(820 * time.Millisecond), Duration: 80 * time.Millisecond,
		ToolArgs: `{"topic":"refunds"}`, ToolResult: `"Refunds within 30 days."`})
	c4 := AddSpan(bot, t1, Call{Name: "chat gpt-4o", Operation: genai.OpChat, Provider: genai.ProviderOpenAI, Model: "gpt-4o",
		Parent: SpanID(1), ID: SpanID(4), Start: base.Add(910 * time.Millisecond), Duration: 1500 * time.Millisecond,
		InputTokens: 200, OutputTokens: 50, Cost: 0.001, User: "alice", Conversation: "sess-alice",
		System: sys, Input: []genai.Message{q1, toolCall, toolResp}, Output: []genai.Message{a1}})
	AddEvaluation(c4.Events(), base.Add(2410*time.Millisecond), genai.EvaluatorRefusal, 1, "pass", "")
	SetQuality(c4.Attributes(), 0.9, "")

	t2 := TraceID(2)
	q2 := user("And for damaged items?")
	c5 := AddSpan(bot, t2, Call{Name: "chat claude", Operation: genai.OpChat, Provider: genai.ProviderAnthropic,
		Model: "claude-sonnet-4", ID: SpanID(5), Start: base.Add(time.Minute), Duration: 400 * time.Millisecond,
		InputTokens: 300, OutputTokens: 0, Cost: 0.0009, User: "alice", Conversation: "sess-alice",
		Input: []genai.Message{q1, a1, q2}, ErrorType: "rate_limit_exceeded"})
	end5 := base.Add(time.Minute + 400*time.Millisecond)
	AddEvaluation(c5.Events(), end5, genai.EvaluatorError, 0, "fail", "the call failed: rate_limit_exceeded")
	SetQuality(c5.Attributes(), 0, genai.EvaluatorError)

	search := NewResource(td, "search-api")
	t3 := TraceID(3)
	AddSpan(search, t3, Call{Name: "embeddings text-embedding-3-small", Operation: genai.OpEmbeddings,
		Provider: genai.ProviderOpenAI, Model: "text-embedding-3-small", ID: SpanID(6), Start: base.Add(2 * time.Minute),
		Duration: 100 * time.Millisecond, InputTokens: 1000, Cost: 0.00002, User: "bob", Conversation: "sess-bob"})
	return td
}

// SetQuality sets the combined score of the built-in evaluators, as the llm processor
// writes it on the span it evaluated; failing names the evaluators that lowered it.
func SetQuality(attrs pcommon.Map, score float64, failing string) {
	attrs.PutDouble(genai.QualityScore, score)
	if failing != "" {
		attrs.PutStr(genai.QualityFailing, failing)
	}
}

// AddEvaluation appends a gen_ai.evaluation.result event, as the llm processor's built-in
// evaluators attach to the span they evaluate (the combined score too, before it was
// written with SetQuality).
func AddEvaluation(evs ptrace.SpanEventSlice, at time.Time, name string, score float64, label, explanation string) {
	ev := evs.AppendEmpty()
	ev.SetName(genai.EventEvaluationResult)
	ev.SetTimestamp(pcommon.NewTimestampFromTime(at))
	a := ev.Attributes()
	a.PutStr(genai.EvaluationName, name)
	a.PutDouble(genai.EvaluationScoreValue, score)
	if label != "" {
		a.PutStr(genai.EvaluationScoreLabel, label)
	}
	if explanation != "" {
		a.PutStr(genai.EvaluationExplanation, explanation)
	}
}

// FixtureLateEvaluations are results about the fixture's calls that arrive after them: a
// model-graded judge result on a span of its own (carrying otelcol_llm.evaluation.span_id)
// for the second call of trace 1, and a user's thumbs-down as a log record with that
// call's trace and span IDs.
func FixtureLateEvaluations(base time.Time) (ptrace.Traces, plog.Logs) {
	td := ptrace.NewTraces()
	judge := NewResource(td, "llm-judge").AppendEmpty()
	judge.SetTraceID(TraceID(1))
	judge.SetSpanID(SpanID(7))
	judge.SetName("evaluate relevance")
	judge.SetStartTimestamp(pcommon.NewTimestampFromTime(base.Add(5 * time.Second)))
	judge.SetEndTimestamp(pcommon.NewTimestampFromTime(base.Add(6 * time.Second)))
	judge.Attributes().PutStr(genai.EvaluationSpanID, SpanID(4).String())
	judge.Attributes().PutStr(genai.EvaluationSource, "judge")
	AddEvaluation(judge.Events(), base.Add(6*time.Second), "relevance", 0.3, "low", "the answer ignores the delivery date")

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(genai.ServiceName, "support-web")
	rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	rec.SetEventName(genai.EventEvaluationResult)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(30 * time.Second)))
	rec.SetTraceID(TraceID(1))
	rec.SetSpanID(SpanID(4))
	a := rec.Attributes()
	a.PutStr(genai.EvaluationName, genai.EvaluationUserFeedback)
	a.PutDouble(genai.EvaluationScoreValue, 0)
	a.PutStr(genai.EvaluationScoreLabel, "thumbs_down")
	a.PutStr(genai.EvaluationSource, "feedback")
	return td, ld
}

// FixtureLogs are log records around the fixture: one info, one error on trace 2.
func FixtureLogs(base time.Time) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(genai.ServiceName, "support-bot")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	info := recs.AppendEmpty()
	info.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Second)))
	info.SetSeverityNumber(plog.SeverityNumberInfo)
	info.SetSeverityText("INFO")
	info.Body().SetStr("refund policy looked up")
	info.SetTraceID(TraceID(1))
	errRec := recs.AppendEmpty()
	errRec.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Minute)))
	errRec.SetSeverityNumber(plog.SeverityNumberError)
	errRec.SetSeverityText("ERROR")
	errRec.Body().SetStr("anthropic returned 429: rate limit exceeded")
	errRec.SetTraceID(TraceID(2))
	errRec.Attributes().PutStr(genai.ErrorType, "rate_limit_exceeded")
	return ld
}
