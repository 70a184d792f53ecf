package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

func init() {
	register(command{name: "logs", summary: "recent log records: logs [--errors] [--limit N]", run: runLogs})
}

func runLogs(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newStoreFlags("logs", stderr)
	errorsOnly := f.fs.Bool("errors", false, "only errors (severity ERROR or above, error.type, exception events)")
	limit := f.fs.Int("limit", 50, "at most this many records, newest first")
	window := f.fs.String("window", "1h", "time window ending now, e.g. 15m, 24h")
	service := f.fs.String("service", "", "only this service.name")
	text := f.fs.String("q", "", "only records whose body or attributes contain this text")
	if !f.parse(args, stderr) {
		return 2
	}
	var list struct{ Logs []store.LogRecord }
	q := query("window", *window, "service", *service, "q", *text, "limit", strconv.Itoa(*limit))
	if *errorsOnly {
		q.Set("errors", "true")
	}
	raw, err := f.client().get("logs", q, &list)
	if err != nil {
		return fail(stderr, err)
	}
	if f.json() {
		printJSON(stdout, raw)
		return 0
	}
	if len(list.Logs) == 0 {
		fmt.Fprintf(stdout, "no log records in the last %s\n", *window)
		return 0
	}
	for _, l := range list.Logs {
		sev := firstOf(l.SeverityText, strconv.Itoa(l.SeverityNumber))
		line := fmt.Sprintf("%s  %-5s  %s  ", clock(l.Time), sev, l.Service)
		if l.EventName != "" {
			line += "[" + l.EventName + "] "
		}
		line += l.Body
		if l.TraceID != "" {
			line += "  trace=" + l.TraceID
		}
		fmt.Fprintln(stdout, line)
	}
	return 0
}
