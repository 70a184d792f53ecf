package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pii"
	"github.com/otelcol-llm/otelcol-llm/internal/redact/chatcorpus"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// The chat spans are what an application instrumented with the GenAI semantic
// conventions v1.41 sends for a support assistant: a system prompt, a short history, the
// user's question, the answer, and one span in five carrying personal data or a
// credential that the user pasted (chatcorpus.Sensitive). The text is prose with the
// numbers, dates, versions and order ids that make real conversations expensive to scan.
// These pools are the chat corpus; the conversation corpora come from chatcorpus.
var (
	history = [][2]string{
		{"Hi, my parcel from order #100234567 has not arrived yet, it was supposed to come on Monday. Can you check where it is?",
			"Of course! Order #100234567 left our warehouse on 2024-01-12 and the carrier shows it at the Rotterdam hub (scan at 10:32). It should arrive within 2-3 business days."},
		{"The deployment of checkout-api failed again with exit code 137 after I bumped the memory request to 512Mi. What should I look at first?",
			"Exit code 137 means the container was killed, usually by the OOM killer. Check `kubectl describe pod` for OOMKilled, compare the limit (not the request) with the peak RSS, and look at the last 200 lines of logs before the restart."},
		{"We are 4 people flying from Berlin to Lisbon on March 3rd and back on the 10th. Budget around 300 EUR each, hand luggage only.",
			"Here are three options: TAP via direct flight at 289 EUR per person (free cancellation until 48 h before departure), easyJet at 214 EUR (no refunds), and Lufthansa via Frankfurt at 331 EUR with one checked bag included."},
		{"Hello again, the app crashes when I open the order history on Android 14 (app version 5.2.1). I tried reinstalling twice and clearing the cache.",
			"Thanks for the details. Version 5.2.1 has a known issue with very long order histories on Android 14; 5.2.2 fixes it and is rolling out today. Until then, filtering the history to the last 90 days avoids the crash."},
	}
	questions = []string{
		"Can you also tell me whether I can still change the delivery address to my office? The box contains the blue 42 size shoes and a gift card, so I would rather not have it left at the door.",
		"Could you write the Helm values change for me and explain how to roll it out to staging first? We use Argo CD with auto-sync disabled on production, and the chart is version 2.14.1.",
		"That sounds good, the second option please. Can you hold the seats for 24 hours while I confirm with the others, and tell me what happens if one of us has to cancel?",
		"Is there anything else I should do before the update arrives? I have about 340 orders in the history and I need the invoices from November for my tax return.",
	}
	answers = []string{
		"Thanks for waiting! I checked order #100234567: the carrier allows an address change until the parcel leaves the hub, so I have requested delivery to your office instead. You will get a confirmation e-mail within the hour, and the new estimated delivery date is Thursday between 9:00 and 13:00. If it has not arrived by Friday, reply here and I will open a ticket for you; refunds under 100 EUR are processed within 5 days after the return is received.",
		"Here is the change: set `resources.limits.memory` to 768Mi and keep the request at 512Mi in values-staging.yaml, then sync the staging application by hand in Argo CD and watch `kubectl top pod -l app=checkout-api` for 30 minutes. If the peak stays under 600Mi, copy the same values to production and sync it in the next change window (Tuesday 14:00 UTC).",
		"I have held two seats on easyJet flight U2 7531 for 24 hours at 214 EUR each; the fare has no refunds, but names can be changed until 2 hours before departure for 59 EUR per passenger. I will send you the payment link as soon as you confirm, and I can add a checked bag for 45 EUR per direction if anyone needs one.",
		"Nothing else is needed: the update installs itself from the Play Store. Your invoices stay available in the web shop under Account > Orders > Invoices, where you can download all November invoices as one PDF (there are 12 of them, from 2023-11-02 to 2023-11-29).",
	}
)

// Corpora that -corpus selects.
const (
	corpusChat          = "chat"          // unrelated calls from small text pools (seed 42)
	corpusConversations = "conversations" // 5 to 10 calls per conversation, history resent
	corpusUnique        = "unique"        // one call per conversation, nothing repeats
	corpusAgents        = "agents"        // agent runs: an agent span, model and tool calls (storegen)
)

// corpus is the fixed set of requests the generator cycles through: protobuf bodies of
// OTLP export requests, built once so that sending costs the client almost nothing.
// The bodies hold chatcorpus Refs, stamped with the number of the pass over the corpus
// when sent, so that each pass is new traces (and conversations). Each pass also moves
// every timestamp forward by the corpus's time span, as time moves for an application:
// a store's time-ordered indexes then grow at their end, as they do in production,
// instead of taking every pass's spans in the middle of the same hour.
type corpus struct {
	bodies       []chatcorpus.Template
	times        [][]int // offsets of the timestamps (fixed64 fields) in each body
	first, last  uint64  // the earliest and the latest timestamp of the corpus, ns
	spans        []int   // spans in each body
	spansPerBody int     // on average
	contentBytes int     // message content (input + output JSON) per span, on average
	piiShare     float64
}

// body is the n-th request to send: body n mod len(bodies), stamped with pass n/len and
// its timestamps moved forward by as many time spans of the corpus.
func (c *corpus) body(dst []byte, n int) []byte {
	i, pass := n%len(c.bodies), n/len(c.bodies)
	start := len(dst)
	dst = c.bodies[i].Stamp(dst, uint32(pass))
	shift := uint64(pass) * (c.last - c.first + uint64(time.Millisecond))
	for _, at := range c.times[i] {
		b := dst[start+at:]
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)+shift)
	}
	return dst
}

// timestamps returns the offsets in an encoded export request of the 8-byte values of
// fixed64 fields (start and end of spans, times of events) that lie in [lo, hi]: the
// request's timestamps. A run of content bytes would have to spell a wire type and a
// nanosecond time in that window to be taken for one.
func timestamps(body []byte, lo, hi uint64) []int {
	var at []int
	for i := 0; i+9 <= len(body); i++ {
		if body[i]&7 != 1 {
			continue
		}
		if v := binary.LittleEndian.Uint64(body[i+1:]); v >= lo && v <= hi {
			at = append(at, i+1)
			i += 8
		}
	}
	return at
}

// timeRange returns the earliest and the latest timestamp of td's spans and events.
func timeRange(td ptrace.Traces) (lo, hi uint64) {
	lo = ^uint64(0)
	see := func(ts pcommon.Timestamp) {
		lo, hi = min(lo, uint64(ts)), max(hi, uint64(ts))
	}
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				see(sp.StartTimestamp())
				see(sp.EndTimestamp())
				for _, ev := range sp.Events().All() {
					see(ev.Timestamp())
				}
			}
		}
	}
	return lo, hi
}

// spansIn is the number of spans in the n-th request.
func (c *corpus) spansIn(n int) int { return c.spans[n%len(c.spans)] }

// add appends a request of td's spans, whose trace ids end with a Ref.
func (c *corpus) add(td ptrace.Traces) error {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return err
	}
	lo, hi := timeRange(td)
	if len(c.bodies) == 0 {
		c.first, c.last = lo, hi
	}
	c.first, c.last = min(c.first, lo), max(c.last, hi)
	c.bodies = append(c.bodies, chatcorpus.NewTemplate(body))
	c.times = append(c.times, timestamps(body, lo, hi))
	c.spans = append(c.spans, td.SpanCount())
	return nil
}

// buildAgents makes about n requests of spansPerRequest spans of agent runs, as the
// store's benchmarks write them (storegen: an agent span, one or two chat calls with a
// few hundred bytes of messages, a tool call half of the time; 3 services, 200 users,
// 2,000 sessions).
func buildAgents(n, spansPerRequest int, seed uint64) (*corpus, error) {
	per := max(1, int(float64(spansPerRequest)/storegen.SpansPerTrace+0.5))
	c := &corpus{}
	content, spans, sensitive := 0, 0, 0
	scanner := pii.NewScanner(nil, nil)
	// Ten seconds of an application's runs a pass (each pass moves them forward): the
	// hour-first indexes of a store then fill an hour with hundreds of passes, as
	// production fills it with an hour of traffic.
	o := storegen.Options{Seed: seed, Start: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC), Period: 10 * time.Second,
		Traces: n * per, Users: 200, Sessions: 2000, RandomIDs: true}
	err := storegen.Generate(o, per, func(td ptrace.Traces) error {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					id := sp.TraceID()
					copy(id[8:], chatcorpus.Ref) // rewritten on every pass, as in callSpan
					sp.SetTraceID(id)
					a := sp.Attributes()
					in, out := genai.Str(a, genai.InputMessages), genai.Str(a, genai.OutputMessages)
					content += len(in) + len(out)
					if len(scanner.Scan(in, nil))+len(scanner.Scan(out, nil)) > 0 {
						sensitive++
					}
					spans++
				}
			}
		}
		return c.add(td)
	})
	if err != nil {
		return nil, err
	}
	c.spansPerBody, c.contentBytes, c.piiShare = spans/len(c.bodies), content/spans, float64(sensitive)/float64(spans)
	return c, nil
}

// buildCorpus makes n requests of spansPerRequest chat spans each, deterministically.
func buildCorpus(kind string, n, spansPerRequest int, seed uint64) (*corpus, error) {
	r := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	var calls []chatcorpus.Call
	switch kind {
	case corpusChat:
	case corpusConversations:
		calls = chatcorpus.Conversations(seed, chatcorpus.Shape{Calls: n * spansPerRequest, MinTurns: 5, MaxTurns: 10, PIIShare: 0.2})
	case corpusUnique:
		calls = chatcorpus.Conversations(seed, chatcorpus.Shape{Calls: n * spansPerRequest, MinTurns: 1, MaxTurns: 1, PIIShare: 0.2, UniqueSystemPrompts: true})
	case corpusAgents:
		return buildAgents(n, spansPerRequest, seed)
	default:
		return nil, fmt.Errorf("-corpus %q: use %s, %s, %s or %s", kind, corpusChat, corpusConversations, corpusUnique, corpusAgents)
	}
	c := &corpus{spansPerBody: spansPerRequest}
	content, spans, pii := 0, 0, 0
	start := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	for b := 0; b < n; b++ {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		res := rs.Resource().Attributes()
		res.PutStr(genai.ServiceName, []string{"support-bot", "platform-copilot", "travel-desk"}[b%3])
		res.PutStr("service.version", "1.8.3")
		res.PutStr("deployment.environment.name", "production")
		res.PutStr("telemetry.sdk.language", "python")
		res.PutStr("telemetry.sdk.name", "opentelemetry")
		res.PutStr("telemetry.sdk.version", "1.29.0")
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("opentelemetry.instrumentation.openai_v2")
		ss.Scope().SetVersion("2.1b0")
		for i := 0; i < spansPerRequest; i++ {
			var call chatcorpus.Call
			if calls == nil {
				var err error
				if call, err = chatCall(r, spans%5 == 0); err != nil {
					return nil, err
				}
				call.Conversation = int(r.Uint32())
			} else {
				call = calls[spans]
			}
			callSpan(ss.Spans().AppendEmpty(), r, start.Add(time.Duration(spans)*time.Millisecond), call)
			content += len(call.Input) + len(call.Output)
			spans++
			if call.PII {
				pii++
			}
		}
		if err := c.add(td); err != nil {
			return nil, err
		}
	}
	c.contentBytes = content / spans
	c.piiShare = float64(pii) / float64(spans)
	return c, nil
}

// chatCall makes the messages of one call of the chat corpus.
func chatCall(r *rand.Rand, withPII bool) (chatcorpus.Call, error) {
	t := r.IntN(len(history))
	earlier := history[(t+1)%len(history)]
	q := questions[t]
	if withPII {
		q += chatcorpus.Sensitive[r.IntN(len(chatcorpus.Sensitive))]
	}
	in, err := genai.MarshalMessages([]genai.Message{
		{Role: "system", Parts: []genai.Part{genai.TextPart(chatcorpus.SystemPrompts[t%len(chatcorpus.SystemPrompts)])}},
		{Role: "user", Parts: []genai.Part{genai.TextPart(earlier[0])}},
		{Role: "assistant", Parts: []genai.Part{genai.TextPart(earlier[1])}},
		{Role: "user", Parts: []genai.Part{genai.TextPart(history[t][0])}},
		{Role: "assistant", Parts: []genai.Part{genai.TextPart(history[t][1])}},
		{Role: "user", Parts: []genai.Part{genai.TextPart(q)}},
	})
	if err != nil {
		return chatcorpus.Call{}, err
	}
	out, err := genai.MarshalMessages([]genai.Message{{Role: "assistant", Parts: []genai.Part{genai.TextPart(answers[t])}, FinishReason: genai.FinishStop}})
	return chatcorpus.Call{Input: in, Output: out, NewPII: withPII, PII: withPII}, err
}

// callSpan fills sp with one chat call.
func callSpan(sp ptrace.Span, r *rand.Rand, start time.Time, call chatcorpus.Call) {
	// The trace id ends with a Ref, which each pass over the corpus rewrites: a store sees
	// new spans on every pass, as it does in production, not redeliveries of the first.
	var id [16]byte
	binary.LittleEndian.PutUint64(id[:8], r.Uint64())
	copy(id[8:], chatcorpus.Ref)
	sp.SetTraceID(pcommon.TraceID(id))
	sp.SetSpanID(pcommon.SpanID(id[:8]))
	call.Span(sp, r, start)
}
