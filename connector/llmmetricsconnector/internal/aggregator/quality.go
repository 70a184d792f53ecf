package aggregator

import (
	"encoding/json"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// consumeEvaluations records the scores of gen_ai.evaluation.result span events and of
// evaluation attributes on the span itself, and reports whether there was any.
func (a *Aggregator) consumeEvaluations(span ptrace.Span, now pcommon.Timestamp, st *Stats) bool {
	sa := &a.span
	model := sa.str(fRequestModel)
	used := false
	if name := sa.str(fEvaluationName); name != "" {
		score, present := sa.get(fEvaluationScore)
		used = a.recordScore(name, model, score, present, now, st)
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if ev.Name() != genai.EventEvaluationResult {
			continue
		}
		name := genai.Str(ev.Attributes(), genai.EvaluationName)
		if name == "" {
			continue
		}
		score, present := ev.Attributes().Get(genai.EvaluationScoreValue)
		used = a.recordScore(name, model, score, present, now, st) || used
	}
	return used
}

// recordScore records gen_ai.evaluation.score.value; an evaluation with only a label has
// nothing to put in a histogram.
func (a *Aggregator) recordScore(name, model string, v pcommon.Value, present bool, now pcommon.Timestamp, st *Stats) bool {
	if !present {
		return false
	}
	score, ok := genai.ValueFloat(v)
	if !ok || math.IsNaN(score) || math.IsInf(score, 0) {
		st.Invalid[InvalidEvaluationScore]++
		return false
	}
	key := a.startKey()
	key.Str(name)
	key.Str(model)
	s, overflowed := a.evaluations.Get(key.Bytes(), now)
	if overflowed {
		st.Overflow[FamilyEvaluations]++
	}
	s.Value.score.Observe(scoreBounds, score, nil, 0)
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
