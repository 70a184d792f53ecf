package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pii"
	"github.com/otelcol-llm/otelcol-llm/internal/redact/chatcorpus"
)

// TestCorporaAreRealisticChat: every request decodes as OTLP once stamped, every span is
// a v1.41 chat call with a few KB of messages, and the spans said to carry PII or a
// secret are exactly those the detectors find something in: every fifth of the chat
// corpus; in the conversation corpora, those whose new turn or resent history has it.
func TestCorporaAreRealisticChat(t *testing.T) {
	for _, tc := range []struct {
		kind               string
		minShare, maxShare float64
		minMessages        int
	}{
		{corpusChat, 0.2, 0.2, 6},
		{corpusConversations, 0.35, 0.8, 2},
		{corpusUnique, 0.1, 0.3, 2},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			c, err := buildCorpus(tc.kind, 6, 50, 1)
			if err != nil {
				t.Fatal(err)
			}
			if c.contentBytes < 700 || c.piiShare < tc.minShare || c.piiShare > tc.maxShare {
				t.Fatalf("content %d bytes per span, PII share %.2f: want more and %.2f–%.2f", c.contentBytes, c.piiShare, tc.minShare, tc.maxShare)
			}
			scanner := pii.NewScanner(nil, nil)
			spans, withFindings, maxMessages := 0, 0, 0
			for n := range c.bodies {
				body := c.body(nil, n+len(c.bodies)) // second pass
				if bytes.Contains(body, []byte(chatcorpus.Ref)) {
					t.Fatalf("request %d: an unstamped reference is sent", n)
				}
				req := ptraceotlp.NewExportRequest()
				if err := req.UnmarshalProto(body); err != nil {
					t.Fatal(err)
				}
				ss := req.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans()
				first := ptraceotlp.NewExportRequest() // the same request in the first pass
				if err := first.UnmarshalProto(c.body(nil, n)); err != nil {
					t.Fatal(err)
				}
				for i := 0; i < ss.Len(); i++ {
					// A store must see new spans on every pass, not redeliveries.
					if again := first.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(i); again.TraceID() == ss.At(i).TraceID() {
						t.Fatalf("request %d span %d has the same trace id in two passes", n, i)
					}
					a := ss.At(i).Attributes()
					if genai.Str(a, genai.OperationName) != genai.OpChat || genai.Str(a, genai.RequestModel) == "" {
						t.Fatalf("span %d is not a chat call: %v", spans, a.AsRaw())
					}
					msgs, err := genai.ParseMessages(genai.Str(a, genai.InputMessages))
					if err != nil || len(msgs) < 2 || msgs[0].Role != "system" {
						t.Fatalf("span %d input messages: %v (%d messages)", spans, err, len(msgs))
					}
					maxMessages = max(maxMessages, len(msgs))
					found := false
					for _, m := range msgs {
						for _, p := range m.Parts {
							found = found || len(scanner.Scan(p.Content, nil)) > 0
						}
					}
					if found {
						withFindings++
					}
					if tc.kind == corpusChat && found != (spans%5 == 0) {
						t.Errorf("span %d: PII found %v, want it in every fifth span only", spans, found)
					}
					spans++
				}
			}
			if spans != 300 || withFindings != int(c.piiShare*300+0.5) {
				t.Fatalf("%d spans, %d with findings, %.0f said to have PII", spans, withFindings, c.piiShare*300)
			}
			if maxMessages < tc.minMessages {
				t.Errorf("at most %d input messages per call, want %d", maxMessages, tc.minMessages)
			}
		})
	}
	if _, err := buildCorpus("random", 1, 1, 1); err == nil || !strings.Contains(err.Error(), "use chat, conversations, unique or agents") {
		t.Errorf("unknown corpus: %v", err)
	}
}

// TestAgentsCorpus: the agent runs decode once stamped, each request's span count is the
// one counted as accepted, a pass never repeats a trace id, and the runs hold the agent,
// model and tool spans the store's dependency map and sessions are built from.
func TestAgentsCorpus(t *testing.T) {
	c, err := buildCorpus(corpusAgents, 8, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int{}
	total := 0
	for n := range c.bodies {
		second, first := ptraceotlp.NewExportRequest(), ptraceotlp.NewExportRequest()
		if err := second.UnmarshalProto(c.body(nil, n+len(c.bodies))); err != nil {
			t.Fatal(err)
		}
		if err := first.UnmarshalProto(c.body(nil, n)); err != nil {
			t.Fatal(err)
		}
		td := second.Traces()
		if got := td.SpanCount(); got != c.spansIn(n) || got < 80 || got > 120 {
			t.Fatalf("request %d: %d spans, counted as %d", n, got, c.spansIn(n))
		}
		total += td.SpanCount()
		firstIDs := map[[16]byte]bool{}
		for _, rs := range first.Traces().ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					firstIDs[sp.TraceID()] = true
				}
			}
		}
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					if firstIDs[sp.TraceID()] {
						t.Fatalf("request %d: trace %s sent again in the second pass", n, sp.TraceID())
					}
					ops[genai.Str(sp.Attributes(), genai.OperationName)]++
				}
			}
		}
	}
	if ops[genai.OpInvokeAgent] == 0 || ops[genai.OpChat] < ops[genai.OpInvokeAgent] || ops[genai.OpExecuteTool] == 0 {
		t.Errorf("operations %v: want agent runs with chat and tool calls", ops)
	}
	if c.spansPerBody != total/len(c.bodies) || c.contentBytes < 100 {
		t.Errorf("%d spans per request on average (counted %d), %d bytes of content per span", total/len(c.bodies), c.spansPerBody, c.contentBytes)
	}
}

// TestPassesMoveTime: each pass over a corpus sends its spans and events later by the
// corpus's time span and changes nothing else than the pass's stamp (trace ids,
// conversation ids), so that a store's time indexes grow at their end as in production;
// a pass never overlaps the one before.
func TestPassesMoveTime(t *testing.T) {
	for _, kind := range []string{corpusChat, corpusAgents} {
		t.Run(kind, func(t *testing.T) {
			c, err := buildCorpus(kind, 4, 100, 1)
			if err != nil {
				t.Fatal(err)
			}
			span := c.last - c.first + uint64(time.Millisecond)
			if c.last <= c.first || span > uint64(time.Hour) {
				t.Fatalf("corpus time span %v", time.Duration(span))
			}
			var prevLast uint64
			for pass := range 3 {
				first, last := ^uint64(0), uint64(0)
				for n := range c.bodies {
					got, want := ptraceotlp.NewExportRequest(), ptraceotlp.NewExportRequest()
					if err := got.UnmarshalProto(c.body(nil, pass*len(c.bodies)+n)); err != nil {
						t.Fatal(err)
					}
					// The same request stamped for this pass, its times moved by hand.
					if err := want.UnmarshalProto(c.bodies[n].Stamp(nil, uint32(pass))); err != nil {
						t.Fatal(err)
					}
					lo, hi := timeRange(got.Traces())
					first, last = min(first, lo), max(last, hi)
					shift := pcommon.Timestamp(uint64(pass) * span)
					for _, w := range allSpans(want.Traces()) {
						w.SetStartTimestamp(w.StartTimestamp() + shift)
						w.SetEndTimestamp(w.EndTimestamp() + shift)
						for _, ev := range w.Events().All() {
							ev.SetTimestamp(ev.Timestamp() + shift)
						}
					}
					gb, _ := got.MarshalProto()
					wb, _ := want.MarshalProto()
					if !bytes.Equal(gb, wb) {
						t.Fatalf("pass %d request %d: more than its times moved", pass, n)
					}
				}
				if first != c.first+uint64(pass)*span || pass > 0 && first <= prevLast {
					t.Fatalf("pass %d: times %d–%d, previous pass ended %d, corpus %d–%d", pass, first, last, prevLast, c.first, c.last)
				}
				prevLast = last
			}
		})
	}
}

// allSpans lists td's spans in order.
func allSpans(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				out = append(out, sp)
			}
		}
	}
	return out
}

// TestProcReadsThisProcess reads the CPU time and memory of the test process itself and
// checks the CPU time against getrusage, which measures the same thing another way.
func TestProcReadsThisProcess(t *testing.T) {
	pid := os.Getpid()
	rusage := cputime.Process
	before, err := cpuTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	start := rusage()
	for rusage()-start < 300*time.Millisecond { // busy: 300ms of CPU, however long that takes
	}
	after, err := cpuTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 250*time.Millisecond || d > 600*time.Millisecond {
		t.Errorf("300ms of CPU by getrusage counted as %s from /proc", d)
	}
	rss, peak, err := memory(pid)
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || peak < rss {
		t.Errorf("RSS %d, peak %d", rss, peak)
	}
	if _, err := cpuTime(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}
