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

// result is one evaluation result, as an event states it or as the combined score
// attributes imply it.
type result struct {
	name, label string
	score       pcommon.Value
	scored      bool
}

func (e evaluation) result() result {
	score, scored := e.attrs.Get(genai.EvaluationScoreValue)
	return result{name: genai.Str(e.attrs, genai.EvaluationName), label: genai.Str(e.attrs, genai.EvaluationScoreLabel),
		score: score, scored: scored}
}

// qualityResult is the result genai.EvaluationQuality that the combined score attribute
// stands for. Its label derives from a usable score only: an unusable one is counted as
// invalid, as an event's is, and gets no made-up label.
func qualityResult(score pcommon.Value) result {
	r := result{name: genai.EvaluationQuality, score: score, scored: true}
	if s, ok := usableScore(score); ok {
		r.label = genai.QualityLabel(s)
	}
	return r
}

// consumeEvaluations records the gen_ai.evaluation.result span events, the evaluation
// attributes on the span itself and its combined quality score, and reports whether
// there was any. A span with the score attribute and a quality event too (evaluated by
// an older llm processor upstream as well) counts quality once, from the attribute.
func (a *Aggregator) consumeEvaluations(span ptrace.Span, now pcommon.Timestamp, st *Stats) bool {
	sa := &a.span
	own := evaluation{attrs: span.Attributes(), span: sa}
	qualityScore, hasQuality := sa.get(fQualityScore)
	used := false
	record := func(e evaluation, r result) {
		if hasQuality && r.name == genai.EvaluationQuality {
			return
		}
		used = a.recordEvaluation(e, r, now, st) || used
	}
	if sa.has(fEvaluationName) {
		record(own, own.result())
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if ev.Name() == genai.EventEvaluationResult {
			e := evaluation{attrs: ev.Attributes(), span: sa}
			record(e, e.result())
		}
	}
	if hasQuality {
		used = a.recordEvaluation(own, qualityResult(qualityScore), now, st) || used
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
				e := evaluation{attrs: lr.Attributes()}
				if eventName(lr) == genai.EventEvaluationResult && a.recordEvaluation(e, e.result(), now, &st) {
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

// recordEvaluation counts result r of e by name and label and observes its score.
// The score is optional (a label alone is a valid result); one that usableScore refuses
// is counted as invalid and not observed.
func (a *Aggregator) recordEvaluation(e evaluation, r result, now pcommon.Timestamp, st *Stats) bool {
	if r.name == "" {
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
	key.Str(r.name)
	key.Str(r.label)
	key.Str(e.str(genai.OperationName, fOperation))
	key.Str(e.str(genai.ProviderName, fProvider))
	key.Str(e.str(genai.RequestModel, fRequestModel))
	s, overflowed := a.evaluations.Get(key.Bytes(), now)
	if overflowed {
		st.Overflow[FamilyEvaluations]++
	}
	s.Value.results.Add(1, nil, 0)
	if r.scored {
		if score, ok := usableScore(r.score); ok {
			s.Value.score.Observe(scoreBounds, score, nil, 0)
		} else {
			st.Invalid[InvalidEvaluationScore]++
		}
	}
	return true
}

// usableScore reads a score: a finite, non-negative number. Scores above 1 are kept:
// external evaluators use 1–5 and 1–10 scales.
func usableScore(v pcommon.Value) (float64, bool) {
	score, ok := genai.ValueFloat(v)
	return score, ok && !math.IsNaN(score) && !math.IsInf(score, 0) && score >= 0
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
