package llmprocessor

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/judge/judgetest"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

const rawEmail = "jane.doe@example.com"

// chatCalls is a batch of n chat calls whose prompt holds an email address.
func chatCalls(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, "support-bot")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range n {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{9, byte(i)})
		s.SetSpanID(pcommon.SpanID{0x80, byte(i), 1, 2, 3, 4, 5, byte(n)})
		s.SetName("chat gpt-4o")
		s.SetKind(ptrace.SpanKindClient)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Unix(1700000000, 0)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Unix(1700000001, 0)))
		a := s.Attributes()
		a.PutStr(genai.OperationName, genai.OpChat)
		a.PutStr(genai.ProviderName, "openai")
		a.PutStr(genai.RequestModel, "gpt-4o")
		a.PutStr(genai.InputMessages, `[{"role":"user","parts":[{"type":"text","content":"I am `+rawEmail+`, where is my order?"}]}]`)
		a.PutStr(genai.OutputMessages, `[{"role":"assistant","parts":[{"type":"text","content":"It ships tomorrow."}],"finish_reason":"stop"}]`)
	}
	return td
}

// newJudge starts a mock judge that scores every answer 0.25 for relevance; hang makes it
// never answer.
func newJudge(t *testing.T, hang bool) *judgetest.Server {
	js := judgetest.New(t)
	js.Answer(func(string) (int, string) {
		return http.StatusOK, `{"relevance": {"score": 0.25, "explanation": "does not say where the order is"}}`
	})
	if hang {
		js.Hold()
	}
	return js
}

func judgeConfig(endpoint string) *Config {
	cfg := createDefaultConfig()
	cfg.Judge.Enabled = true
	cfg.Judge.Endpoint = endpoint + "/v1"
	cfg.Judge.SampleRate = 1
	cfg.Judge.MaxPerMinute = 1000
	cfg.Judge.QueueSize = 4
	return cfg
}

func startTraces(t *testing.T, cfg *Config, sink *consumertest.TracesSink) func(ptrace.Traces) {
	t.Helper()
	ctx := context.Background()
	tp, err := NewFactory().CreateTraces(ctx, processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, tp.Start(ctx, componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(ctx)) })
	return func(td ptrace.Traces) { require.NoError(t, tp.ConsumeTraces(ctx, td)) }
}

// A judge that never answers neither delays nor drops a span: every batch is passed on
// as soon as it is processed, and the calls the judge could not take are counted.
func TestHangingJudgeNeverBlocksThePipeline(t *testing.T) {
	js := newJudge(t, true)
	sink := new(consumertest.TracesSink)
	consume := startTraces(t, judgeConfig(js.URL), sink)
	done := make(chan struct{})
	go func() {
		for range 50 {
			consume(chatCalls(20))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the pipeline blocked on a hanging judge")
	}
	assert.Equal(t, 50*20, sink.SpanCount(), "every span passed on")
}

// The judge grades what leaves the pipeline: redacted content. Its scores arrive in a
// later batch, on a child span of the graded call that carries the call's dimensions.
func TestJudgeGradesRedactedContentAndEmitsResults(t *testing.T) {
	js := newJudge(t, false)
	sink := new(consumertest.TracesSink)
	consume := startTraces(t, judgeConfig(js.URL), sink)
	consume(chatCalls(1))
	require.Eventually(t, func() bool { return len(sink.AllTraces()) == 2 }, 10*time.Second, 10*time.Millisecond)

	require.Len(t, js.Requests(), 1)
	body := js.Requests()[0]
	assert.NotContains(t, body, rawEmail, "the judge must receive only redacted content")
	assert.Contains(t, body, "where is my order?")

	call := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	carrier := sink.AllTraces()[1].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, call.SpanID(), carrier.ParentSpanID())
	require.Equal(t, 1, carrier.Events().Len())
	ev := carrier.Events().At(0).Attributes()
	assert.Equal(t, "relevance", genai.Str(ev, genai.EvaluationName))
	score, _ := ev.Get(genai.EvaluationScoreValue)
	assert.InDelta(t, 0.25, score.Double(), 1e-9)
	assert.Equal(t, "gpt-4o", genai.Str(ev, genai.RequestModel))
	assert.Equal(t, "support-bot", genai.Str(ev, genai.ServiceName))
}

// User feedback sent as a log record after its call went through the traces pipeline is
// joined to the call's dimensions; feedback for a call never seen is passed on unjoined.
func TestFeedbackLogJoinsTheCallFromTheTracesPipeline(t *testing.T) {
	processTraces, processLogs := newTestProcessors(t, t.TempDir())
	td := chatCalls(1)
	call := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	processTraces(td)

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(genai.ServiceName, "web-frontend")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	rated := lrs.AppendEmpty()
	rated.SetTraceID(call.TraceID())
	rated.SetSpanID(call.SpanID())
	rated.Attributes().PutStr(genai.FeedbackThumbs, "down")
	rated.Attributes().PutStr(genai.FeedbackComment, "wrong, write to me at "+rawEmail)
	lost := lrs.AppendEmpty()
	lost.SetSpanID(pcommon.SpanID{1})
	lost.Attributes().PutInt(genai.FeedbackRating, 5)

	out := processLogs(ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	got := out.At(0)
	assert.Equal(t, genai.EventEvaluationResult, got.EventName())
	a := got.Attributes()
	assert.Equal(t, genai.EvaluationUserFeedback, genai.Str(a, genai.EvaluationName))
	assert.Equal(t, "down", genai.Str(a, genai.EvaluationScoreLabel))
	assert.Equal(t, "gpt-4o", genai.Str(a, genai.RequestModel))
	assert.Equal(t, "support-bot", genai.Str(a, genai.ServiceName))
	assert.NotContains(t, genai.Str(a, genai.EvaluationExplanation), rawEmail, "feedback comments are redacted like any content")
	assert.True(t, strings.HasPrefix(genai.Str(a, genai.EvaluationExplanation), "wrong, write to me at "))

	unjoined := out.At(1).Attributes()
	assert.Equal(t, genai.EvaluationUserFeedback, genai.Str(unjoined, genai.EvaluationName))
	_, hasModel := unjoined.Get(genai.RequestModel)
	assert.False(t, hasModel)
}

// Operators see what the evaluators, the join and the judge did in the processor's own
// metrics.
func TestEvaluationTelemetry(t *testing.T) {
	js := newJudge(t, false)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink := new(consumertest.TracesSink)
	tp, err := NewFactory().CreateTraces(context.Background(), set, judgeConfig(js.URL), sink)
	require.NoError(t, err)
	require.NoError(t, tp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })

	td := chatCalls(3)
	// One call is refused; one piece of feedback names a call this collector never saw.
	refused := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(2)
	refused.Attributes().PutStr(genai.OutputMessages, `[{"role":"assistant","parts":[{"type":"text","content":"I can't help with that."}],"finish_reason":"stop"}]`)
	fb := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	fb.SetSpanID(pcommon.SpanID{7})
	fb.SetParentSpanID(pcommon.SpanID{6})
	fb.Attributes().PutStr(genai.FeedbackThumbs, "up")
	require.NoError(t, tp.ConsumeTraces(context.Background(), td))

	assert.Equal(t, int64(2), counterValue(t, tel, "otelcol_processor_llm_evaluations",
		attribute.String("evaluator", genai.EvaluationQuality), attribute.String("outcome", "pass")))
	assert.Equal(t, int64(1), counterValue(t, tel, "otelcol_processor_llm_evaluations",
		attribute.String("evaluator", genai.EvaluatorRefusal), attribute.String("outcome", "fail")))
	assert.Equal(t, int64(1), counterValue(t, tel, "otelcol_processor_llm_evaluation_joins", attribute.String("outcome", "unmatched")))
	require.Eventually(t, func() bool {
		return counterValue(t, tel, "otelcol_processor_llm_judge_results") == 3
	}, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, int64(3), counterValue(t, tel, "otelcol_processor_llm_judge_sampled_calls"))
	assert.Equal(t, int64(3), counterValue(t, tel, "otelcol_processor_llm_judge_requests", attribute.String("outcome", "ok")))
}

// The evaluators take the spans of a batch in runs: every span of a batch longer than a
// run is evaluated, and each result lands on its own span, at the edges of the runs too.
func TestEvaluationCoversEverySpanOfALargeBatch(t *testing.T) {
	n := 2*evaluationRun + 5
	truncated := map[int]bool{0: true, evaluationRun - 1: true, evaluationRun: true, n - 1: true}
	td := chatCalls(n)
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := range truncated {
		spans.At(i).Attributes().PutStr(genai.OutputMessages,
			`[{"role":"assistant","parts":[{"type":"text","content":"It ships"}],"finish_reason":"length"}]`)
	}
	sink := new(consumertest.TracesSink)
	startTraces(t, createDefaultConfig(), sink)(td)

	out := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	require.Equal(t, n, out.Len())
	for i := range n {
		var names []string
		events := out.At(i).Events()
		for j := range events.Len() {
			names = append(names, genai.Str(events.At(j).Attributes(), genai.EvaluationName))
		}
		score, scored := genai.Float(out.At(i).Attributes(), genai.QualityScore)
		want, wantScore := []string(nil), 1.0
		if truncated[i] {
			want, wantScore = []string{"truncation"}, 0.5
		}
		assert.Equal(t, want, names, "span %d", i)
		assert.True(t, scored, "span %d has no combined score", i)
		assert.Equal(t, wantScore, score, "span %d", i)
	}
}
