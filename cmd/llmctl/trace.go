package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

func init() {
	register(command{name: "trace", summary: "trace ID: the span tree with timings, status, tokens and cost", run: runTrace})
}

func runTrace(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newStoreFlags("trace", stderr)
	if !f.parse(args, stderr) {
		return 2
	}
	if f.fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: llmctl trace [--endpoint URL] [--output json] TRACE_ID")
		return 2
	}
	var d store.TraceDetail
	raw, err := f.client().get("traces/"+strings.ToLower(f.fs.Arg(0)), nil, &d)
	if err != nil {
		return fail(stderr, err)
	}
	if f.json() {
		printJSON(stdout, raw)
		return 0
	}
	fmt.Fprintf(stdout, "trace %s  %s (%s)\n", d.TraceID, d.RootName, d.Service)
	fmt.Fprintf(stdout, "start %s  duration %s  %d spans  %d model calls  %s in / %s out tokens  %s\n",
		clock(d.Start), ms(d.DurationMs), d.SpanCount, d.LLMCalls, count(d.InputTokens), count(d.OutputTokens), dollars(d.Cost))
	if d.Session != "" {
		fmt.Fprintf(stdout, "session %s  user %s\n", d.Session, d.User)
	}
	if d.MinScore != nil {
		fmt.Fprintf(stdout, "lowest evaluation score %.2f\n", *d.MinScore)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFSET\tDURATION\tSTATUS\tSPAN\tMODEL\tTOKENS\tCOST\tSCORES")
	for i, sp := range d.Spans {
		status := "ok"
		if sp.Error {
			status = "ERROR " + firstOf(sp.ErrorType, sp.StatusMessage)
		}
		tokens, cost := "", ""
		if sp.InputTokens != nil || sp.OutputTokens != nil {
			tokens = fmt.Sprintf("%s→%s", countPtr(sp.InputTokens), countPtr(sp.OutputTokens))
		}
		if sp.Cost != nil {
			cost = dollars(*sp.Cost)
		}
		fmt.Fprintf(tw, "+%s\t%s\t%s\t%s%s\t%s\t%s\t%s\t%s\n", ms(sp.OffsetMs), ms(sp.DurationMs), status,
			treePrefix(d.Spans, i), sp.Name, firstOf(sp.ResponseModel, sp.RequestModel), tokens, cost, scores(sp.Evaluations))
	}
	_ = tw.Flush()
	if len(d.Evaluations) > 0 {
		fmt.Fprintf(stdout, "\nevaluations of spans not stored: %s\n", scores(d.Evaluations))
	}
	return 0
}

// scores lists evaluation results as name=score (or name=label when unscored).
func scores(evals []store.Evaluation) string {
	parts := make([]string, 0, len(evals))
	for _, e := range evals {
		v := e.Label
		if e.Score != nil {
			v = fmt.Sprintf("%.2f", *e.Score)
		}
		parts = append(parts, e.Name+"="+firstOf(v, "?"))
	}
	return strings.Join(parts, " ")
}

// treePrefix draws the branch of spans[i] in a depth-first list.
func treePrefix(spans []store.Span, i int) string {
	depth := spans[i].Depth
	if depth == 0 {
		return ""
	}
	var b strings.Builder
	for level := 1; level < depth; level++ {
		if hasLaterSibling(spans, i, level) {
			b.WriteString("│  ")
		} else {
			b.WriteString("   ")
		}
	}
	if hasLaterSibling(spans, i, depth) {
		b.WriteString("├─ ")
	} else {
		b.WriteString("└─ ")
	}
	return b.String()
}

// hasLaterSibling reports whether a span at depth level follows spans[i] before the tree
// climbs above that level.
func hasLaterSibling(spans []store.Span, i, level int) bool {
	for _, sp := range spans[i+1:] {
		if sp.Depth < level {
			return false
		}
		if sp.Depth == level {
			return true
		}
	}
	return false
}

func countPtr(n *int64) string {
	if n == nil {
		return "-"
	}
	return count(*n)
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
