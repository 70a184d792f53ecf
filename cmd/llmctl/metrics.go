package main

import (
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

func init() {
	register(command{name: "metrics", summary: "stored metrics: metrics [--window 1h] [NAME] (NAME: its series)", run: runMetrics})
}

func runMetrics(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newStoreFlags("metrics", stderr)
	window := f.fs.String("window", "1h", "time window ending now, e.g. 15m, 24h, 7d")
	step := f.fs.String("step", "", "bucket size of a series (default: window/60)")
	if !f.parse(args, stderr) {
		return 2
	}
	c := f.client()
	switch f.fs.NArg() {
	case 0:
		var list struct{ Metrics []store.MetricInfo }
		raw, err := c.get("metrics", query("window", *window), &list)
		if err != nil {
			return fail(stderr, err)
		}
		if f.json() {
			printJSON(stdout, raw)
			return 0
		}
		if len(list.Metrics) == 0 {
			fmt.Fprintf(stdout, "no metric points in the last %s\n", *window)
			return 0
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "METRIC\tTYPE\tUNIT\tPOINTS")
		for _, m := range list.Metrics {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", m.Name, m.Type, m.Unit, m.Points)
		}
		_ = tw.Flush()
	case 1:
		var ms store.MetricSeries
		raw, err := c.get("metrics/"+url.PathEscape(f.fs.Arg(0)), query("window", *window, "step", *step), &ms)
		if err != nil {
			return fail(stderr, err)
		}
		if f.json() {
			printJSON(stdout, raw)
			return 0
		}
		fmt.Fprintf(stdout, "%s (%s, %s): %d points in %d series, step %ds\n", ms.Name, ms.Type, ms.Unit, ms.Points, len(ms.Series), ms.StepSeconds)
		for _, s := range ms.Series {
			fmt.Fprintf(stdout, "\n%s\n", s.Attributes)
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			for _, p := range s.Points {
				extra := ""
				if p.Count != nil {
					extra = fmt.Sprintf("(n=%d)", *p.Count)
				}
				fmt.Fprintf(tw, "  %s\t%.6g\t%s\t\n", clock(p.Time), p.Value, extra)
			}
			_ = tw.Flush()
		}
	default:
		fmt.Fprintln(stderr, "usage: llmctl metrics [--window D] [--step D] [--output json] [NAME]")
		return 2
	}
	return 0
}
