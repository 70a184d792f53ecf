package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Evaluation results (gen_ai.evaluation.result) reach the store three ways: as events of
// the evaluated span (built-in evaluators, normalized framework evaluations), as events
// of a span that only carries evaluations of another span of its trace (model-graded
// results, user feedback; genai.EvaluationSpanID names the evaluated span), and as log
// records whose trace and span IDs are the evaluated span's. The first kind is stored
// once, in the span's events, and summarised in the span's columns at write time; the
// other two are "detached" and get rows in the evaluations table (a carrier span is not
// stored as a span: it is how the results travel, not part of the trace). Both feed the
// trace's lowest score and the call rollups, so the overview's quality per model reads no
// evaluation rows for long windows.
//
// The combined score of the built-in evaluators is an exception: the llm processor writes
// it as span attributes (genai.QualityScore, genai.QualityFailing), older releases as a
// result event named genai.EvaluationQuality. The store reads either as that result, the
// attributes when a span has both, so that the span's columns, the rollups and the trace
// detail are the same for both forms.

// Evaluation is one evaluation result of a span.
type Evaluation struct {
	Name string `json:"name"`
	// Score is from 0 (bad) to 1 (good); absent when the result had none, or one outside
	// that range (such a score is never shown or averaged).
	Score       *float64  `json:"score,omitempty"`
	Label       string    `json:"label,omitempty"`
	Explanation string    `json:"explanation,omitempty"`
	Source      string    `json:"source,omitempty"`
	Time        time.Time `json:"time"`
}

// evaluationOf reads a gen_ai.evaluation.result event's or log record's attributes.
func evaluationOf(attrs pcommon.Map, t int64, defaultSource string) (Evaluation, float64, bool) {
	e := Evaluation{
		Name:        genai.Str(attrs, genai.EvaluationName),
		Label:       genai.Str(attrs, genai.EvaluationScoreLabel),
		Explanation: genai.Str(attrs, genai.EvaluationExplanation),
		Source:      genai.Str(attrs, genai.EvaluationSource),
		Time:        time.Unix(0, t).UTC(),
	}
	if e.Source == "" {
		e.Source = defaultSource
	}
	score, ok := genai.Float(attrs, genai.EvaluationScoreValue)
	ok = ok && validScore(score)
	if ok {
		e.Score = &score
	}
	return e, score, ok
}

func validScore(v float64) bool { return v >= 0 && v <= 1 && !math.IsNaN(v) }

// evalSummary is what the store keeps of a span's own results beside its events.
type evalSummary struct {
	count      int64
	quality    float64 // the combined score, genai.EvaluationQuality
	hasQuality bool
	minScore   float64
	hasMin     bool
}

func (s *evalSummary) add(name string, score float64, scored bool) {
	s.count++
	if !scored {
		return
	}
	if name == genai.EvaluationQuality {
		s.quality, s.hasQuality = score, true
	}
	if !s.hasMin || score < s.minScore {
		s.minScore, s.hasMin = score, true
	}
}

// detached is a result stored apart from its span.
type detached struct {
	traceID, spanID string
	Evaluation
	score  float64
	scored bool
}

// readSpanEvaluations summarises a span's own results, or, for a span that carries
// evaluations of another span, returns them as detached results.
func readSpanEvaluations(span ptrace.Span) (evalSummary, []detached) {
	var sum evalSummary
	var out []detached
	attrs := span.Attributes()
	target := genai.Str(attrs, genai.EvaluationSpanID)
	carrier := target != "" && genai.Str(attrs, genai.OperationName) == ""
	quality, hasQuality := attrs.Get(genai.QualityScore)
	hasQuality = hasQuality && !carrier
	for _, ev := range span.Events().All() {
		if ev.Name() != genai.EventEvaluationResult {
			continue
		}
		if !carrier { // stored in the events: only the summary is needed here
			name := genai.Str(ev.Attributes(), genai.EvaluationName)
			if hasQuality && name == genai.EvaluationQuality {
				continue // the attribute counts
			}
			score, ok := genai.Float(ev.Attributes(), genai.EvaluationScoreValue)
			sum.add(name, score, ok && validScore(score))
			continue
		}
		e, score, ok := evaluationOf(ev.Attributes(), int64(ev.Timestamp()), genai.Str(attrs, genai.EvaluationSource))
		out = append(out, detached{traceID: span.TraceID().String(), spanID: strings.ToLower(target), Evaluation: e, score: score, scored: ok})
	}
	if hasQuality {
		score, ok := genai.ValueFloat(quality)
		sum.add(genai.EvaluationQuality, score, ok && validScore(score))
	}
	return sum, out
}

// logEvaluation reads a log record that reports an evaluation result of the span its
// trace and span IDs name.
func logEvaluation(lr plog.LogRecord) (detached, bool) {
	name := lr.EventName()
	if name == "" {
		name = genai.Str(lr.Attributes(), genai.EventName)
	}
	if name != genai.EventEvaluationResult || lr.TraceID().IsEmpty() || lr.SpanID().IsEmpty() {
		return detached{}, false
	}
	t := int64(lr.Timestamp())
	if t == 0 {
		t = int64(lr.ObservedTimestamp())
	}
	e, score, ok := evaluationOf(lr.Attributes(), t, "")
	return detached{traceID: lr.TraceID().String(), spanID: lr.SpanID().String(), Evaluation: e, score: score, scored: ok}, true
}

// writeDetached stores results that arrived apart from their span: a row each (once: a
// redelivered result is skipped), attributed to the evaluated call's model, provider,
// service and user when the call is stored already; the trace's lowest score and the
// rollups at the result's time are updated.
func (b *batch) writeDetached(evals []detached, acc rollups) error {
	target := make([]driver.Value, 4) // the evaluated call's model, provider, service and user
	for _, e := range evals {
		var keys [dims]string
		if err := b.queryRow(selEvalTarget, target, e.traceID, e.spanID); err != nil {
			return err
		}
		for i, v := range target { // all nil when the span is not stored
			keys[dimModel+i], _ = v.(string)
		}
		t := e.Time.UnixNano()
		res, err := b.exec(insEvaluation, e.traceID, e.spanID, t, e.Name, nullFloat(e.score, e.scored), e.Label,
			e.Explanation, e.Source, keys[dimModel], keys[dimProvider], keys[dimService], keys[dimUser])
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // redelivered: counted already
		}
		if e.scored {
			if _, err := b.exec(updTraceMinScore, e.score, e.traceID); err != nil {
				return err
			}
		}
		var sum evalSummary
		sum.add(e.Name, e.score, e.scored)
		acc.add(call{start: t, keys: keys, evals: sum})
	}
	return nil
}

// spanEvaluations lists the results of a trace's spans: their own (from their events)
// and the detached ones. Results for a span the trace does not hold are returned apart.
func (s *Store) spanEvaluations(ctx context.Context, traceID string, spans []Span) ([]Evaluation, error) {
	index := make(map[string]int, len(spans))
	for i, sp := range spans {
		index[sp.SpanID] = i
	}
	for i := range spans {
		spans[i].Evaluations = ownEvaluations(&spans[i])
	}
	rows, err := s.r.QueryContext(ctx, `SELECT span_id, time_ns, name, score, label, explanation, source
		FROM evaluations WHERE trace_id = ? ORDER BY time_ns, id`, traceID)
	if err != nil {
		return nil, s.describe("reading evaluations", err)
	}
	defer rows.Close()
	var orphans []Evaluation
	for rows.Next() {
		var spanID string
		var t int64
		var score sql.NullFloat64
		var e Evaluation
		if err := rows.Scan(&spanID, &t, &e.Name, &score, &e.Label, &e.Explanation, &e.Source); err != nil {
			return nil, s.describe("reading evaluations", err)
		}
		e.Time = time.Unix(0, t).UTC()
		if score.Valid {
			e.Score = &score.Float64
		}
		if i, ok := index[spanID]; ok {
			spans[i].Evaluations = append(spans[i].Evaluations, e)
		} else {
			orphans = append(orphans, e)
		}
	}
	return orphans, s.rowsErr("reading evaluations", rows)
}

// ownEvaluations reads a span's own results from its stored events and attributes: the
// events in order, then the combined score, last as the processor wrote its event.
func ownEvaluations(sp *Span) []Evaluation {
	var quality map[string]any
	if strings.Contains(string(sp.Attributes), genai.QualityScore) {
		var attrs map[string]any
		if json.Unmarshal(sp.Attributes, &attrs) == nil {
			if _, ok := attrs[genai.QualityScore]; ok {
				quality = attrs
			}
		}
	}
	var out []Evaluation
	if strings.Contains(string(sp.Events), genai.EventEvaluationResult) {
		var events []struct {
			Name   string         `json:"name"`
			TimeNs int64          `json:"time_ns"`
			Attrs  map[string]any `json:"attributes"`
		}
		if json.Unmarshal(sp.Events, &events) == nil {
			for _, ev := range events {
				if ev.Name != genai.EventEvaluationResult {
					continue
				}
				e := evaluationFromJSON(ev.Attrs, ev.TimeNs)
				if quality != nil && e.Name == genai.EvaluationQuality {
					continue // the attribute is the result
				}
				out = append(out, e)
			}
		}
	}
	if quality != nil {
		out = append(out, qualityFromJSON(quality, sp.endNs))
	}
	return out
}

func evaluationFromJSON(attrs map[string]any, t int64) Evaluation {
	str := func(k string) string { v, _ := attrs[k].(string); return v }
	e := Evaluation{Name: str(genai.EvaluationName), Label: str(genai.EvaluationScoreLabel),
		Explanation: str(genai.EvaluationExplanation), Source: str(genai.EvaluationSource), Time: time.Unix(0, t).UTC()}
	if v, ok := scoreFromJSON(attrs[genai.EvaluationScoreValue]); ok {
		e.Score = &v
	}
	return e
}

// qualityFromJSON is the result genai.EvaluationQuality that a span's combined score
// attributes stand for, given at the span's end as its event was. Its label derives from
// a valid score only.
func qualityFromJSON(attrs map[string]any, end int64) Evaluation {
	failing, _ := attrs[genai.QualityFailing].(string)
	e := Evaluation{Name: genai.EvaluationQuality, Explanation: genai.QualityExplanation(failing),
		Source: genai.EvaluationSourceBuiltin, Time: time.Unix(0, end).UTC()}
	if v, ok := scoreFromJSON(attrs[genai.QualityScore]); ok {
		e.Score, e.Label = &v, genai.QualityLabel(v)
	}
	return e
}

// scoreFromJSON reads a stored score: a number, or a string as genai.Float accepts on
// write; valid only from 0 to 1.
func scoreFromJSON(x any) (float64, bool) {
	var v float64
	var err error
	switch x := x.(type) {
	case float64:
		v = x
	case string:
		v, err = strconv.ParseFloat(x, 64)
	default:
		return 0, false
	}
	return v, err == nil && validScore(v)
}
