package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

// startOTLPReceiver runs the collector's OTLP receiver, HTTP only, on a free port of
// 127.0.0.1, and returns its endpoint and the traces it receives.
func startOTLPReceiver(t *testing.T) (string, *consumertest.TracesSink) {
	endpoint, traces, _ := startOTLPReceiverWithLogs(t)
	return endpoint, traces
}

func startOTLPReceiverWithLogs(t *testing.T) (string, *consumertest.TracesSink, *consumertest.LogsSink) {
	t.Helper()
	addr := freeAddr(t)
	f := otlpreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.HTTP.GetOrInsertDefault().ServerConfig.NetAddr.Endpoint = addr // and no gRPC
	traces, logs := new(consumertest.TracesSink), new(consumertest.LogsSink)
	set := receivertest.NewNopSettings(f.Type())
	tr, err := f.CreateTraces(context.Background(), set, cfg, traces)
	if err != nil {
		t.Fatal(err)
	}
	lr, err := f.CreateLogs(context.Background(), set, cfg, logs) // the same receiver, shared
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []component.Component{tr, lr} {
		if err := r.Start(context.Background(), componentHost{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Shutdown(context.Background()) })
	}
	return "http://" + addr, traces, logs
}

func receivedSpans(sink *consumertest.TracesSink) []ptrace.Span {
	var spans []ptrace.Span
	eachSpan(sink.AllTraces(), func(sp ptrace.Span) { spans = append(spans, sp) })
	return spans
}

// A recorded file is sent with its spans moved to end now, durations, offsets and event
// times kept: what a newcomer sends is on the dashboard and outlives retention.
func TestSendMovesSpansToEndNow(t *testing.T) {
	endpoint, sink := startOTLPReceiver(t)
	file := recordedFile(t)
	var out, errOut strings.Builder
	before := time.Now()
	if code := run([]string{"send", "--otlp", endpoint, file}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	after := time.Now()
	if !strings.Contains(out.String(), "sent 2 spans to "+endpoint+", moved ") {
		t.Errorf("output: %q", out.String())
	}
	spans := receivedSpans(sink)
	if len(spans) != 2 {
		t.Fatalf("%d spans received, want 2", len(spans))
	}
	parent, child := spans[0], spans[1]
	if end := parent.EndTimestamp().AsTime(); end.Before(before) || end.After(after) {
		t.Errorf("the latest span ends at %s, not between %s and %s", end, before, after)
	}
	if d := parent.EndTimestamp().AsTime().Sub(parent.StartTimestamp().AsTime()); d != 3*time.Second {
		t.Errorf("parent lasts %s, recorded 3s", d)
	}
	if d := child.StartTimestamp().AsTime().Sub(parent.StartTimestamp().AsTime()); d != 500*time.Millisecond {
		t.Errorf("child starts %s after its parent, recorded 500ms", d)
	}
	if d := child.Events().At(0).Timestamp().AsTime().Sub(child.StartTimestamp().AsTime()); d != 100*time.Millisecond {
		t.Errorf("event %s after its span's start, recorded 100ms", d)
	}
	if got := child.Attributes().AsRaw()["llm.model_name"]; got != "gpt-4o-mini" {
		t.Errorf("attributes changed: %v", child.Attributes().AsRaw())
	}
}

// Logs recorded with the spans move with them: the feedback stays after the call it
// rates.
func TestSendMovesLogsWithSpans(t *testing.T) {
	endpoint, traces, logs := startOTLPReceiverWithLogs(t)
	feedback := filepath.Join(t.TempDir(), "feedback.json")
	if err := os.WriteFile(feedback, []byte(recordedFeedback), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	before := time.Now()
	if code := run([]string{"send", "--otlp", endpoint, recordedFile(t), feedback}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "sent 2 spans and 1 log record to "+endpoint+", moved ") {
		t.Errorf("output: %q", out.String())
	}
	spans := receivedSpans(traces)
	if len(spans) != 2 || logs.LogRecordCount() != 1 {
		t.Fatalf("received %d spans and %d log records, want 2 and 1", len(spans), logs.LogRecordCount())
	}
	rec := logs.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	if at := rec.Timestamp().AsTime(); at.Before(before) || at.After(time.Now()) {
		t.Errorf("the latest record is dated %s, not now", at)
	}
	if d := rec.Timestamp().AsTime().Sub(spans[1].EndTimestamp().AsTime()); d != 20*time.Second {
		t.Errorf("the feedback comes %s after the call it rates, recorded 20s", d)
	}
}

func TestSendKeepTime(t *testing.T) {
	endpoint, sink := startOTLPReceiver(t)
	file := recordedFile(t)
	var out, errOut strings.Builder
	if code := run([]string{"send", "--otlp", endpoint, "--keep-time", file}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	spans := receivedSpans(sink)
	if len(spans) != 2 || spans[0].StartTimestamp() != 1700000000000000000 || strings.Contains(out.String(), "moved") {
		t.Errorf("with --keep-time: %d spans, first starts at %d; output %q", len(spans), spans[0].StartTimestamp(), out.String())
	}
}

// demo sends realistic traffic over the window ending now: agents with model and tool
// calls, errors, several services, models, users and sessions.
func TestDemoSendsTrafficOverTheWindow(t *testing.T) {
	endpoint, sink, logSink := startOTLPReceiverWithLogs(t)
	var out, errOut strings.Builder
	start := time.Now()
	if code := run([]string{"demo", "--otlp", endpoint, "--traces", "200", "--window", "10m"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	spans := receivedSpans(sink)
	if !strings.Contains(out.String(), "sent 200 agent runs ("+strconv.Itoa(len(spans))+" spans") ||
		!strings.Contains(out.String(), "and "+strconv.Itoa(logSink.LogRecordCount())+" log records") {
		t.Errorf("output %q does not count the %d spans and %d log records received", out.String(), len(spans), logSink.LogRecordCount())
	}
	ops, services, models, sessions, errors := map[string]int{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, 0
	traces := map[pcommon.TraceID]bool{}
	for _, td := range sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			services[rs.Resource().Attributes().AsRaw()["service.name"].(string)] = true
		}
	}
	for _, sp := range spans {
		a := sp.Attributes().AsRaw()
		ops[a["gen_ai.operation.name"].(string)]++
		if m, ok := a["gen_ai.request.model"].(string); ok {
			models[m] = true
		}
		if s, ok := a["gen_ai.conversation.id"].(string); ok {
			sessions[s] = true
		}
		if sp.Status().Code() == ptrace.StatusCodeError {
			errors++
		}
		traces[sp.TraceID()] = true
		if st := sp.StartTimestamp().AsTime(); st.Before(start.Add(-10*time.Minute)) || st.After(time.Now()) {
			t.Fatalf("span %s starts at %s, outside the last 10 minutes", sp.Name(), st)
		}
	}
	if len(traces) != 200 || ops["invoke_agent"] != 200 || ops["chat"] < 300 || ops["execute_tool"] == 0 {
		t.Errorf("%d traces, operations %v", len(traces), ops)
	}
	if len(services) < 3 || len(models) < 5 || len(sessions) < 20 || errors == 0 {
		t.Errorf("%d services, %d models, %d sessions, %d errors: not the variety a dashboard needs", len(services), len(models), len(sessions), errors)
	}
	// The logs: an error record for each failed call, a line per tool run, and users'
	// feedback as evaluation events on answers, each on a span that was sent.
	byID := map[pcommon.SpanID]ptrace.Span{}
	for _, sp := range spans {
		byID[sp.SpanID()] = sp
	}
	errorLogs, toolLogs, feedback := 0, 0, 0
	for _, ld := range logSink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, rec := range sl.LogRecords().All() {
					sp, ok := byID[rec.SpanID()]
					if !ok || sp.TraceID() != rec.TraceID() {
						t.Fatalf("log record %q is about a span that was not sent", rec.Body().Str())
					}
					switch a := rec.Attributes().AsRaw(); {
					case rec.SeverityNumber() == plog.SeverityNumberError:
						errorLogs++
						if sp.Status().Code() != ptrace.StatusCodeError || a["error.type"] == "" {
							t.Errorf("error record %q on a span that did not fail", rec.Body().Str())
						}
					case rec.EventName() == "gen_ai.evaluation.result":
						feedback++
						if a["gen_ai.evaluation.name"] != "user_feedback" || sp.Attributes().AsRaw()["gen_ai.operation.name"] != "chat" {
							t.Errorf("feedback %v on span %s", a, sp.Name())
						}
					default:
						toolLogs++
					}
				}
			}
		}
	}
	if errorLogs != errors || toolLogs != ops["execute_tool"] || feedback == 0 {
		t.Errorf("%d error records for %d failed calls, %d tool records for %d tool runs, %d feedback events",
			errorLogs, errors, toolLogs, ops["execute_tool"], feedback)
	}
	// A second demo adds to the first instead of resending the same trace ids.
	if code := run([]string{"demo", "--otlp", endpoint, "--traces", "10", "--window", "1m"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("second demo: exit %d: %s", code, errOut.String())
	}
	for _, sp := range receivedSpans(sink)[len(spans):] {
		if traces[sp.TraceID()] {
			t.Fatalf("the second demo resent trace %s", sp.TraceID())
		}
	}
}

// --live keeps sending runs as they happen, in which the incident's model is rate limited
// on about half of its calls.
func TestDemoLive(t *testing.T) {
	endpoint, sink := startOTLPReceiver(t)
	var out, errOut strings.Builder
	if code := run([]string{"demo", "--otlp", endpoint, "--traces", "1", "--window", "1s", "--live", "5s"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	runs, calls, failed := map[pcommon.TraceID]bool{}, 0, 0
	for _, sp := range receivedSpans(sink) {
		runs[sp.TraceID()] = true
		if sp.Attributes().AsRaw()["gen_ai.request.model"] == incidentModel {
			calls++
			if sp.Status().Code() == ptrace.StatusCodeError {
				failed++
			}
		}
	}
	// One batch every 2 s for 5 s: two, or one if the machine stalls past the end.
	var sent int
	if _, err := fmt.Sscanf(out.String()[strings.LastIndex(out.String(), "sent "):], "sent %d agent runs live", &sent); err != nil ||
		sent < liveRuns || sent%liveRuns != 0 || len(runs) != 1+sent {
		t.Errorf("%d runs received, want 1 and the %d sent live; output %q", len(runs), sent, out.String())
	}
	if calls > 0 && (failed == 0 || failed == calls && calls > 4) {
		t.Errorf("%d of %d calls to %s failed, want about half", failed, calls, incidentModel)
	}
}

func TestSendAndDemoErrors(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
	}))
	defer refusing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	good := recordedFile(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"resourceSpans": 3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no file", []string{"send"}, 2, "usage: llmctl send"},
		{"missing file", []string{"send", filepath.Join(dir, "none.json")}, 1, "none.json"},
		{"not OTLP/JSON", []string{"send", bad}, 1, "bad.json holds no spans or log records: it must be an OTLP/JSON trace or log export request"},
		{"unreachable", []string{"send", "--otlp", closed.URL, good}, 1, "cannot reach the collector's OTLP/HTTP receiver at " + closed.URL + "/v1/traces"},
		{"refused", []string{"demo", "--otlp", refusing.URL, "--traces", "5"}, 1, "429 Too Many Requests): quota exceeded"},
		{"bad count", []string{"demo", "--traces", "0"}, 2, "usage: llmctl demo"},
		{"bad window", []string{"demo", "--window", "-1h"}, 2, "usage: llmctl demo"},
		{"bad live", []string{"demo", "--live", "-1m"}, 2, "usage: llmctl demo"},
	} {
		var out, errOut strings.Builder
		if code := run(c.args, nil, &out, &errOut); code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", c.name, code, errOut.String(), c.code, c.want)
		}
	}
}

// recordedFile writes recordedTrace to a file and returns its path.
func recordedFile(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "recorded.json")
	if err := os.WriteFile(file, []byte(recordedTrace), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// recordedFeedback is a user's thumbs down on the child of recordedTrace, 20 s after it
// ended.
const recordedFeedback = `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"recorded"}}]},
"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000021500000000","eventName":"gen_ai.evaluation.result",
 "traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000002",
 "attributes":[{"key":"gen_ai.evaluation.name","value":{"stringValue":"user_feedback"}},
  {"key":"gen_ai.evaluation.score.value","value":{"doubleValue":0}}]}]}]}]}`

// recordedTrace is an OTLP/JSON export request recorded long ago: a parent of 3 s and a
// child starting 500 ms into it, with an event 100 ms into the child.
const recordedTrace = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"recorded"}}]},
"scopeSpans":[{"spans":[
{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000001","name":"agent",
 "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000003000000000"},
{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"ChatCompletion",
 "startTimeUnixNano":"1700000000500000000","endTimeUnixNano":"1700000001500000000",
 "attributes":[{"key":"llm.model_name","value":{"stringValue":"gpt-4o-mini"}}],
 "events":[{"name":"first token","timeUnixNano":"1700000000600000000"}]}]}]}]}`

// freeAddr is a free TCP address on 127.0.0.1.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type componentHost struct{}

func (componentHost) GetExtensions() map[component.ID]component.Component { return nil }
