package store

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// evaluatedStore holds the fixture (built-in results on its calls), the late judge span
// and feedback record, a feedback record for a span that never arrived, and one with a
// score outside 0–1.
func evaluatedStore(t *testing.T) *Store {
	t.Helper()
	s := fixtureStore(t)
	ctx := context.Background()
	judge, feedback := storegen.FixtureLateEvaluations(base)
	if err := s.WriteTraces(ctx, judge); err != nil {
		t.Fatal(err)
	}
	recs := feedback.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	unknown := recs.AppendEmpty()
	recs.At(0).CopyTo(unknown)
	unknown.SetSpanID(storegen.SpanID(99))
	bad := recs.AppendEmpty()
	recs.At(0).CopyTo(bad)
	bad.SetSpanID(storegen.SpanID(2))
	bad.Attributes().PutDouble(genai.EvaluationScoreValue, 1.5)
	if err := s.WriteLogs(ctx, feedback); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEvaluationsOnTraceDetail(t *testing.T) {
	s := evaluatedStore(t)
	d, err := s.Trace(context.Background(), storegen.TraceID(1).String())
	if err != nil {
		t.Fatal(err)
	}
	// The judge's span carries results, it is not a span of the trace.
	if d.SpanCount != 4 || len(d.Spans) != 4 || d.DurationMs != 2500 {
		t.Errorf("summary %+v with %d spans", d.TraceSummary, len(d.Spans))
	}
	got := map[string]string{}
	for _, sp := range d.Spans {
		var line []string
		for _, e := range sp.Evaluations {
			score := "none"
			if e.Score != nil {
				score = strconv.FormatFloat(*e.Score, 'g', -1, 64)
			}
			line = append(line, e.Name+"="+score+"/"+e.Label+"/"+e.Source)
		}
		got[sp.SpanID[12:]] = strings.Join(line, " ")
	}
	want := map[string]string{
		"0001": "",
		"0002": "quality=1/pass/builtin user_feedback=none/thumbs_down/feedback",
		"0003": "",
		"0004": "refusal=1/pass/ quality=0.9/fail/builtin relevance=0.3/low/judge user_feedback=0/thumbs_down/feedback",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("span %s: %q, want %q", id, got[id], w)
		}
	}
	if len(d.Evaluations) != 1 || d.Evaluations[0].Name != genai.EvaluationUserFeedback {
		t.Errorf("results for a span that never arrived: %+v", d.Evaluations)
	}
	if d.MinScore == nil || *d.MinScore != 0 {
		t.Errorf("trace min score %v, want 0 (the thumbs-down)", d.MinScore)
	}
}

// A redelivered judge span or feedback record is not counted twice.
func TestRedeliveredEvaluationsCountOnce(t *testing.T) {
	s := evaluatedStore(t)
	ctx := context.Background()
	judge, feedback := storegen.FixtureLateEvaluations(base)
	if err := s.WriteTraces(ctx, judge); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(ctx, feedback); err != nil {
		t.Fatal(err)
	}
	for _, w := range []Window{hour, {From: base.Add(-day), To: base.Add(day)}} {
		o, err := s.Overview(ctx, w, 0)
		if err != nil || o.Evaluations != 9 {
			t.Errorf("window %s: %d evaluations after redelivery, want 9 (%v)", w.To.Sub(w.From), o.Evaluations, err)
		}
	}
	d, _ := s.Trace(ctx, storegen.TraceID(1).String())
	if n := len(d.Spans[3].Evaluations); n != 4 {
		t.Errorf("answer span has %d evaluations after redelivery, want 4", n)
	}
}

func TestTracesWithLowScores(t *testing.T) {
	s := evaluatedStore(t)
	ctx := context.Background()
	ids := func(below float64) string {
		ts, err := s.Traces(ctx, TraceFilter{Window: hour, ScoreBelow: below})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tr := range ts {
			out = append(out, strings.TrimLeft(tr.TraceID[16:], "0"))
		}
		return strings.Join(out, ",")
	}
	if got := ids(0.5); got != "2,1" {
		t.Errorf("score below 0.5: %q, want 2,1", got)
	}
	if got := ids(0); got != "3,2,1" {
		t.Errorf("no score filter: %q", got)
	}
	// Before the late results, trace 1's lowest score was the 0.9 quality.
	plain := fixtureStore(t)
	ts, _ := plain.Traces(ctx, TraceFilter{Window: hour, ScoreBelow: 0.95})
	if len(ts) != 2 || *ts[1].MinScore != 0.9 {
		t.Errorf("score below 0.95 before late results: %+v", ts)
	}
}

// TestQualityForms: the combined score as attributes (the llm processor) or as a quality
// event (its older releases) is the same result everywhere: on the trace detail, in the
// trace's lowest score, and in the overview from span rows (an hour) and rollups (two
// days). A span with both counts the attributes only.
func TestQualityForms(t *testing.T) {
	end := base.Add(800 * time.Millisecond)
	score := func(v float64) *float64 { return &v }
	truncation := Evaluation{Name: genai.EvaluatorTruncation, Score: score(0), Label: "truncated", Time: end}
	addTruncation := func(sp ptrace.Span) {
		storegen.AddEvaluation(sp.Events(), end, genai.EvaluatorTruncation, 0, "truncated", "")
	}
	addQualityEvent := func(sp ptrace.Span, score float64, explanation string) {
		storegen.AddEvaluation(sp.Events(), end, genai.EvaluationQuality, score, genai.QualityLabel(score), explanation)
		sp.Events().At(sp.Events().Len()-1).Attributes().PutStr(genai.EvaluationSource, genai.EvaluationSourceBuiltin)
	}
	halfQuality := Evaluation{Name: genai.EvaluationQuality, Score: score(0.5), Label: "fail",
		Explanation: "failing: truncation", Source: "builtin", Time: end}
	tests := []struct {
		name     string
		evaluate func(ptrace.Span)
		want     []Evaluation
		minScore *float64
		quality  *float64 // the overview's mean combined score
	}{
		{
			name: "event",
			evaluate: func(sp ptrace.Span) {
				addTruncation(sp)
				addQualityEvent(sp, 0.5, "failing: truncation")
			},
			want: []Evaluation{truncation, halfQuality}, minScore: score(0), quality: score(0.5),
		},
		{
			name: "attributes",
			evaluate: func(sp ptrace.Span) {
				addTruncation(sp)
				storegen.SetQuality(sp.Attributes(), 0.5, genai.EvaluatorTruncation)
			},
			want: []Evaluation{truncation, halfQuality}, minScore: score(0), quality: score(0.5),
		},
		{
			name: "both forms",
			evaluate: func(sp ptrace.Span) {
				storegen.SetQuality(sp.Attributes(), 0.5, genai.EvaluatorTruncation)
				addQualityEvent(sp, 0.85, "failing: output_length")
				addTruncation(sp)
			},
			want: []Evaluation{truncation, halfQuality}, minScore: score(0), quality: score(0.5),
		},
		{
			name:     "passing",
			evaluate: func(sp ptrace.Span) { storegen.SetQuality(sp.Attributes(), 1, "") },
			want: []Evaluation{{Name: genai.EvaluationQuality, Score: score(1), Label: "pass", Source: "builtin",
				Time: end}},
			minScore: score(1), quality: score(1),
		},
		{
			name: "unusable score",
			evaluate: func(sp ptrace.Span) {
				addTruncation(sp)
				sp.Attributes().PutStr(genai.QualityScore, "high")
				sp.Attributes().PutStr(genai.QualityFailing, genai.EvaluatorTruncation)
			},
			want: []Evaluation{truncation, {Name: genai.EvaluationQuality, Explanation: "failing: truncation",
				Source: "builtin", Time: end}},
			minScore: score(0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t, Options{})
			ctx := context.Background()
			td := ptrace.NewTraces()
			sp := storegen.AddSpan(storegen.NewResource(td, "support-bot"), storegen.TraceID(1), storegen.Call{
				Name: "chat gpt-4o", Operation: genai.OpChat, Provider: genai.ProviderOpenAI, Model: "gpt-4o",
				ID: storegen.SpanID(1), Start: base, Duration: 800 * time.Millisecond, InputTokens: 10, OutputTokens: 5})
			tt.evaluate(sp)
			if err := s.WriteTraces(ctx, td); err != nil {
				t.Fatal(err)
			}
			d, err := s.Trace(ctx, storegen.TraceID(1).String())
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Spans[0].Evaluations; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("span evaluations\n%s\nwant\n%s", jsonOf(t, got), jsonOf(t, tt.want))
			}
			if !reflect.DeepEqual(d.MinScore, tt.minScore) {
				t.Errorf("trace min score %s, want %s", jsonOf(t, d.MinScore), jsonOf(t, tt.minScore))
			}
			scored := int64(0)
			if tt.quality != nil {
				scored = 1
			}
			for _, w := range []Window{hour, {From: base.Add(-day), To: base.Add(day)}} {
				o, err := s.Overview(ctx, w, 0)
				if err != nil {
					t.Fatal(err)
				}
				if o.Evaluations != int64(len(tt.want)) || o.QualityScores != scored || !reflect.DeepEqual(o.Quality, tt.quality) {
					t.Errorf("window %s: %d evaluations, quality %s of %d scores; want %d, %s of %d", w.To.Sub(w.From),
						o.Evaluations, jsonOf(t, o.Quality), o.QualityScores, len(tt.want), jsonOf(t, tt.quality), scored)
				}
			}
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestQualityPerModel: the overview's quality per model, from spans for a short window
// and from rollups for a long one, counts built-in, judge and feedback results alike,
// and never averages a score outside 0–1.
func TestQualityPerModel(t *testing.T) {
	s := evaluatedStore(t)
	ctx := context.Background()
	for _, w := range []Window{hour, {From: base.Add(-day), To: base.Add(day)}} {
		o, err := s.Overview(ctx, w, 0)
		if err != nil {
			t.Fatal(err)
		}
		models := map[string]Totals{}
		for _, g := range o.ByModel {
			models[g.Key] = g.Totals
		}
		gpt, claude, unknown := models["gpt-4o"], models["claude-sonnet-4"], models[""]
		if gpt.Evaluations != 6 || gpt.QualityScores != 2 || gpt.Quality == nil || !near(*gpt.Quality, 0.95) {
			t.Errorf("window %s: gpt-4o %+v", w.To.Sub(w.From), gpt)
		}
		if claude.Evaluations != 2 || claude.Quality == nil || *claude.Quality != 0 {
			t.Errorf("window %s: claude %+v", w.To.Sub(w.From), claude)
		}
		if unknown.Evaluations != 1 || unknown.Requests != 0 || unknown.Quality != nil {
			t.Errorf("window %s: feedback for a span never stored: %+v", w.To.Sub(w.From), unknown)
		}
		if o.Evaluations != 9 || o.QualityScores != 3 || !near(*o.Quality, 1.9/3) {
			t.Errorf("window %s: totals %+v", w.To.Sub(w.From), o.Totals)
		}
	}
}

// A feedback record sent before the call it rates is stored, and shown on the call once
// the call arrives.
func TestEvaluationBeforeItsSpan(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	ld := plog.NewLogs()
	rec := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	rec.Attributes().PutStr(genai.EventName, genai.EventEvaluationResult)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Second)))
	rec.SetTraceID(storegen.TraceID(2))
	rec.SetSpanID(storegen.SpanID(5))
	rec.Attributes().PutStr(genai.EvaluationName, "helpfulness")
	rec.Attributes().PutStr(genai.EvaluationScoreValue, "0.25")
	if err := s.WriteLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	d, err := s.Trace(ctx, storegen.TraceID(2).String())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Spans[0].Evaluations); n != 3 || d.Spans[0].Evaluations[2].Name != "helpfulness" || *d.Spans[0].Evaluations[2].Score != 0.25 {
		t.Errorf("evaluations %+v", d.Spans[0].Evaluations)
	}
}
