package store

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

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
		"0002": "quality=1/pass/ user_feedback=none/thumbs_down/feedback",
		"0003": "",
		"0004": "refusal=1/pass/ quality=0.9/pass/ relevance=0.3/low/judge user_feedback=0/thumbs_down/feedback",
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
