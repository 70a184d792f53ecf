package calljoin

import (
	"encoding/hex"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Stats counts what a join did.
type Stats struct {
	// Joined evaluation results got the dimensions of the call they evaluate.
	Joined int
	// Unmatched results name a call the index does not know (it never came through this
	// collector, or was forgotten): they are passed on without the call's dimensions.
	Unmatched int
}

// Traces remembers the GenAI calls of td, then gives evaluation results on carrier spans
// (spans with otelcol_llm.evaluation.span_id) the dimensions of the call they evaluate,
// when they have none. A call and its feedback may share a batch.
func (x *Index) Traces(td ptrace.Traces) Stats {
	carriers := false
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		service := genai.Str(rs.Resource().Attributes(), genai.ServiceName)
		sss := rs.ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				span := spans.At(k)
				attrs := span.Attributes()
				if op := genai.Str(attrs, genai.OperationName); op != "" {
					x.Remember(span.SpanID(), Dims{Operation: op, Provider: genai.Str(attrs, genai.ProviderName),
						Model: genai.Str(attrs, genai.RequestModel), Service: service})
				} else if _, ok := attrs.Get(genai.EvaluationSpanID); ok {
					carriers = true
				}
			}
		}
	}
	var st Stats
	if !carriers {
		return st
	}
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				span := spans.At(k)
				if genai.Str(span.Attributes(), genai.OperationName) != "" {
					continue
				}
				id := targetID(span.Attributes(), span.ParentSpanID())
				events := span.Events()
				for e := range events.Len() {
					if ev := events.At(e); ev.Name() == genai.EventEvaluationResult {
						x.join(id, ev.Attributes(), &st)
					}
				}
			}
		}
	}
	return st
}

// Logs gives gen_ai.evaluation.result log records the dimensions of the call they
// evaluate (the record's span, or otelcol_llm.evaluation.span_id), when they have none.
func (x *Index) Logs(ld plog.Logs) Stats {
	var st Stats
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			lrs := sls.At(j).LogRecords()
			for k := range lrs.Len() {
				lr := lrs.At(k)
				if !isEvaluation(lr) {
					continue
				}
				x.join(targetID(lr.Attributes(), lr.SpanID()), lr.Attributes(), &st)
			}
		}
	}
	return st
}

func isEvaluation(lr plog.LogRecord) bool {
	if name := lr.EventName(); name != "" {
		return name == genai.EventEvaluationResult
	}
	return genai.Str(lr.Attributes(), genai.EventName) == genai.EventEvaluationResult
}

// targetID is the evaluated span: otelcol_llm.evaluation.span_id when set (empty when
// malformed, which matches no call), else fallback.
func targetID(attrs pcommon.Map, fallback pcommon.SpanID) pcommon.SpanID {
	s, ok := attrs.Get(genai.EvaluationSpanID)
	if !ok {
		return fallback
	}
	var id pcommon.SpanID
	if s.Type() != pcommon.ValueTypeStr || len(s.Str()) != 2*len(id) {
		return pcommon.SpanID{}
	}
	if _, err := hex.Decode(id[:], []byte(s.Str())); err != nil {
		return pcommon.SpanID{}
	}
	return id
}

// join puts the call's dimensions on one result that has none of its own.
func (x *Index) join(id pcommon.SpanID, attrs pcommon.Map, st *Stats) {
	if _, ok := attrs.Get(genai.OperationName); ok {
		return
	}
	d, ok := x.Lookup(id)
	if !ok || id.IsEmpty() {
		st.Unmatched++
		return
	}
	st.Joined++
	for _, kv := range [...][2]string{
		{genai.OperationName, d.Operation}, {genai.ProviderName, d.Provider},
		{genai.RequestModel, d.Model}, {genai.ServiceName, d.Service},
	} {
		if kv[1] != "" {
			attrs.PutStr(kv[0], kv[1])
		}
	}
}
