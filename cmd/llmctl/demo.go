package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// demo gives a newcomer something to look at in every view: an hour of agent traffic
// dated now, with the logs an app writes around it and its users' feedback.

func init() {
	register(command{name: "demo", summary: "send an hour of generated agent traffic, logs and feedback to the collector", run: runDemo})
}

func runDemo(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := otlpFlag(fs)
	traces := fs.Int("traces", 300, "agent runs to send (3.5 spans each on average)")
	window := fs.Duration("window", time.Hour, "the runs are spread over this time, ending now")
	live := fs.Duration("live", 0, "then keep sending runs as they happen for this long (Ctrl-C stops): rates, and the alert on the incident")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || *traces < 1 || *traces > 1_000_000 || *window <= 0 || *live < 0 {
		fmt.Fprintln(stderr, "usage: llmctl demo [--otlp URL] [--traces 1..1000000] [--window DURATION > 0] [--live DURATION]")
		return 2
	}
	now := time.Now()
	// A new seed each time: new trace ids, so that a second demo adds to the first.
	seed := uint64(now.UnixNano())
	r := rand.New(rand.NewPCG(seed, 0x853c49e6748fea9b))
	spans, records, incidentCalls := 0, 0, 0
	send := func(o storegen.Options) error {
		return storegen.Generate(o, 100, func(td ptrace.Traces) error {
			spans += td.SpanCount()
			incident(td, o.Start.Add(o.Period), &incidentCalls)
			if err := postTraces(*endpoint, td); err != nil {
				return err
			}
			// After their spans, so that the collector joins the feedback to its call.
			ld := demoLogs(td, r, time.Now())
			records += ld.LogRecordCount()
			return postLogs(*endpoint, ld)
		})
	}
	runs := storegen.Options{Seed: seed, Start: now.Add(-*window), Period: *window, Traces: *traces,
		Users: 25, Sessions: 60, RandomIDs: true}
	if err := send(runs); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "sent %s (%s: agents, model and tool calls; 3 services, 5 models, 25 users, 60 sessions)\n"+
		"and %s (errors, tool logs, user feedback) over the last %s to %s;\n"+
		"in the last %s, %s was rate limited on half of its calls\n",
		plural(*traces, "agent run"), plural(spans, "span"), plural(records, "log record"), *window, *endpoint,
		roughly(min(incidentDuration, *window)), incidentModel)
	fmt.Fprintln(stdout, "see them with `llmctl dashboard`, or in the web UI of the llmstore extension (http://localhost:8686 by default)")
	if *live == 0 {
		return 0
	}
	// Ctrl-C is caught from before the line that tells of it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Fprintf(stdout, "sending %d agent runs a minute as they happen for %s (Ctrl-C stops); %s is still rate limited,\n"+
		"so the quickstart's LLMErrorRateHigh alert fires within a minute or two: see `llmctl alerts`\n",
		int(time.Minute/liveInterval)*liveRuns, *live, incidentModel)
	tick := time.NewTicker(liveInterval)
	defer tick.Stop()
	sent, end := 0, time.After(*live)
	for {
		select {
		case <-ctx.Done():
		case <-end:
		case at := <-tick.C:
			runs.Seed++
			runs.Start, runs.Period, runs.Traces = at.Add(-liveInterval), liveInterval, liveRuns
			if err := send(runs); err != nil {
				return fail(stderr, err)
			}
			sent += liveRuns
			continue
		}
		fmt.Fprintf(stdout, "sent %s live\n", plural(sent, "agent run"))
		return 0
	}
}

// The live phase sends liveRuns agent runs every liveInterval: enough calls of each
// model for the error rate of every series to have a value.
const (
	liveInterval = 2 * time.Second
	liveRuns     = 3
)

// The demo's incident: in its last minutes, one model is rate limited on half of its calls,
// which the default alert rule on the error rate reports.
const (
	incidentModel    = "claude-sonnet-4-20250514"
	incidentDuration = 5 * time.Minute
	incidentError    = "rate_limit_exceeded"
)

// incident fails half of the calls to incidentModel that start in the last
// incidentDuration before now, as the provider would: an error status and type, no answer.
// In the live phase every call is in the incident. calls counts the incident's calls over
// the demo: every other one fails, the first included, so that a few calls already show
// the error rate (a coin left a short live demo without errors one time in four).
func incident(td ptrace.Traces, now time.Time, calls *int) {
	from := pcommon.NewTimestampFromTime(now.Add(-incidentDuration))
	eachSpan([]ptrace.Traces{td}, func(sp ptrace.Span) {
		a := sp.Attributes()
		if sp.StartTimestamp() < from || genai.Str(a, genai.RequestModel) != incidentModel {
			return
		}
		if *calls++; *calls%2 == 0 {
			return
		}
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage(incidentError)
		a.PutStr(genai.ErrorType, incidentError)
		a.Remove(genai.OutputMessages)
		a.PutInt(genai.UsageOutputTokens, 0)
	})
}

// demoLogs are the log records an app writes around td's spans: an error for each failed
// call, a line for each tool run, and, for one answer in ten, the user's thumbs up or
// (one time in four) down, as a gen_ai.evaluation.result event on the answer's span.
func demoLogs(td ptrace.Traces, r *rand.Rand, now time.Time) plog.Logs {
	ld := plog.NewLogs()
	for _, rs := range td.ResourceSpans().All() {
		rl := ld.ResourceLogs().AppendEmpty()
		rs.Resource().CopyTo(rl.Resource())
		recs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				a := sp.Attributes()
				record := func(at pcommon.Timestamp, sev plog.SeverityNumber, body string) plog.LogRecord {
					rec := recs.AppendEmpty()
					rec.SetTimestamp(at)
					rec.SetSeverityNumber(sev)
					rec.SetSeverityText(strings.ToUpper(sev.String()))
					rec.Body().SetStr(body)
					rec.SetTraceID(sp.TraceID())
					rec.SetSpanID(sp.SpanID())
					return rec
				}
				switch op := genai.Str(a, genai.OperationName); {
				case sp.Status().Code() == ptrace.StatusCodeError:
					errType := genai.Str(a, genai.ErrorType)
					rec := record(sp.EndTimestamp(), plog.SeverityNumberError,
						fmt.Sprintf("%s call to %s failed: %s", genai.Str(a, genai.ProviderName), genai.Str(a, genai.RequestModel), errType))
					rec.Attributes().PutStr(genai.ErrorType, errType)
				case op == genai.OpExecuteTool:
					d := sp.EndTimestamp().AsTime().Sub(sp.StartTimestamp().AsTime())
					record(sp.EndTimestamp(), plog.SeverityNumberInfo, fmt.Sprintf("tool %s answered in %s", genai.Str(a, genai.ToolName), d))
				case genai.IsInference(op) && genai.Str(a, genai.OutputMessages) != "" && r.IntN(10) == 0:
					at := sp.EndTimestamp().AsTime().Add(20 * time.Second)
					if at.After(now) {
						at = now
					}
					rec := record(pcommon.NewTimestampFromTime(at), plog.SeverityNumberInfo, "")
					rec.SetEventName(genai.EventEvaluationResult)
					score, label := 1.0, "thumbs_up"
					if r.IntN(4) == 0 {
						score, label = 0, "thumbs_down"
					}
					fa := rec.Attributes()
					fa.PutStr(genai.EvaluationName, genai.EvaluationUserFeedback)
					fa.PutDouble(genai.EvaluationScoreValue, score)
					fa.PutStr(genai.EvaluationScoreLabel, label)
					fa.PutStr(genai.EvaluationSource, "feedback")
				}
			}
		}
	}
	return ld
}
