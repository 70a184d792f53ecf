package redact

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/redact/chatcorpus"
)

const benchSpans = 100

// chatBatch returns benchSpans realistic chat spans: about 2 KB of message content each
// (system prompt, user turn, assistant answer), one span in five carrying PII or a
// secret, plus the usual GenAI attributes. It returns the content bytes per batch.
func chatBatch() (ptrace.Traces, int) {
	system := "You are Acme's support assistant. Answer briefly and politely, cite the order status from the tools, never promise refunds above 100 EUR without a ticket, and escalate to a human when the customer is upset. Today is 2024-01-15; the current release is version 3.14.2."
	answer := "Thanks for waiting! I checked order #100234567: it left our warehouse on 2024-01-12 and the carrier expects delivery within 2-3 business days. The tracking page shows the parcel at the Rotterdam hub (scan at 10:32). If it has not arrived by Friday, reply here and I will open ticket escalation for you; refunds under 100 EUR are processed within 5 days after the return is received. Is there anything else I can help with today?"
	questions := []string{
		"Hi, my parcel from order #100234567 has not arrived yet, it was supposed to come on Monday. Can you check where it is and whether I can still change the delivery address to my office? The box contains the blue 42 size shoes and a gift card.",
		"Hello again, the app crashes when I open the order history on Android 14 (app version 5.2.1). I tried reinstalling twice and clearing the cache, but the problem persists. Could you tell me the status of my last order and whether there is a known issue?",
	}
	pii := []string{
		" You can reach me at john.doe@example.com or on +44 20 7946 0958.",
		" Please charge the card 4111 1111 1111 1111 instead, exp 04/27.",
		" Refund to IBAN DE89 3704 0044 0532 0130 00, thanks.",
		" My colleague pasted our key AKIAIOSFODNN7EXAMPLE in the last ticket, please delete it.",
		" I am calling from 203.0.113.42 and my SSN is 536-22-1234 if you need it.",
	}
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, "support-bot")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	content := 0
	for i := 0; i < benchSpans; i++ {
		q := questions[i%len(questions)] + " " + questions[(i+1)%len(questions)]
		if i%5 == 0 {
			q += pii[(i/5)%len(pii)]
		}
		in, _ := genai.MarshalMessages([]genai.Message{
			{Role: "system", Parts: []genai.Part{genai.TextPart(system)}},
			{Role: "user", Parts: []genai.Part{genai.TextPart(q)}},
		})
		out, _ := genai.MarshalMessages([]genai.Message{{Role: "assistant", Parts: []genai.Part{genai.TextPart(answer)}, FinishReason: "stop"}})
		content += len(in) + len(out)
		sp := spans.AppendEmpty()
		sp.SetName("chat gpt-4o")
		a := sp.Attributes()
		a.PutStr(genai.OperationName, genai.OpChat)
		a.PutStr(genai.ProviderName, genai.ProviderOpenAI)
		a.PutStr(genai.RequestModel, "gpt-4o")
		a.PutStr(genai.ResponseModel, "gpt-4o-2024-08-06")
		a.PutStr(genai.ResponseID, fmt.Sprintf("chatcmpl-%032d", i))
		a.PutInt(genai.UsageInputTokens, 512)
		a.PutInt(genai.UsageOutputTokens, 128)
		a.PutStr(genai.InputMessages, in)
		a.PutStr(genai.OutputMessages, out)
	}
	return td, content
}

// contribBlockedValues are the contrib processor's blocked_values equivalent to our
// detectors (regex only: no checksums, no JSON walk).
var contribBlockedValues = []string{
	`[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}`,                             // email
	`\b(?:4\d{3}|5[1-5]\d{2}|3[47]\d{2}|6011)[- ]?\d{4}[- ]?\d{4}[- ]?\d{1,4}\b`, // card
	`\b\d{3}-\d{2}-\d{4}\b`,                                       // SSN
	`\+?\d{1,3}[ .-]?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}`,     // phone
	`\b(?:\d{1,3}\.){3}\d{1,3}\b`,                                 // IPv4
	`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b`, // IBAN
	`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,                               // AWS access key
	`\bsk-[A-Za-z0-9_-]{20,}\b`,                                   // OpenAI / Anthropic
	`\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*`, // JWT
}

func newContrib(b *testing.B) processor.Traces {
	f := redactionprocessor.NewFactory()
	cfg := f.CreateDefaultConfig().(*redactionprocessor.Config)
	cfg.AllowAllKeys = true
	cfg.BlockedValues = contribBlockedValues
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkChatSpans runs, side by side, copying the batch (the baseline every case
// pays), our Redactor with the default config, the same without the scan cache, and the
// contrib redaction processor with equivalent blocked_values. Every batch holds the same
// texts, so after the first one the cache answers nearly all of them: redact-nocache is
// the full scan of new content, redact the best case of the cache. cpu-ns/span and
// cpu-MB/s are per core and include the copy; compare the cpu-ns/span of contrib and
// redact minus copy for the ratio. stage-cpu-MB/s counts only the CPU time spent while the stage runs
// (GC included, the copy excluded): the content scan rate of the redaction stage itself.
// For the rate of one core, run it with -cpu 1: with more Ps, the garbage collector's
// idle workers mark on the idle ones, CPU time a loaded collector does not give them.
func BenchmarkChatSpans(b *testing.B) {
	src, content := chatBatch()
	next := func(int) ptrace.Traces {
		td := ptrace.NewTraces()
		src.CopyTo(td)
		return td
	}
	cases := []struct {
		name  string
		stage func(*testing.B) func(ptrace.Traces) Stats
	}{
		{"copy", nil},
		{"redact", redactWith(DefaultScanCacheEntries)},
		{"redact-nocache", redactWith(0)},
		{"contrib", func(b *testing.B) func(ptrace.Traces) Stats {
			contrib := newContrib(b)
			return func(td ptrace.Traces) Stats { _ = contrib.ConsumeTraces(context.Background(), td); return Stats{} }
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchStage(b, content, next, c.stage) })
	}
}

// BenchmarkConversations measures the stage on two corpora of 2,000 calls from
// internal/redact/chatcorpus, one user turn in five with PII, in batches of 100 calls in
// the order a service receives them. history: 5 to 10 calls per conversation, each
// resending the system prompt and the history before the new question. unique: one call
// per conversation, each with its own system prompt, so no text repeats (the cache's worst
// case). Each pass over a corpus stamps every turn with a new reference, so a pass never
// hits the previous one's turns (the shared system prompts of history do). The batch is
// built from the corpus in every iteration; copy is that cost alone.
func BenchmarkConversations(b *testing.B) {
	for _, corpus := range []struct {
		name  string
		shape chatcorpus.Shape
	}{
		{"history", chatcorpus.Shape{Calls: 20 * benchSpans, MinTurns: 5, MaxTurns: 10, PIIShare: 0.2}},
		{"unique", chatcorpus.Shape{Calls: 20 * benchSpans, MinTurns: 1, MaxTurns: 1, PIIShare: 0.2, UniqueSystemPrompts: true}},
	} {
		next, content := conversationBatches(corpus.shape)
		for _, c := range []struct {
			name  string
			stage func(*testing.B) func(ptrace.Traces) Stats
		}{
			{"copy", nil},
			{"redact", redactWith(DefaultScanCacheEntries)},
			{"redact-nocache", redactWith(0)},
		} {
			b.Run(corpus.name+"/"+c.name, func(b *testing.B) { benchStage(b, content, next, c.stage) })
		}
		b.Run(corpus.name+"/interleaved", func(b *testing.B) { benchInterleaved(b, next) })
	}
}

// benchInterleaved redacts every batch twice, with and without the scan cache, in
// alternating order, and reports the stage CPU time per span of each and their ratio:
// on a shared machine, the load of the neighbours then falls on both alike.
func benchInterleaved(b *testing.B, next func(i int) ptrace.Traces) {
	cached, uncached := redactWith(DefaultScanCacheEntries)(b), redactWith(0)(b)
	var withCache, without time.Duration
	i := 0
	for b.Loop() {
		td := next(i)
		td2 := ptrace.NewTraces()
		td.CopyTo(td2)
		first, second, d1, d2 := cached, uncached, &withCache, &without
		if i%2 == 1 {
			first, second, d1, d2 = uncached, cached, &without, &withCache
		}
		i++
		t0 := cputime.Process()
		first(td)
		t1 := cputime.Process()
		second(td2)
		*d1 += t1 - t0
		*d2 += cputime.Process() - t1
	}
	spans := float64(b.N * benchSpans)
	b.ReportMetric(float64(withCache.Nanoseconds())/spans, "cache-stage-ns/span")
	b.ReportMetric(float64(without.Nanoseconds())/spans, "nocache-stage-ns/span")
	b.ReportMetric(withCache.Seconds()/without.Seconds(), "cache/nocache")
}

// conversationBatches returns the i-th batch of benchSpans calls of a corpus (pass
// i/batches) and the message content bytes of a batch, on average.
func conversationBatches(shape chatcorpus.Shape) (func(i int) ptrace.Traces, int) {
	calls := chatcorpus.Conversations(1, shape)
	type tpl struct{ in, out chatcorpus.Template }
	tpls := make([]tpl, len(calls))
	content := 0
	for i, c := range calls {
		tpls[i] = tpl{chatcorpus.NewTemplate([]byte(c.Input)), chatcorpus.NewTemplate([]byte(c.Output))}
		content += len(c.Input) + len(c.Output)
	}
	batches := len(calls) / benchSpans
	var buf []byte
	next := func(i int) ptrace.Traces {
		first, pass := (i%batches)*benchSpans, uint32(i/batches)
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr(genai.ServiceName, "support-bot")
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for k := first; k < first+benchSpans; k++ {
			a := spans.AppendEmpty().Attributes()
			a.PutStr(genai.OperationName, genai.OpChat)
			a.PutStr(genai.ProviderName, genai.ProviderOpenAI)
			a.PutStr(genai.RequestModel, "gpt-4o")
			a.PutStr(genai.ConversationID, fmt.Sprintf("conv-%04d-%08x", calls[k].Conversation, pass))
			buf = tpls[k].in.Stamp(buf[:0], pass)
			a.PutStr(genai.InputMessages, string(buf))
			buf = tpls[k].out.Stamp(buf[:0], pass)
			a.PutStr(genai.OutputMessages, string(buf))
		}
		return td
	}
	return next, content / batches
}

// redactWith returns a constructor of a fresh Redactor's Traces with the default config
// and a scan cache of that many entries (0: none).
func redactWith(cacheEntries int) func(*testing.B) func(ptrace.Traces) Stats {
	return func(b *testing.B) func(ptrace.Traces) Stats {
		cfg := DefaultConfig()
		cfg.ScanCacheEntries = cacheEntries
		r, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return r.Traces
	}
}

// benchStage runs a new stage (nil: nothing) on batch after batch of benchSpans spans
// from next, content bytes of message content each, and reports CPU time per span and
// per byte of content, and the share of the texts the scan cache answered. Every run
// starts from the first batch with a new stage (a new, empty cache): the testing
// package may run a benchmark function more than once.
func benchStage(b *testing.B, content int, next func(i int) ptrace.Traces, newStage func(*testing.B) func(ptrace.Traces) Stats) {
	var stage func(ptrace.Traces) Stats
	if newStage != nil {
		stage = newStage(b)
	}
	b.SetBytes(int64(content))
	b.ReportAllocs()
	var inStage time.Duration
	var st Stats
	start := cputime.Process()
	i := 0
	for b.Loop() {
		td := next(i)
		i++
		if stage == nil {
			continue
		}
		t0 := cputime.Process()
		st.Add(stage(td))
		inStage += cputime.Process() - t0
	}
	cpu := cputime.Process() - start
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*benchSpans), "cpu-ns/span")
	b.ReportMetric(float64(content)*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	if stage != nil {
		b.ReportMetric(float64(content)*float64(b.N)/inStage.Seconds()/1e6, "stage-cpu-MB/s")
	}
	if n := st.ScanCacheHits + st.ScanCacheMisses; n > 0 {
		b.ReportMetric(100*float64(st.ScanCacheHits)/float64(n), "cache-hit-%")
	}
}

// BenchmarkText measures the engine on one 2 KB content value, without pdata and
// without the scan cache.
func BenchmarkText(b *testing.B) {
	td, _ := chatBatch()
	attrs := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	cfg := DefaultConfig()
	cfg.ScanCacheEntries = 0 // the same text again and again: measure the scan, not the cache
	r, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		span int
	}{{"clean", 1}, {"pii", 0}} {
		msgs, _ := attrs.At(c.span).Attributes().Get(genai.InputMessages)
		text := msgs.Str()
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			start := cputime.Process()
			for b.Loop() {
				r.text(text, nil)
			}
			b.ReportMetric(float64(len(text))*float64(b.N)/(cputime.Process()-start).Seconds()/1e6, "cpu-MB/s")
		})
	}
}
