// Package judge grades a sample of LLM calls with a model (LLM as judge): sampled,
// asynchronous and budgeted, so that it never delays or drops the spans it grades. Results
// leave as gen_ai.evaluation.result events on a span of their own, in a later batch.
package judge

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// ScopeName is the instrumentation scope of the spans that carry judge results.
const ScopeName = "github.com/otelcol-llm/otelcol-llm/judge"

// Source is the otelcol_llm.evaluation.source of judge results.
const Source = "judge"

// ModelAttribute names the judge model on the spans that carry its results.
const ModelAttribute = "otelcol_llm.judge.model"

// Emit sends the spans that carry results down the pipeline.
type Emit func(context.Context, ptrace.Traces) error

// Judge grades calls offered to it on its own goroutines.
type Judge struct {
	cfg    Config
	system string
	emit   Emit
	logger *zap.Logger
	now    func() time.Time

	client *http.Client
	queue  chan *job
	budget bucket
	cancel context.CancelFunc
	wg     sync.WaitGroup

	stats    counters
	lastWarn atomic.Int64
}

// job is one call to grade, copied out of the batch so that the batch can move on.
type job struct {
	trace                               pcommon.TraceID
	span                                pcommon.SpanID
	operation, provider, model, service string
	system, input, output               string
}

// New returns a Judge for a validated configuration; Start starts it.
func New(cfg Config, emit Emit, logger *zap.Logger) (*Judge, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Judge{
		cfg: cfg, system: systemPrompt(cfg.Rubrics), emit: emit, logger: logger, now: time.Now,
		queue:  make(chan *job, cfg.QueueSize),
		budget: bucket{capacity: float64(cfg.MaxPerMinute), tokens: float64(cfg.MaxPerMinute)},
	}, nil
}

// Start builds the HTTP client (TLS, auth extensions, headers) and starts the workers.
func (j *Judge) Start(ctx context.Context, host component.Host, set component.TelemetrySettings) error {
	client, err := j.cfg.ToClient(ctx, host.GetExtensions(), set)
	if err != nil {
		return fmt.Errorf("judge: %w", err)
	}
	j.client = client
	wctx, cancel := context.WithCancel(context.Background())
	j.cancel = cancel
	for range j.cfg.Concurrency {
		j.wg.Add(1)
		go j.work(wctx)
	}
	return nil
}

// Shutdown cancels requests in flight and drops what is queued (counted).
func (j *Judge) Shutdown(context.Context) error {
	if j.cancel == nil {
		return nil
	}
	j.cancel()
	j.wg.Wait()
	for {
		select {
		case <-j.queue:
			j.stats.droppedShutdown.Add(1)
		default:
			j.cancel = nil
			return nil
		}
	}
}

// Traces offers every eligible call of td: a successful inference call with output,
// sampled by span ID. It never blocks: a call over budget or finding the queue full is
// counted and skipped. td must already be redacted: the judge sees what leaves the
// pipeline, never more.
func (j *Judge) Traces(td ptrace.Traces) {
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for k := range sss.Len() {
			spans := sss.At(k).Spans()
			for s := range spans.Len() {
				j.offer(spans.At(s), rs.Resource())
			}
		}
	}
}

func (j *Judge) offer(span ptrace.Span, res pcommon.Resource) {
	attrs := span.Attributes()
	op := genai.Str(attrs, genai.OperationName)
	if !genai.IsInference(op) || op == genai.OpEmbeddings || span.Status().Code() == ptrace.StatusCodeError {
		return
	}
	output := genai.Str(attrs, genai.OutputMessages)
	if output == "" || !j.sampled(span.SpanID()) {
		return
	}
	j.stats.sampled.Add(1)
	if !j.budget.take(j.now(), j.cfg.MaxPerMinute) {
		j.stats.droppedBudget.Add(1)
		return
	}
	jb := &job{
		trace: span.TraceID(), span: span.SpanID(),
		operation: strings.Clone(op), provider: strings.Clone(genai.Str(attrs, genai.ProviderName)),
		model:   strings.Clone(genai.Str(attrs, genai.RequestModel)),
		service: strings.Clone(genai.Str(res.Attributes(), genai.ServiceName)),
		system:  tail(genai.Str(attrs, genai.SystemInstructions), j.cfg.MaxContentChars/4),
		input:   tail(genai.Str(attrs, genai.InputMessages), j.cfg.MaxContentChars/2),
		output:  head(output, j.cfg.MaxContentChars/2),
	}
	select {
	case j.queue <- jb:
	default:
		j.stats.droppedQueue.Add(1)
	}
}

// sampled decides from the span ID, random by W3C rules, so that collectors agree.
func (j *Judge) sampled(id pcommon.SpanID) bool {
	if j.cfg.SampleRate >= 1 {
		return true
	}
	return float64(binary.BigEndian.Uint64(id[:]))/math.MaxUint64 < j.cfg.SampleRate
}

func (j *Judge) work(ctx context.Context) {
	defer j.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case jb := <-j.queue:
			if ctx.Err() != nil { // both were ready: shutting down wins
				j.stats.droppedShutdown.Add(1)
				return
			}
			j.grade(ctx, jb)
		}
	}
}

// grade asks the judge once; a failure is counted, never retried.
func (j *Judge) grade(ctx context.Context, jb *job) {
	start := j.now()
	grades, err := j.ask(ctx, jb)
	end := j.now()
	switch {
	case errors.Is(err, errInvalidResponse):
		j.stats.invalid.Add(1)
		j.warn("The judge model's answer could not be read", err)
		return
	case err != nil:
		j.stats.failed.Add(1)
		j.warn("The judge request failed; the call is not graded", err)
		return
	}
	j.stats.ok.Add(1)
	td, n := j.results(jb, grades, start, end)
	if n == 0 {
		return
	}
	if err := j.emit(ctx, td); err != nil {
		j.stats.emitFailed.Add(1)
		j.warn("Sending judge results down the pipeline failed", err)
		return
	}
	j.stats.results.Add(int64(n))
}

// warn logs at most once a minute; counters carry the totals.
func (j *Judge) warn(msg string, err error) {
	now := j.now().UnixNano()
	if last := j.lastWarn.Load(); now-last < int64(time.Minute) || !j.lastWarn.CompareAndSwap(last, now) {
		j.logger.Debug(msg, zap.Error(err))
		return
	}
	j.logger.Warn(msg, zap.Error(err))
}

var errInvalidResponse = errors.New("invalid judge response")

// grade is the judge's answer for one rubric.
type grade struct {
	Score       *float64 `json:"score"`
	Explanation string   `json:"explanation"`
}

func (j *Judge) ask(ctx context.Context, jb *job) (map[string]grade, error) {
	var exchange strings.Builder
	if jb.system != "" {
		exchange.WriteString("System instructions:\n")
		exchange.WriteString(jb.system)
		exchange.WriteString("\n\n")
	}
	exchange.WriteString("Conversation so far (JSON messages):\n")
	exchange.WriteString(jb.input)
	exchange.WriteString("\n\nAssistant's answer to grade (JSON messages):\n")
	exchange.WriteString(jb.output)
	body, err := json.Marshal(map[string]any{
		"model":           j.cfg.Model,
		"temperature":     0,
		"response_format": map[string]string{"type": "json_object"},
		"messages": []map[string]string{
			{"role": "system", "content": j.system},
			{"role": "user", "content": "<exchange>\n" + exchange.String() + "\n</exchange>"},
		},
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, j.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(j.cfg.Endpoint, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if j.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+string(j.cfg.APIKey))
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("judge endpoint answered HTTP %d", resp.StatusCode)
	}
	return parseAnswer(data)
}

// parseAnswer reads a chat completion whose message is the JSON object of grades, possibly
// inside a Markdown code fence.
func parseAnswer(data []byte) (map[string]grade, error) {
	var completion struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(data, &completion); err != nil || len(completion.Choices) == 0 {
		return nil, fmt.Errorf("%w: not a chat completion", errInvalidResponse)
	}
	text := strings.TrimSpace(completion.Choices[0].Message.Content)
	text = strings.TrimPrefix(text, "```json")
	text = strings.TrimSpace(strings.Trim(text, "`"))
	var grades map[string]grade
	if err := json.Unmarshal([]byte(text), &grades); err != nil {
		return nil, fmt.Errorf("%w: the message is not a JSON object of grades", errInvalidResponse)
	}
	return grades, nil
}

// results builds the span that carries one call's grades: a child of the graded span,
// named by otelcol_llm.evaluation.span_id, with one event per rubric graded. Each event
// carries the graded call's dimensions, so metrics count it with that call. A grade that
// is missing, null or outside 0–1 gives no result (counted).
func (j *Judge) results(jb *job, grades map[string]grade, start, end time.Time) (ptrace.Traces, int) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	if jb.service != "" {
		rs.Resource().Attributes().PutStr(genai.ServiceName, jb.service)
	}
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(ScopeName)
	span := ss.Spans().AppendEmpty()
	span.SetTraceID(jb.trace)
	span.SetParentSpanID(jb.span)
	span.SetSpanID(newSpanID(jb.span, start))
	span.SetName("evaluate " + jb.model)
	span.SetKind(ptrace.SpanKindInternal)
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	attrs := span.Attributes()
	attrs.PutStr(genai.EvaluationSpanID, jb.span.String())
	attrs.PutStr(genai.EvaluationSource, Source)
	attrs.PutStr(ModelAttribute, j.cfg.Model)
	n := 0
	for _, r := range j.cfg.Rubrics {
		g, ok := grades[r.Name]
		if !ok || g.Score == nil {
			j.stats.ungraded.Add(1)
			continue
		}
		if s := *g.Score; math.IsNaN(s) || s < 0 || s > 1 {
			j.stats.ungraded.Add(1)
			continue
		}
		ev := span.Events().AppendEmpty()
		ev.SetName(genai.EventEvaluationResult)
		ev.SetTimestamp(pcommon.NewTimestampFromTime(end))
		ea := ev.Attributes()
		ea.PutStr(genai.EvaluationName, r.Name)
		ea.PutDouble(genai.EvaluationScoreValue, *g.Score)
		if g.Explanation != "" {
			ea.PutStr(genai.EvaluationExplanation, head(g.Explanation, 500))
		}
		ea.PutStr(genai.EvaluationSource, Source)
		for _, kv := range [...][2]string{{genai.OperationName, jb.operation}, {genai.ProviderName, jb.provider},
			{genai.RequestModel, jb.model}, {genai.ServiceName, jb.service}} {
			if kv[1] != "" {
				ea.PutStr(kv[0], kv[1])
			}
		}
		n++
	}
	return td, n
}

// newSpanID derives the carrier's span ID from the graded span and the time, so that it
// needs no random source and differs from its parent.
func newSpanID(parent pcommon.SpanID, t time.Time) pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], binary.BigEndian.Uint64(parent[:])^uint64(t.UnixNano())^0x9e3779b97f4a7c15)
	if id == parent || id.IsEmpty() {
		id[0] ^= 0xff
	}
	return id
}

func head(s string, n int) string {
	if len(s) <= n {
		return strings.Clone(s)
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func tail(s string, n int) string {
	if len(s) <= n {
		return strings.Clone(s)
	}
	return "…" + strings.ToValidUTF8(s[len(s)-n:], "")
}

// bucket is the per-minute budget: a token bucket refilled continuously.
type bucket struct {
	mu       sync.Mutex
	capacity float64
	tokens   float64
	last     time.Time
}

func (b *bucket) take(now time.Time, perMinute int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.capacity, b.tokens+now.Sub(b.last).Minutes()*float64(perMinute))
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Stats are the judge's totals since it was created.
type Stats struct {
	Sampled                                      int64
	DroppedBudget, DroppedQueue, DroppedShutdown int64
	RequestsOK, RequestsFailed, RequestsInvalid  int64
	Results, Ungraded, EmitFailed                int64
}

// Add adds o to st.
func (st *Stats) Add(o Stats) {
	st.Sampled += o.Sampled
	st.DroppedBudget += o.DroppedBudget
	st.DroppedQueue += o.DroppedQueue
	st.DroppedShutdown += o.DroppedShutdown
	st.RequestsOK += o.RequestsOK
	st.RequestsFailed += o.RequestsFailed
	st.RequestsInvalid += o.RequestsInvalid
	st.Results += o.Results
	st.Ungraded += o.Ungraded
	st.EmitFailed += o.EmitFailed
}

type counters struct {
	sampled, droppedBudget, droppedQueue, droppedShutdown atomic.Int64
	ok, failed, invalid, results, ungraded, emitFailed    atomic.Int64
}

// Stats returns the totals so far.
func (j *Judge) Stats() Stats {
	c := &j.stats
	return Stats{
		Sampled: c.sampled.Load(), DroppedBudget: c.droppedBudget.Load(), DroppedQueue: c.droppedQueue.Load(),
		DroppedShutdown: c.droppedShutdown.Load(), RequestsOK: c.ok.Load(), RequestsFailed: c.failed.Load(),
		RequestsInvalid: c.invalid.Load(), Results: c.results.Load(), Ungraded: c.ungraded.Load(),
		EmitFailed: c.emitFailed.Load(),
	}
}
