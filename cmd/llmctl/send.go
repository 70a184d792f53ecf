package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Spans and logs recorded in a file are dated when they were recorded: sent as they are,
// they fall outside the dashboard's window and are soon removed by retention. send dates
// them now, so that a newcomer sees them where a live app's would be.

func init() {
	register(command{name: "send", summary: "send OTLP/JSON trace or log files to the collector, moved to end now", run: runSend})
}

// defaultOTLP is the OTLP/HTTP receiver of the quickstart config.
const defaultOTLP = "http://localhost:4318"

func otlpFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("LLMCTL_OTLP_ENDPOINT")
	if def == "" {
		def = defaultOTLP
	}
	return fs.String("otlp", def, "OTLP/HTTP receiver of the collector; /v1/traces and /v1/logs are added (env LLMCTL_OTLP_ENDPOINT)")
}

// recorded is what the files given to send hold.
type recorded struct {
	traces []ptrace.Traces
	logs   []plog.Logs
}

func runSend(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := otlpFlag(fs)
	keepTime := fs.Bool("keep-time", false, "send the timestamps as they are in the files")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: llmctl send [--otlp URL] [--keep-time] FILE...   (OTLP/JSON trace or log export requests)")
		return 2
	}
	var rec recorded
	for _, name := range fs.Args() {
		if err := rec.read(name); err != nil {
			return fail(stderr, err)
		}
	}
	var shift time.Duration
	if !*keepTime {
		shift = rec.shiftToNow(time.Now())
	}
	spans, records := 0, 0
	for _, td := range rec.traces {
		if err := postTraces(*endpoint, td); err != nil {
			return fail(stderr, err)
		}
		spans += td.SpanCount()
	}
	for _, ld := range rec.logs {
		if err := postLogs(*endpoint, ld); err != nil {
			return fail(stderr, err)
		}
		records += ld.LogRecordCount()
	}
	var what []string
	if spans > 0 {
		what = append(what, plural(spans, "span"))
	}
	if records > 0 {
		what = append(what, plural(records, "log record"))
	}
	fmt.Fprintf(stdout, "sent %s to %s", strings.Join(what, " and "), strings.TrimSuffix(*endpoint, "/"))
	switch {
	case shift > 0:
		fmt.Fprintf(stdout, ", moved %s later so that the last one ends now", roughly(shift))
	case shift < 0:
		fmt.Fprintf(stdout, ", moved %s earlier so that the last one ends now", roughly(-shift))
	}
	fmt.Fprintln(stdout)
	return 0
}

// read adds a file of spans or log records: an OTLP/JSON export request of either.
func (r *recorded) read(name string) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b); err == nil && td.SpanCount() > 0 {
		r.traces = append(r.traces, td)
		return nil
	}
	if ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(b); err == nil && ld.LogRecordCount() > 0 {
		r.logs = append(r.logs, ld)
		return nil
	}
	return fmt.Errorf("%s holds no spans or log records: it must be an OTLP/JSON trace or log export request "+
		`({"resourceSpans": [...]} or {"resourceLogs": [...]})`, name)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// roughly says how long d is in the largest unit that fits: 365 days, 3 hours, 12s.
func roughly(d time.Duration) string {
	switch a := d.Abs(); {
	case a >= 48*time.Hour:
		return fmt.Sprintf("%.0f days", d.Hours()/24)
	case a >= 2*time.Hour:
		return fmt.Sprintf("%.0f hours", d.Hours())
	}
	return d.Round(time.Second).String()
}

// shiftToNow moves every timestamp by the same amount, so that the latest span end or log
// record is now: spans keep their durations, and everything its order. It returns the
// shift.
func (r *recorded) shiftToNow(now time.Time) time.Duration {
	var latest pcommon.Timestamp
	eachSpan(r.traces, func(sp ptrace.Span) { latest = max(latest, sp.EndTimestamp(), sp.StartTimestamp()) })
	eachRecord(r.logs, func(rec plog.LogRecord) { latest = max(latest, rec.Timestamp(), rec.ObservedTimestamp()) })
	if latest == 0 {
		return 0
	}
	shift := now.Sub(latest.AsTime())
	move := func(t pcommon.Timestamp) pcommon.Timestamp {
		if t == 0 {
			return 0 // unset stays unset
		}
		return pcommon.NewTimestampFromTime(t.AsTime().Add(shift))
	}
	eachSpan(r.traces, func(sp ptrace.Span) {
		sp.SetStartTimestamp(move(sp.StartTimestamp()))
		sp.SetEndTimestamp(move(sp.EndTimestamp()))
		for _, ev := range sp.Events().All() {
			ev.SetTimestamp(move(ev.Timestamp()))
		}
	})
	eachRecord(r.logs, func(rec plog.LogRecord) {
		rec.SetTimestamp(move(rec.Timestamp()))
		rec.SetObservedTimestamp(move(rec.ObservedTimestamp()))
	})
	return shift
}

func eachRecord(batches []plog.Logs, f func(plog.LogRecord)) {
	for _, ld := range batches {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, rec := range sl.LogRecords().All() {
					f(rec)
				}
			}
		}
	}
}

func eachSpan(batches []ptrace.Traces, f func(ptrace.Span)) {
	for _, td := range batches {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					f(sp)
				}
			}
		}
	}
}

func signalURL(endpoint, signal string) string {
	return strings.TrimSuffix(endpoint, "/") + "/v1/" + signal
}

var otlpClient = &http.Client{Timeout: 30 * time.Second}

// postTraces sends td as an OTLP/HTTP protobuf export request.
func postTraces(endpoint string, td ptrace.Traces) error {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return err
	}
	return postOTLP(signalURL(endpoint, "traces"), body)
}

// postLogs sends ld as an OTLP/HTTP protobuf export request.
func postLogs(endpoint string, ld plog.Logs) error {
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		return err
	}
	return postOTLP(signalURL(endpoint, "logs"), body)
}

func postOTLP(u string, body []byte) error {
	resp, err := otlpClient.Post(u, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("cannot reach the collector's OTLP/HTTP receiver at %s: %w\n"+
			"is the collector running (make run)? set --otlp or LLMCTL_OTLP_ENDPOINT to its address", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("the collector refused what was sent (POST %s: %s): %s", u, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
