package store

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// hour is a window around the fixture.
var hour = Window{From: base.Add(-time.Minute), To: base.Add(time.Hour)}

func openStore(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "llm.db")
	}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fixtureStore(t *testing.T) *Store {
	t.Helper()
	s := openStore(t, Options{})
	ctx := context.Background()
	if err := s.WriteTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(ctx, storegen.FixtureLogs(base)); err != nil {
		t.Fatal(err)
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestOverview(t *testing.T) {
	s := fixtureStore(t)
	o, err := s.Overview(context.Background(), hour, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// Four model calls (agent and tool spans are not requests): 100, 400, 800, 1500 ms.
	if o.Requests != 4 || o.Errors != 1 || o.ErrorRate != 0.25 {
		t.Errorf("requests %d errors %d rate %v, want 4 1 0.25", o.Requests, o.Errors, o.ErrorRate)
	}
	if o.InputTokens != 1620 || o.OutputTokens != 80 || !near(o.Cost, 0.00252) {
		t.Errorf("tokens %d/%d cost %v, want 1620/80 0.00252", o.InputTokens, o.OutputTokens, o.Cost)
	}
	if o.Latency != (Latency{P50: 400, P95: 1500, P99: 1500}) {
		t.Errorf("latency %+v", o.Latency)
	}
	if len(o.ByModel) != 3 || o.ByModel[0].Key != "gpt-4o" || o.ByModel[0].Requests != 2 || !near(o.ByModel[0].Cost, 0.0016) {
		t.Errorf("by model %+v", o.ByModel)
	}
	if o.ByProvider[0].Key != "openai" || o.ByProvider[0].Requests != 3 {
		t.Errorf("by provider %+v", o.ByProvider)
	}
	if o.ByUser[0].Key != "alice" || o.ByUser[0].Requests != 3 || o.ByUser[0].Errors != 1 {
		t.Errorf("by user %+v", o.ByUser)
	}
	if len(o.ByService) != 2 {
		t.Errorf("by service %+v", o.ByService)
	}
	// Buckets: the first minute has two calls, the second the error, the third the embedding.
	if len(o.Series) != 61 || o.Series[1].Requests != 2 || o.Series[2].Errors != 1 || o.Series[3].Requests != 1 {
		t.Errorf("series: %d buckets, %+v", len(o.Series), o.Series[:4])
	}
	empty, err := s.Overview(context.Background(), Window{From: base.Add(time.Hour), To: base.Add(2 * time.Hour)}, 0)
	if err != nil || empty.Requests != 0 || empty.Latency.P99 != 0 {
		t.Errorf("empty window: %+v %v", empty.Totals, err)
	}
}

func TestTraces(t *testing.T) {
	s := fixtureStore(t)
	ids := func(f TraceFilter) string {
		t.Helper()
		f.Window = hour
		ts, err := s.Traces(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tr := range ts {
			out = append(out, strings.TrimLeft(tr.TraceID[16:], "0"))
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name string
		f    TraceFilter
		want string
	}{
		{"all, newest first", TraceFilter{}, "3,2,1"},
		{"model of a child span", TraceFilter{Model: "gpt-4o"}, "1"},
		{"errors only", TraceFilter{ErrorsOnly: true}, "2"},
		{"ok only", TraceFilter{OKOnly: true}, "3,1"},
		{"min duration", TraceFilter{MinDuration: time.Second}, "1"},
		{"service", TraceFilter{Service: "search-api"}, "3"},
		{"user", TraceFilter{User: "alice"}, "2,1"},
		{"session", TraceFilter{Session: "sess-bob"}, "3"},
		{"content text", TraceFilter{Text: "REFUND POLICY"}, "2,1"},
		{"content text with LIKE wildcard", TraceFilter{Text: "100%"}, ""},
		{"limit", TraceFilter{Limit: 1}, "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(tc.f); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTraceDetail(t *testing.T) {
	s := fixtureStore(t)
	d, err := s.Trace(context.Background(), storegen.TraceID(1).String())
	if err != nil {
		t.Fatal(err)
	}
	if d.RootName != "invoke_agent support" || d.SpanCount != 4 || len(d.Spans) != 4 || d.DurationMs != 2500 || d.LLMCalls != 2 {
		t.Errorf("summary %+v", d.TraceSummary)
	}
	var got []string
	for _, sp := range d.Spans {
		got = append(got, strings.Repeat("  ", sp.Depth)+sp.Name)
	}
	want := "invoke_agent support|  chat gpt-4o|  execute_tool get_policy|  chat gpt-4o"
	if strings.Join(got, "|") != want {
		t.Errorf("tree %q", strings.Join(got, "|"))
	}
	chat := d.Spans[1]
	if chat.OffsetMs != 10 || *chat.InputTokens != 120 || *chat.Cost != 0.0006 || chat.Provider != "openai" {
		t.Errorf("chat span %+v", chat)
	}
	if strings.Contains(string(chat.Attributes), "refund policy") {
		t.Errorf("content leaked into attributes: %s", chat.Attributes)
	}
	if !strings.Contains(string(chat.Content), "refund policy for order 1234") {
		t.Errorf("content missing: %s", chat.Content)
	}
	if _, err := s.Trace(context.Background(), "ffff"); err != ErrNotFound {
		t.Errorf("unknown trace: %v", err)
	}
}

func TestSessionTranscript(t *testing.T) {
	s := fixtureStore(t)
	list, err := s.Sessions(context.Background(), SessionFilter{Window: hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "sess-bob" || list[1].ID != "sess-alice" || list[1].Traces != 2 ||
		list[1].LLMCalls != 3 || list[1].Errors != 1 || list[1].User != "alice" {
		t.Fatalf("sessions %+v", list)
	}
	d, err := s.Session(context.Background(), "sess-alice")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, turn := range d.Transcript {
		switch {
		case turn.Tool != nil:
			got = append(got, "tool run "+turn.Tool.Name+" "+string(turn.Tool.Arguments)+" → "+string(turn.Tool.Result))
		default:
			line := turn.Message.Role + ":"
			for _, p := range turn.Message.Parts {
				line += " " + p.Type + "=" + p.Content + p.Name + string(p.Response)
			}
			if turn.Call != nil {
				line += " [" + turn.Call.Model + " " + turn.Call.Error + "]"
			}
			got = append(got, line)
		}
	}
	want := []string{
		"system: text=You are the support assistant of Example Shop.",
		"user: text=What is the refund policy for order 1234?",
		"assistant: tool_call=get_policy [gpt-4o ]",
		`tool run get_policy {"topic":"refunds"} → "Refunds within 30 days."`,
		`tool: tool_call_response="Refunds within 30 days."`,
		"assistant: text=You can get a refund within 30 days of delivery. [gpt-4o ]",
		"user: text=And for damaged items?",
		"assistant: [claude-sonnet-4 rate_limit_exceeded]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("transcript:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := s.Session(context.Background(), "nope"); err != ErrNotFound {
		t.Errorf("unknown session: %v", err)
	}
}

func TestDependencies(t *testing.T) {
	s := fixtureStore(t)
	d, err := s.Dependencies(context.Background(), hour)
	if err != nil {
		t.Fatal(err)
	}
	var edges []string
	for _, e := range d.Edges {
		edges = append(edges, e.From+">"+e.To+"="+itoa(e.Calls)+"/"+itoa(e.Errors))
	}
	want := []string{
		"agent:support>model:gpt-4o=2/0",
		"agent:support>tool:get_policy=1/0",
		"model:claude-sonnet-4>provider:anthropic=1/1",
		"model:gpt-4o>provider:openai=2/0",
		"model:text-embedding-3-small>provider:openai=1/0",
		"service:search-api>model:text-embedding-3-small=1/0",
		"service:support-bot>agent:support=1/0",
		"service:support-bot>model:claude-sonnet-4=1/1",
	}
	if strings.Join(edges, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s", strings.Join(edges, "\n"))
	}
	for _, n := range d.Nodes {
		if n.ID == "provider:openai" && n.Calls != 3 {
			t.Errorf("openai node %+v", n)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestLogs(t *testing.T) {
	s := fixtureStore(t)
	all, err := s.Logs(context.Background(), LogFilter{Window: hour})
	if err != nil || len(all) != 2 || all[0].SeverityText != "ERROR" {
		t.Fatalf("logs %+v %v", all, err)
	}
	errs, _ := s.Logs(context.Background(), LogFilter{Window: hour, ErrorsOnly: true})
	if len(errs) != 1 || !strings.Contains(errs[0].Body, "429") || errs[0].TraceID != storegen.TraceID(2).String() {
		t.Errorf("errors only: %+v", errs)
	}
	byText, _ := s.Logs(context.Background(), LogFilter{Window: hour, Text: "LOOKED"})
	if len(byText) != 1 || byText[0].Body != "refund policy looked up" {
		t.Errorf("text: %+v", byText)
	}
	byTrace, _ := s.Logs(context.Background(), LogFilter{Window: hour, TraceID: storegen.TraceID(1).String()})
	if len(byTrace) != 1 {
		t.Errorf("trace: %+v", byTrace)
	}
}

func TestMetricSeries(t *testing.T) {
	s := openStore(t, Options{})
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "support-bot")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	cost := ms.AppendEmpty()
	cost.SetName("otelcol_llm.cost")
	cost.SetUnit("USD")
	sum := cost.SetEmptySum()
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	for i, v := range []float64{1, 2, 4} {
		dp := sum.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Duration(i*20) * time.Second)))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	}
	dur := ms.AppendEmpty()
	dur.SetName("gen_ai.client.operation.duration")
	h := dur.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	hp := h.DataPoints().AppendEmpty()
	hp.SetTimestamp(pcommon.NewTimestampFromTime(base))
	hp.SetCount(4)
	hp.SetSum(2)
	hp.ExplicitBounds().FromRaw([]float64{0.1, 0.5, 1, 5})
	hp.BucketCounts().FromRaw([]uint64{0, 1, 2, 1, 0})
	// A second point in the same step: its buckets add to the first one's.
	hp2 := h.DataPoints().AppendEmpty()
	hp2.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(10 * time.Second)))
	hp2.ExplicitBounds().FromRaw([]float64{0.1, 0.5, 1, 5})
	hp2.BucketCounts().FromRaw([]uint64{0, 0, 0, 0, 0})
	sm := ms.AppendEmpty()
	sm.SetName("rpc.duration")
	sp := sm.SetEmptySummary().DataPoints().AppendEmpty()
	sp.SetTimestamp(pcommon.NewTimestampFromTime(base))
	sp.SetCount(10)
	sp.SetSum(5)
	for q, v := range map[float64]float64{0.5: 0.4, 0.99: 2} {
		qv := sp.QuantileValues().AppendEmpty()
		qv.SetQuantile(q)
		qv.SetValue(v)
	}
	if err := s.WriteMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	names, err := s.Metrics(context.Background(), hour)
	if err != nil || len(names) != 3 || names[1].Name != "otelcol_llm.cost" || names[1].Type != "sum_delta" || names[1].Points != 3 {
		t.Fatalf("names %+v %v", names, err)
	}
	ser, err := s.MetricSeries(context.Background(), "otelcol_llm.cost", Window{From: base, To: base.Add(2 * time.Minute)}, time.Minute)
	if err != nil || len(ser.Series) != 1 || len(ser.Series[0].Points) != 1 || ser.Series[0].Points[0].Value != 7 {
		t.Fatalf("delta sum per minute: %+v %v", ser, err)
	}
	hist, _ := s.MetricSeries(context.Background(), "gen_ai.client.operation.duration", Window{From: base, To: base.Add(time.Minute)}, time.Minute)
	if p := hist.Series[0].Points[0]; p.Value != 0.5 || *p.Count != 4 {
		t.Errorf("histogram mean/count: %+v", p)
	}
	// Buckets (0.1, 0.5] 1, (0.5, 1] 2, (1, 5] 1: the median is halfway into (0.5, 1], p95
	// and p99 interpolated in (1, 5].
	if q := hist.Series[0].Points[0].Quantiles; q == nil || !near(*q.P50, 0.75) || !near(*q.P95, 4.2) || !near(*q.P99, 4.84) {
		t.Errorf("histogram quantiles: %+v", q)
	}
	sum2, _ := s.MetricSeries(context.Background(), "rpc.duration", Window{From: base, To: base.Add(time.Minute)}, time.Minute)
	if q := sum2.Series[0].Points[0].Quantiles; q == nil || *q.P50 != 0.4 || q.P95 != nil || *q.P99 != 2 {
		t.Errorf("summary quantiles: %+v", q)
	}
}

func TestDuplicateSpansAreNotCountedTwice(t *testing.T) {
	s := fixtureStore(t)
	if err := s.WriteTraces(context.Background(), storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	ts, _ := s.Traces(context.Background(), TraceFilter{Window: hour})
	if len(ts) != 3 || ts[2].SpanCount != 4 || ts[2].LLMCalls != 2 {
		t.Errorf("after a redelivered batch: %+v", ts)
	}
}

// cancelledAfter reports itself cancelled once its Err has been asked n times, so that a
// write sees its context end in the middle of a batch.
type cancelledAfter struct {
	context.Context
	n atomic.Int64
}

func (c *cancelledAfter) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// A batch whose caller gives up part way (the exporter's timeout) is rolled back whole,
// and the retry stores it once.
func TestCancelledWriteStoresNothing(t *testing.T) {
	cancelledMidway := false
	for n := range int64(40) {
		s := openStore(t, Options{})
		ctx := &cancelledAfter{Context: context.Background()}
		ctx.n.Store(n)
		err := s.WriteTraces(ctx, storegen.Fixture(base))
		ts, qerr := s.Traces(context.Background(), TraceFilter{Window: hour})
		if qerr != nil {
			t.Fatal(qerr)
		}
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled after %d checks: %v", n, err)
			}
			if len(ts) != 0 {
				t.Fatalf("cancelled after %d checks, yet stored %+v", n, ts)
			}
			cancelledMidway = cancelledMidway || n > 0
			if err := s.WriteTraces(context.Background(), storegen.Fixture(base)); err != nil {
				t.Fatal(err)
			}
			ts, _ = s.Traces(context.Background(), TraceFilter{Window: hour})
		}
		if len(ts) != 3 || ts[2].SpanCount != 4 || ts[2].LLMCalls != 2 {
			t.Fatalf("cancelled after %d checks, then retried: %+v", n, ts)
		}
	}
	if !cancelledMidway {
		t.Error("no write saw its context end after it had started")
	}
}

// Empty text values are bound as NULL to spare the driver a copy each, and stored as the
// empty string again: queries compare them with the empty string (spans without a user,
// root spans).
func TestEmptyTextIsStoredEmpty(t *testing.T) {
	s := fixtureStore(t)
	for _, q := range []struct{ query, why string }{
		{`SELECT count(*) FROM spans WHERE parent_span_id IS NULL OR scope IS NULL OR status_message IS NULL
			OR operation IS NULL OR provider IS NULL OR request_model IS NULL OR response_model IS NULL OR model IS NULL
			OR user_id IS NULL OR conversation_id IS NULL OR error_type IS NULL OR agent_name IS NULL
			OR tool_name IS NULL OR events IS NULL`, "spans with a NULL text column"},
		{`SELECT count(*) FROM traces WHERE root_name IS NULL OR service IS NULL OR model IS NULL OR user_id IS NULL
			OR conversation_id IS NULL`, "traces with a NULL text column"},
	} {
		var n int
		if err := s.r.QueryRow(q.query).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", q.why, n, err)
		}
	}
	// The fixture has each kind of empty value, so the check above saw them.
	var roots, noTool, noEvents int
	if err := s.r.QueryRow(`SELECT count(*) FILTER (WHERE parent_span_id = ''), count(*) FILTER (WHERE tool_name = ''),
		count(*) FILTER (WHERE events = '[]') FROM spans`).Scan(&roots, &noTool, &noEvents); err != nil {
		t.Fatal(err)
	}
	if roots == 0 || noTool == 0 || noEvents == 0 {
		t.Errorf("fixture lacks empty values: %d roots, %d without tool, %d without events", roots, noTool, noEvents)
	}
}
