package store

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

func TestRowsStatementsTakeTheirWidth(t *testing.T) {
	for st, w := range map[rowsStmt]int{insSpans: spanWidth, insSpanContents: contentWidth, upsTraces: traceWidth, upsRollups: rollupWidth} {
		if got := strings.Count(rowsStmts[st].sql(maxRows), "?"); got != w*maxRows {
			t.Errorf("statement %d of %d rows takes %d arguments, want %d", st, maxRows, got, w*maxRows)
		}
	}
}

// subset copies the spans of td for which keep is true (counting from 0 over td), each
// resource's kept spans under a copy of the resource.
func subset(td ptrace.Traces, keep func(i int) bool) ptrace.Traces {
	out := ptrace.NewTraces()
	i := 0
	for _, rs := range td.ResourceSpans().All() {
		ors := out.ResourceSpans().AppendEmpty()
		rs.Resource().CopyTo(ors.Resource())
		for _, ss := range rs.ScopeSpans().All() {
			oss := ors.ScopeSpans().AppendEmpty()
			ss.Scope().CopyTo(oss.Scope())
			for _, sp := range ss.Spans().All() {
				if keep(i) {
					sp.CopyTo(oss.Spans().AppendEmpty())
				}
				i++
			}
		}
	}
	return out
}

func merge(tds ...ptrace.Traces) ptrace.Traces {
	out := ptrace.NewTraces()
	for _, td := range tds {
		for _, rs := range td.ResourceSpans().All() {
			rs.CopyTo(out.ResourceSpans().AppendEmpty())
		}
	}
	return out
}

// Batches are inserted many rows per statement; spans already stored, some in every
// statement and some repeated within the batch, are skipped, and everything else (the
// content of each span, trace summaries, rollups) is what the spans stored once make.
func TestRedeliveredSpansInMultiRowBatches(t *testing.T) {
	var batches []ptrace.Traces
	start := base.Add(-3 * 24 * time.Hour)
	_ = storegen.Generate(storegen.Options{Seed: 3, Start: start, Period: 3 * 24 * time.Hour, Traces: 90, Users: 7, Sessions: 11,
		Evaluations: true}, 30, func(td ptrace.Traces) error { batches = append(batches, td); return nil })
	if len(batches) != 3 || batches[0].SpanCount() < 3*maxRows {
		t.Fatalf("generated %d batches, the first of %d spans", len(batches), batches[0].SpanCount())
	}
	ctx := context.Background()
	once := openStore(t, Options{})
	for _, td := range batches {
		if err := once.WriteTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
	}
	redelivered := openStore(t, Options{})
	for _, td := range []ptrace.Traces{
		subset(batches[0], func(i int) bool { return i%5 != 2 }),
		// Every fifth span of the first batch comes late, with all the others again, and
		// a span of the second batch twice.
		merge(batches[1], batches[0], subset(batches[1], func(i int) bool { return i == 20 })),
		merge(subset(batches[0], func(i int) bool { return i%3 == 0 }), batches[2]),
	} {
		if err := redelivered.WriteTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
	}

	all := Window{From: start, To: base}
	list := func(s *Store) any {
		ts, err := s.Traces(ctx, TraceFilter{Window: all, Limit: 1000})
		if u, _ := s.Usage(ctx); err != nil || len(ts) != 90 {
			t.Fatalf("%d traces, %v; %+v", len(ts), err, u)
		}
		var details []TraceDetail
		for _, tr := range ts {
			d, err := s.Trace(ctx, tr.TraceID)
			if err != nil {
				t.Fatal(err)
			}
			details = append(details, d)
		}
		return details
	}
	for _, q := range []struct {
		name string
		run  func(s *Store) any
	}{
		{"trace list and details", list},
		{"overview from rollups", func(s *Store) any { o, _ := s.Overview(ctx, all, time.Hour); return o }},
		{"overview from spans", func(s *Store) any {
			o, _ := s.Overview(ctx, Window{From: start, To: start.Add(2 * time.Hour)}, time.Minute)
			return o
		}},
		{"row counts", func(s *Store) any { u, _ := s.Usage(ctx); return u.Rows }},
	} {
		// Sums of costs and scores added in another order may differ in the last bits.
		want, got := rounded(t, q.run(once)), rounded(t, q.run(redelivered))
		if !reflect.DeepEqual(got, want) {
			w, _ := json.Marshal(want)
			g, _ := json.Marshal(got)
			t.Errorf("%s differ from one delivery:\n got %.3000s\nwant %.3000s", q.name, g, w)
		}
	}
}

// rounded is v as JSON values, with numbers rounded to 12 significant digits.
func rounded(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	var round func(v any) any
	round = func(v any) any {
		switch x := v.(type) {
		case float64:
			f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
			return f
		case []any:
			for i := range x {
				x[i] = round(x[i])
			}
		case map[string]any:
			for k := range x {
				x[k] = round(x[k])
			}
		}
		return v
	}
	return round(out)
}
