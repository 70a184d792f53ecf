package aggregator

import (
	"encoding/json"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// evaluation is where one evaluation result's dimensions come from: the event's own
// attributes first (results that arrive apart from their call carry the call's model,
// provider, operation and service there), then the span's.
type evaluation struct {
	attrs pcommon.Map // the event's or log record's attributes
	span  *spanAttributes
}

func (e evaluation) str(key string, f field) string {
	if v, ok := e.attrs.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	if e.span != nil {
		return e.span.str(f)
	}
	return ""
}

// consumeEvaluations records the gen_ai.evaluation.result span events and the evaluation
// attributes on the span itself, and reports whether there was any.
func (a *Aggregator) consumeEvaluations(span ptrace.Span, now pcommon.Timestamp, st *Stats) bool {
	sa := &a.span
	used := false
	if sa.str(fEvaluationName) != "" {
		used = a.recordEvaluation(evaluation{attrs: span.Attributes(), span: sa}, now, st)
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if ev.Name() == genai.EventEvaluationResult {
			used = a.recordEvaluation(evaluation{attrs: ev.Attributes(), span: sa}, now, st) || used
		}
	}
	return used
}

// ConsumeLogs records the gen_ai.evaluation.result log records of ld (scores sent as
// events, user feedback), observed at now. Other records are ignored.
func (a *Aggregator) ConsumeLogs(ld plog.Logs, now pcommon.Timestamp) Stats {
	var st Stats
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		a.readResource(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				if eventName(lr) == genai.EventEvaluationResult && a.recordEvaluation(evaluation{attrs: lr.Attributes()}, now, &st) {
					st.Spans++
				} else {
					st.Ignored++
				}
			}
		}
	}
	return st
}

func eventName(lr plog.LogRecord) string {
	if name := lr.EventName(); name != "" {
		return name
	}
	return genai.Str(lr.Attributes(), genai.EventName)
}

// recordEvaluation counts one result by name and label and observes its score.
// gen_ai.evaluation.score.value is optional (a label alone is a valid result); a score
// that is not a finite number, or is negative, is counted as invalid and not observed.
// Scores above 1 are kept: external evaluators use 1–5 and 1–10 scales.
func (a *Aggregator) recordEvaluation(e evaluation, now pcommon.Timestamp, st *Stats) bool {
	name := genai.Str(e.attrs, genai.EvaluationName)
	if name == "" {
		return false
	}
	key := a.startKey()
	if svc, ok := e.attrs.Get(genai.ServiceName); ok && a.serviceSlot >= 0 {
		key.Reset() // the evaluated call's service replaces the carrier's
		for i, v := range a.resource {
			if i == a.serviceSlot {
				v = valueString(svc)
			}
			key.Str(v)
		}
	}
	key.Str(name)
	key.Str(genai.Str(e.attrs, genai.EvaluationScoreLabel))
	key.Str(e.str(genai.OperationName, fOperation))
	key.Str(e.str(genai.ProviderName, fProvider))
	key.Str(e.str(genai.RequestModel, fRequestModel))
	s, overflowed := a.evaluations.Get(key.Bytes(), now)
	if overflowed {
		st.Overflow[FamilyEvaluations]++
	}
	s.Value.results.Add(1, nil, 0)
	if v, present := e.attrs.Get(genai.EvaluationScoreValue); present {
		score, ok := genai.ValueFloat(v)
		if !ok || math.IsNaN(score) || math.IsInf(score, 0) || score < 0 {
			st.Invalid[InvalidEvaluationScore]++
		} else {
			s.Value.score.Observe(scoreBounds, score, nil, 0)
		}
	}
	return true
}

// consumeRedactions counts the findings of the llm processor's redaction summary, a JSON
// object of counts per entity type, and reports whether the span had one.
func (a *Aggregator) consumeRedactions(now pcommon.Timestamp, st *Stats) bool {
	v, present := a.span.get(fRedactionSummary)
	if !present {
		return false
	}
	counts, ok := redactionCounts(v)
	if !ok {
		st.Invalid[InvalidRedactionSummary]++
		return false
	}
	for entity, n := range counts {
		if n <= 0 {
			continue
		}
		key := a.startKey()
		key.Str(entity)
		s, overflowed := a.redactions.Get(key.Bytes(), now)
		if overflowed {
			st.Overflow[FamilyRedactions]++
		}
		s.Value.findings.Add(float64(n), nil, 0)
	}
	return true
}

// redactionCounts reads the summary from its JSON string form, or from a map if a
// processor stored it structured. Every count must be a non-negative integer.
func redactionCounts(v pcommon.Value) (map[string]int64, bool) {
	var raw map[string]any
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if err := json.Unmarshal([]byte(v.Str()), &raw); err != nil {
			return nil, false
		}
	case pcommon.ValueTypeMap:
		raw = v.Map().AsRaw()
	default:
		return nil, false
	}
	counts := make(map[string]int64, len(raw))
	for entity, n := range raw {
		var f float64
		switch x := n.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		default:
			return nil, false
		}
		if f < 0 || f != math.Trunc(f) || entity == "" {
			return nil, false
		}
		counts[entity] = int64(f)
	}
	return counts, true
}
