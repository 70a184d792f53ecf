package calljoin

import (
	"encoding/binary"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

func spanID(n uint64) pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], n)
	return id
}

// The index forgets the oldest call first and never holds more than its capacity.
func TestIndexIsBoundedFIFO(t *testing.T) {
	x := New(3)
	for n := uint64(1); n <= 4; n++ {
		x.Remember(spanID(n), Dims{Model: "m", Service: "svc"})
	}
	if x.Len() != 3 {
		t.Fatalf("Len = %d, want 3", x.Len())
	}
	if _, ok := x.Lookup(spanID(1)); ok {
		t.Fatal("the oldest call is still remembered")
	}
	for n := uint64(2); n <= 4; n++ {
		if d, ok := x.Lookup(spanID(n)); !ok || d.Model != "m" {
			t.Fatalf("call %d: %+v, %v", n, d, ok)
		}
	}
	// Remembering a call again updates it in place and evicts nothing.
	x.Remember(spanID(3), Dims{Model: "m2"})
	if d, _ := x.Lookup(spanID(3)); d.Model != "m2" || x.Len() != 3 {
		t.Fatalf("update: %+v, Len %d", d, x.Len())
	}
	if _, ok := x.Lookup(spanID(2)); !ok {
		t.Fatal("an update evicted another call")
	}
}

func addSpan(ss ptrace.ScopeSpans, id uint64, attrs map[string]string) ptrace.Span {
	s := ss.Spans().AppendEmpty()
	s.SetSpanID(spanID(id))
	for k, v := range attrs {
		s.Attributes().PutStr(k, v)
	}
	return s
}

func addResult(s ptrace.Span, name string) pcommon.Map {
	ev := s.Events().AppendEmpty()
	ev.SetName(genai.EventEvaluationResult)
	ev.Attributes().PutStr(genai.EvaluationName, name)
	return ev.Attributes()
}

func TestTracesJoinsCarriersToTheirCall(t *testing.T) {
	x := New(100)
	td := ptrace.NewTraces()
	app := td.ResourceSpans().AppendEmpty()
	app.Resource().Attributes().PutStr(genai.ServiceName, "chatbot")
	addSpan(app.ScopeSpans().AppendEmpty(), 1, map[string]string{
		genai.OperationName: "chat", genai.ProviderName: "openai", genai.RequestModel: "gpt-4o"})

	web := td.ResourceSpans().AppendEmpty()
	web.Resource().Attributes().PutStr(genai.ServiceName, "web")
	ss := web.ScopeSpans().AppendEmpty()
	joined := addResult(addSpan(ss, 2, map[string]string{genai.EvaluationSpanID: spanID(1).String()}), genai.EvaluationUserFeedback)
	unknown := addResult(addSpan(ss, 3, map[string]string{genai.EvaluationSpanID: spanID(99).String()}), genai.EvaluationUserFeedback)
	own := addResult(addSpan(ss, 4, map[string]string{genai.EvaluationSpanID: spanID(1).String()}), "judge")
	own.PutStr(genai.OperationName, "invoke_agent")
	malformed := addResult(addSpan(ss, 5, map[string]string{genai.EvaluationSpanID: "not-a-span-id"}), "x")

	st := x.Traces(td)
	if st != (Stats{Joined: 1, Unmatched: 2}) {
		t.Fatalf("stats %+v", st)
	}
	want := map[string]string{genai.OperationName: "chat", genai.ProviderName: "openai", genai.RequestModel: "gpt-4o", genai.ServiceName: "chatbot"}
	for k, v := range want {
		if got := genai.Str(joined, k); got != v {
			t.Errorf("joined %s = %q, want %q", k, got, v)
		}
	}
	for _, m := range []pcommon.Map{unknown, malformed} {
		if _, ok := m.Get(genai.RequestModel); ok {
			t.Errorf("unmatched result got dimensions: %v", m.AsRaw())
		}
	}
	if genai.Str(own, genai.OperationName) != "invoke_agent" || own.Len() != 2 {
		t.Errorf("a result with its own dimensions was changed: %v", own.AsRaw())
	}
}

func TestLogsJoinByRecordSpanID(t *testing.T) {
	x := New(100)
	x.Remember(spanID(1), Dims{Operation: "chat", Provider: "anthropic", Model: "claude-sonnet-4", Service: "support"})
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	rated := lrs.AppendEmpty()
	rated.SetEventName(genai.EventEvaluationResult)
	rated.SetSpanID(spanID(1))
	byAttr := lrs.AppendEmpty()
	byAttr.Attributes().PutStr(genai.EventName, genai.EventEvaluationResult)
	byAttr.Attributes().PutStr(genai.EvaluationSpanID, spanID(1).String())
	lost := lrs.AppendEmpty()
	lost.SetEventName(genai.EventEvaluationResult)
	lost.SetSpanID(spanID(7))
	other := lrs.AppendEmpty()
	other.SetSpanID(spanID(1))
	other.Body().SetStr("not an evaluation")

	if st := x.Logs(ld); st != (Stats{Joined: 2, Unmatched: 1}) {
		t.Fatalf("stats %+v", st)
	}
	for _, lr := range []plog.LogRecord{rated, byAttr} {
		if genai.Str(lr.Attributes(), genai.RequestModel) != "claude-sonnet-4" || genai.Str(lr.Attributes(), genai.ServiceName) != "support" {
			t.Errorf("not joined: %v", lr.Attributes().AsRaw())
		}
	}
	if lost.Attributes().Len() != 0 || other.Attributes().Len() != 0 {
		t.Errorf("records changed: %v %v", lost.Attributes().AsRaw(), other.Attributes().AsRaw())
	}
}

// BenchmarkRemember is the per-call cost of remembering a call in a full index; the
// reported heap is what 100,000 remembered calls hold.
func BenchmarkRemember(b *testing.B) {
	x := New(100_000)
	d := Dims{Operation: "chat", Provider: "openai", Model: "gpt-4o", Service: "chatbot"}
	b.ReportAllocs()
	n := uint64(0)
	for b.Loop() {
		n++
		x.Remember(spanID(n), d)
	}
}
