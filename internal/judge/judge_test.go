package judge

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/judge/judgetest"
)

// sink collects what the judge emits.
type sink struct {
	mu  sync.Mutex
	got []ptrace.Traces
	err error
}

func (s *sink) emit(_ context.Context, td ptrace.Traces) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.got = append(s.got, td)
	return nil
}

func (s *sink) spans() []ptrace.Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ptrace.Span
	for _, td := range s.got {
		out = append(out, td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0))
	}
	return out
}

func testConfig(endpoint string) Config {
	cfg := DefaultConfig()
	cfg.Endpoint = endpoint + "/v1"
	cfg.APIKey = "sk-judge-key"
	cfg.SampleRate = 1
	cfg.MaxPerMinute = 1000
	return cfg
}

func startJudge(t *testing.T, cfg Config, s *sink) *Judge {
	t.Helper()
	j, err := New(cfg, s.emit, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(context.Background(), componenttest.NewNopHost(), componenttest.NewNopTelemetrySettings()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Shutdown(context.Background()) })
	return j
}

// calls builds n successful chat calls of service chatbot; span IDs are 1..n.
func calls(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, "chatbot")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := 1; i <= n; i++ {
		s := spans.AppendEmpty()
		var sid pcommon.SpanID
		binary.BigEndian.PutUint64(sid[:], uint64(i))
		s.SetSpanID(sid)
		s.SetTraceID(pcommon.TraceID{1, 2, 3})
		a := s.Attributes()
		a.PutStr(genai.OperationName, genai.OpChat)
		a.PutStr(genai.ProviderName, "openai")
		a.PutStr(genai.RequestModel, "gpt-4o")
		a.PutStr(genai.InputMessages, `[{"role":"user","parts":[{"type":"text","content":"My email is <EMAIL>. What is the capital of France?"}]}]`)
		a.PutStr(genai.OutputMessages, `[{"role":"assistant","parts":[{"type":"text","content":"Paris."}],"finish_reason":"stop"}]`)
	}
	return td
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestGradesArriveAsEvaluationSpans(t *testing.T) {
	m := judgetest.New(t)
	m.Answer(func(string) (int, string) {
		return 200, "```json\n" + `{"relevance": {"score": 0.9, "explanation": "answers the question"}, "toxicity": {"score": 1, "explanation": "polite"}}` + "\n```"
	})
	cfg := testConfig(m.URL)
	cfg.Rubrics = []Rubric{{Name: RubricRelevance}, {Name: RubricToxicity}}
	s := &sink{}
	j := startJudge(t, cfg, s)
	td := calls(1)
	j.Traces(td)
	waitFor(t, "results", func() bool { return len(s.spans()) == 1 })

	var req map[string]any
	if err := json.Unmarshal([]byte(m.Requests()[0]), &req); err != nil {
		t.Fatal(err)
	}
	key := m.Authorizations()[0]
	if key != "Bearer sk-judge-key" || req["model"] != "gpt-4o-mini" {
		t.Fatalf("request: key %q, model %v", key, req["model"])
	}
	msgs := req["messages"].([]any)
	system := msgs[0].(map[string]any)["content"].(string)
	user := msgs[1].(map[string]any)["content"].(string)
	if !strings.Contains(system, "relevance: ") || !strings.Contains(system, "toxicity: ") || strings.Contains(system, "faithfulness") {
		t.Errorf("system prompt does not list exactly the rubrics:\n%s", system)
	}
	if !strings.Contains(user, "<EMAIL>") || !strings.Contains(user, "Paris.") {
		t.Errorf("the judge did not get the (redacted) exchange:\n%s", user)
	}

	call := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	carrier := s.spans()[0]
	if carrier.TraceID() != call.TraceID() || carrier.ParentSpanID() != call.SpanID() || carrier.SpanID() == call.SpanID() {
		t.Fatalf("carrier is not a child of the graded call: %v %v %v", carrier.TraceID(), carrier.ParentSpanID(), carrier.SpanID())
	}
	if genai.Str(carrier.Attributes(), genai.EvaluationSpanID) != call.SpanID().String() || genai.Str(carrier.Attributes(), genai.OperationName) != "" {
		t.Fatalf("carrier attributes: %v", carrier.Attributes().AsRaw())
	}
	got := map[string]float64{}
	for i := range carrier.Events().Len() {
		a := carrier.Events().At(i).Attributes()
		if genai.Str(a, genai.RequestModel) != "gpt-4o" || genai.Str(a, genai.ServiceName) != "chatbot" || genai.Str(a, genai.EvaluationSource) != Source {
			t.Errorf("event lacks the call's dimensions: %v", a.AsRaw())
		}
		v, _ := a.Get(genai.EvaluationScoreValue)
		got[genai.Str(a, genai.EvaluationName)] = v.Double()
	}
	if len(got) != 2 || got["relevance"] != 0.9 || got["toxicity"] != 1 {
		t.Fatalf("grades %v", got)
	}
	if st := j.Stats(); st.RequestsOK != 1 || st.Results != 2 || st.Sampled != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// A judge that hangs never blocks the caller: Traces returns at once, the queue fills,
// and what does not fit is counted as dropped.
func TestSlowJudgeNeverBlocks(t *testing.T) {
	m := judgetest.New(t)
	m.Hold()
	cfg := testConfig(m.URL)
	cfg.QueueSize, cfg.Concurrency = 4, 2
	s := &sink{}
	j := startJudge(t, cfg, s)
	j.Traces(calls(2))
	waitFor(t, "two requests in flight", func() bool { return int64(len(m.Requests())) == 2 })
	done := make(chan struct{})
	go func() {
		for range 10 {
			j.Traces(calls(10))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Traces blocked on a hanging judge")
	}
	st := j.Stats()
	if st.Sampled != 102 || st.DroppedQueue != 100-4 {
		t.Fatalf("stats %+v: want 102 sampled, 96 dropped (2 in flight, 4 queued)", st)
	}
	m.Release()
	waitFor(t, "the queue to drain", func() bool { return j.Stats().RequestsOK == 6 })
}

// A failing judge is counted, never retried; an answer that cannot be read is counted as
// invalid; out-of-range and null grades give no result.
func TestFailuresAreCountedNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		content string
		want    func(Stats) bool
	}{
		{"http 500", 500, "", func(st Stats) bool { return st.RequestsFailed == 1 && st.Results == 0 }},
		{"not json", 200, "The answer is relevant.", func(st Stats) bool { return st.RequestsInvalid == 1 }},
		{"out of range", 200, `{"relevance": {"score": 7}}`, func(st Stats) bool { return st.RequestsOK == 1 && st.Ungraded == 1 && st.Results == 0 }},
		{"null", 200, `{"relevance": {"score": null, "explanation": "no context"}}`, func(st Stats) bool { return st.Ungraded == 1 && st.Results == 0 }},
		{"missing", 200, `{"other": {"score": 1}}`, func(st Stats) bool { return st.Ungraded == 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := judgetest.New(t)
			m.Answer(func(string) (int, string) { return tc.status, tc.content })
			s := &sink{}
			j := startJudge(t, testConfig(m.URL), s)
			j.Traces(calls(1))
			waitFor(t, "the request to finish", func() bool {
				st := j.Stats()
				return st.RequestsOK+st.RequestsFailed+st.RequestsInvalid == 1
			})
			if st := j.Stats(); !tc.want(st) {
				t.Fatalf("stats %+v", st)
			}
			if int64(len(m.Requests())) != 1 || len(s.spans()) != 0 {
				t.Fatalf("%d requests, %d results emitted", int64(len(m.Requests())), len(s.spans()))
			}
		})
	}
}

func TestTimeoutCancelsTheRequest(t *testing.T) {
	m := judgetest.New(t)
	m.Hold() // never released
	cfg := testConfig(m.URL)
	cfg.Timeout = 50 * time.Millisecond
	j := startJudge(t, cfg, &sink{})
	j.Traces(calls(1))
	waitFor(t, "the timeout", func() bool { return j.Stats().RequestsFailed == 1 })
}

// The per-minute budget caps requests; the rest is counted and skipped, and the budget
// refills with time.
func TestBudget(t *testing.T) {
	m := judgetest.New(t)
	cfg := testConfig(m.URL)
	cfg.MaxPerMinute = 3
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC).UnixNano())
	j, err := New(cfg, (&sink{}).emit, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	j.now = func() time.Time { return time.Unix(0, now.Load()) }
	if err := j.Start(context.Background(), componenttest.NewNopHost(), componenttest.NewNopTelemetrySettings()); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = j.Shutdown(context.Background()) }()
	j.Traces(calls(10))
	if st := j.Stats(); st.DroppedBudget != 7 {
		t.Fatalf("stats %+v: want 7 over budget", st)
	}
	now.Add(int64(20 * time.Second)) // a third of a minute refills one request
	j.Traces(calls(2))
	waitFor(t, "four requests", func() bool { return j.Stats().RequestsOK == 4 })
	if st := j.Stats(); st.DroppedBudget != 8 || int64(len(m.Requests())) != 4 {
		t.Fatalf("stats %+v, %d requests", st, int64(len(m.Requests())))
	}
}

// Only successful inference calls with output are graded, and sampling by span ID keeps
// about the configured fraction.
func TestEligibilityAndSampling(t *testing.T) {
	m := judgetest.New(t)
	cfg := testConfig(m.URL)
	cfg.SampleRate = 0.25
	cfg.MaxPerMinute = 1 << 30 // sampling alone decides
	j, err := New(cfg, (&sink{}).emit, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i, op := range []string{genai.OpEmbeddings, genai.OpInvokeAgent, genai.OpChat} {
		s := spans.AppendEmpty()
		s.SetSpanID(pcommon.SpanID{byte(i + 1)})
		s.Attributes().PutStr(genai.OperationName, op)
		s.Attributes().PutStr(genai.OutputMessages, `[]`)
		if op == genai.OpChat {
			s.Status().SetCode(ptrace.StatusCodeError)
		}
	}
	cfg1 := cfg
	cfg1.SampleRate = 1
	j1, err := New(cfg1, (&sink{}).emit, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	j1.Traces(td)
	if st := j1.Stats(); st.Sampled != 0 {
		t.Fatalf("ineligible calls were sampled: %+v", st)
	}
	many := ptrace.NewTraces()
	ms := many.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i := range 4000 {
		s := ms.AppendEmpty()
		var sid pcommon.SpanID
		binary.BigEndian.PutUint64(sid[:], uint64(i)*0x9e3779b97f4a7c15) // spread like random IDs
		s.SetSpanID(sid)
		s.Attributes().PutStr(genai.OperationName, genai.OpChat)
		s.Attributes().PutStr(genai.OutputMessages, `[{"role":"assistant","parts":[]}]`)
	}
	j.Traces(many)
	if n := j.Stats().Sampled; n < 850 || n > 1150 {
		t.Fatalf("sampled %d of 4000 at rate 0.25", n)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		mutate func(*Config)
		want   string
	}{
		{func(c *Config) { c.Endpoint = "api.openai.com" }, "endpoint:"},
		{func(c *Config) { c.Model = " " }, "model: empty"},
		{func(c *Config) { c.SampleRate = 0 }, "sample_rate:"},
		{func(c *Config) { c.SampleRate = 1.5 }, "sample_rate:"},
		{func(c *Config) { c.MaxPerMinute = 0 }, "max_per_minute:"},
		{func(c *Config) { c.Concurrency = 0 }, "concurrency:"},
		{func(c *Config) { c.QueueSize = 0 }, "queue_size:"},
		{func(c *Config) { c.Timeout = 0 }, "timeout:"},
		{func(c *Config) { c.Rubrics = nil }, "rubrics: empty"},
		{func(c *Config) { c.Rubrics = []Rubric{{Name: "brand voice"}} }, "rubrics[0].name:"},
		{func(c *Config) { c.Rubrics = []Rubric{{Name: "brand_voice"}} }, "rubrics[0].prompt: empty, and \"brand_voice\" is not a built-in rubric (faithfulness, relevance, toxicity)"},
		{func(c *Config) { c.Rubrics = []Rubric{{Name: "relevance"}, {Name: "relevance"}} }, "rubrics[1].name: \"relevance\" is listed twice"},
	} {
		cfg := DefaultConfig()
		tc.mutate(&cfg)
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want error containing %q, got %v", tc.want, err)
		}
	}
	cfg := DefaultConfig()
	cfg.Rubrics = append(cfg.Rubrics, Rubric{Name: "brand_voice", Prompt: "1 = sounds like us"})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

// Shutdown cancels the request in flight and counts what was still queued.
func TestShutdownDropsQueued(t *testing.T) {
	m := judgetest.New(t)
	m.Hold()
	cfg := testConfig(m.URL)
	cfg.Concurrency = 1
	j, err := New(cfg, (&sink{}).emit, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(context.Background(), componenttest.NewNopHost(), componenttest.NewNopTelemetrySettings()); err != nil {
		t.Fatal(err)
	}
	j.Traces(calls(3))
	waitFor(t, "one request in flight", func() bool { return int64(len(m.Requests())) == 1 })
	if err := j.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := j.Stats(); st.DroppedShutdown != 2 || st.RequestsFailed != 1 {
		t.Fatalf("stats %+v", st)
	}
}
