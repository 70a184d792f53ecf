package llmprocessor

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-llm/otelcol-llm/internal/calljoin"
	"github.com/otelcol-llm/otelcol-llm/internal/enrich"
	"github.com/otelcol-llm/otelcol-llm/internal/evaluate"
	"github.com/otelcol-llm/otelcol-llm/internal/judge"
	"github.com/otelcol-llm/otelcol-llm/internal/normalize"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
	"github.com/otelcol-llm/otelcol-llm/internal/redact"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

// telemetry is the processor's internal metrics. Attribute sets are built once, so
// recording a batch allocates nothing.
type telemetry struct {
	normalized       metric.Int64Counter
	normalizeErrors  metric.Int64Counter
	priced           metric.Int64Counter
	unpriced         metric.Int64Counter
	redactionFinding metric.Int64Counter
	failedClosed     metric.Int64Counter
	scanCache        metric.Int64Counter
	panics           metric.Int64Counter
	evaluations      metric.Int64Counter
	evalMalformed    metric.Int64Counter
	joins            metric.Int64Counter
	sourceAttrs      [maxSources]metric.AddOption
	joined, unjoined metric.AddOption
	cacheHit         metric.AddOption
	cacheMiss        metric.AddOption
	evaluatorAttrs   sync.Map // evaluator name → *[2]metric.AddOption: outcome pass, fail

	// judges are the model-graded evaluators of the traces pipelines, observed together.
	judgesMu sync.Mutex
	judges   []*judge.Judge
}

// maxSources is the capacity of normalize.Sources, a 16-bit set.
const maxSources = 16

// newTelemetry registers the processor's metrics; pricer may be nil (pricing disabled).
func newTelemetry(set component.TelemetrySettings, pricer *pricing.Pricer) (*telemetry, error) {
	m := set.MeterProvider.Meter(metadata.ScopeName)
	t := &telemetry{}
	var err error
	if t.normalized, err = m.Int64Counter("otelcol_processor_llm_normalized_items",
		metric.WithDescription("Spans and log records the llm processor changed, by source convention."),
		metric.WithUnit("{item}")); err != nil {
		return nil, err
	}
	if t.normalizeErrors, err = m.Int64Counter("otelcol_processor_llm_normalization_errors",
		metric.WithDescription("Values that could not be normalized (wrong type, malformed JSON, impossible token counts); the data was passed on unchanged."),
		metric.WithUnit("{value}")); err != nil {
		return nil, err
	}
	if t.priced, err = m.Int64Counter("otelcol_processor_llm_priced_calls",
		metric.WithDescription("Model calls whose cost was computed."),
		metric.WithUnit("{call}")); err != nil {
		return nil, err
	}
	if t.unpriced, err = m.Int64Counter("otelcol_processor_llm_unpriced_calls",
		metric.WithDescription("Model calls whose model has no price; marked otelcol_llm.unpriced=true."),
		metric.WithUnit("{call}")); err != nil {
		return nil, err
	}
	if t.redactionFinding, err = m.Int64Counter("otelcol_processor_llm_redaction_findings",
		metric.WithDescription("PII and secret findings acted on, by entity type."),
		metric.WithUnit("{finding}")); err != nil {
		return nil, err
	}
	if t.failedClosed, err = m.Int64Counter("otelcol_processor_llm_redaction_failed_closed",
		metric.WithDescription("Values replaced by a placeholder because they could not be scanned (fail_closed)."),
		metric.WithUnit("{value}")); err != nil {
		return nil, err
	}
	if t.scanCache, err = m.Int64Counter("otelcol_processor_llm_redaction_scan_cache_lookups",
		metric.WithDescription("Texts of 64 bytes or more looked up in the redaction scan cache, by outcome: hit (scanned before, clean or with findings; not scanned again) or miss (scanned)."),
		metric.WithUnit("{text}")); err != nil {
		return nil, err
	}
	t.cacheHit = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "hit")))
	t.cacheMiss = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "miss")))
	if pricer != nil {
		success := metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "success")))
		failure := metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "failure")))
		if _, err = m.Int64ObservableCounter("otelcol_processor_llm_price_reloads",
			metric.WithDescription("Reloads of changed price files; a failed reload keeps the last good prices."),
			metric.WithUnit("{reload}"),
			metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
				st := pricer.Stats()
				o.Observe(st.Reloads, success)
				o.Observe(st.ReloadFailures, failure)
				return nil
			})); err != nil {
			return nil, err
		}
	}
	if t.panics, err = m.Int64Counter("otelcol_processor_llm_internal_failures",
		metric.WithDescription("Spans or log batches a stage failed on (a bug); normalization and enrichment failures pass the data on, redaction failures refuse the batch."),
		metric.WithUnit("{failure}")); err != nil {
		return nil, err
	}
	if t.evaluations, err = m.Int64Counter("otelcol_processor_llm_evaluations",
		metric.WithDescription("Results of the built-in evaluators (the combined score quality included), by evaluator and outcome (pass: score 1, fail: below 1)."),
		metric.WithUnit("{result}")); err != nil {
		return nil, err
	}
	if t.evalMalformed, err = m.Int64Counter("otelcol_processor_llm_evaluation_malformed_inputs",
		metric.WithDescription("Spans whose input to the built-in evaluators could not be read, by attribute; the evaluators needing it were skipped."),
		metric.WithUnit("{span}")); err != nil {
		return nil, err
	}
	if t.joins, err = m.Int64Counter("otelcol_processor_llm_evaluation_joins",
		metric.WithDescription("Evaluations that arrived apart from their call, by outcome: joined to the call's dimensions, or unmatched (the call was not seen)."),
		metric.WithUnit("{evaluation}")); err != nil {
		return nil, err
	}
	t.joined = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "joined")))
	t.unjoined = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "unmatched")))
	if err := t.registerJudgeMetrics(m); err != nil {
		return nil, err
	}
	for s := range normalize.Source(maxSources) {
		t.sourceAttrs[s] = metric.WithAttributeSet(attribute.NewSet(attribute.String("source", s.String())))
	}
	return t, nil
}

// spanCounts accumulates one batch's outcomes, recorded once per batch.
type spanCounts struct {
	normalized      [maxSources]int64
	normalizeErrors int64
	priced          int64
	unpriced        int64
	panics          int64
	evaluation      evaluate.Stats
	join            calljoin.Stats
	redaction       redact.Stats
}

func (c *spanCounts) addNormalize(r normalize.Result) {
	for s := range r.Sources.All() {
		c.normalized[s] += int64(r.Count(s))
	}
	c.normalizeErrors += int64(r.Errors)
}

func (c *spanCounts) addEnrich(o enrich.Outcome) {
	switch o {
	case enrich.Priced:
		c.priced++
	case enrich.Unpriced:
		c.unpriced++
	}
}

func (t *telemetry) record(ctx context.Context, c *spanCounts) {
	for s, n := range c.normalized {
		if n > 0 {
			t.normalized.Add(ctx, n, t.sourceAttrs[s])
		}
	}
	if c.normalizeErrors > 0 {
		t.normalizeErrors.Add(ctx, c.normalizeErrors)
	}
	if c.panics > 0 {
		t.panics.Add(ctx, c.panics)
	}
	if c.priced > 0 {
		t.priced.Add(ctx, c.priced)
	}
	if c.unpriced > 0 {
		t.unpriced.Add(ctx, c.unpriced)
	}
	for entity, n := range c.redaction.Findings {
		t.redactionFinding.Add(ctx, int64(n), metric.WithAttributes(attribute.String("entity", string(entity))))
	}
	if n := c.redaction.FailedClosed; n > 0 {
		t.failedClosed.Add(ctx, int64(n))
	}
	if n := c.redaction.ScanCacheHits; n > 0 {
		t.scanCache.Add(ctx, int64(n), t.cacheHit)
	}
	if n := c.redaction.ScanCacheMisses; n > 0 {
		t.scanCache.Add(ctx, int64(n), t.cacheMiss)
	}
	c.evaluation.Results(func(evaluator string, results, failures int) {
		attrs := t.evaluatorOutcomes(evaluator)
		if pass := results - failures; pass > 0 {
			t.evaluations.Add(ctx, int64(pass), attrs[0])
		}
		if failures > 0 {
			t.evaluations.Add(ctx, int64(failures), attrs[1])
		}
	})
	c.evaluation.Malformed(func(attr string, spans int) {
		t.evalMalformed.Add(ctx, int64(spans), metric.WithAttributes(attribute.String("attribute", attr)))
	})
	if n := c.join.Joined; n > 0 {
		t.joins.Add(ctx, int64(n), t.joined)
	}
	if n := c.join.Unmatched; n > 0 {
		t.joins.Add(ctx, int64(n), t.unjoined)
	}
}

// evaluatorOutcomes returns the attribute sets of an evaluator's passing and failing
// results, built on its first batch. The names are the configured evaluators', a bounded set.
func (t *telemetry) evaluatorOutcomes(evaluator string) *[2]metric.AddOption {
	if v, ok := t.evaluatorAttrs.Load(evaluator); ok {
		return v.(*[2]metric.AddOption)
	}
	attrs := &[2]metric.AddOption{
		metric.WithAttributeSet(attribute.NewSet(attribute.String("evaluator", evaluator), attribute.String("outcome", "pass"))),
		metric.WithAttributeSet(attribute.NewSet(attribute.String("evaluator", evaluator), attribute.String("outcome", "fail"))),
	}
	v, _ := t.evaluatorAttrs.LoadOrStore(evaluator, attrs)
	return v.(*[2]metric.AddOption)
}

// registerJudgeMetrics observes the totals of every registered judge.
func (t *telemetry) registerJudgeMetrics(m metric.Meter) error {
	outcome := func(v string) metric.ObserveOption {
		return metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", v)))
	}
	reason := func(v string) metric.ObserveOption {
		return metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", v)))
	}
	ok, failed, invalid := outcome("ok"), outcome("failed"), outcome("invalid")
	budget, queue, shutdown, send := reason("budget"), reason("queue_full"), reason("shutdown"), reason("send_failed")
	counters := []struct {
		name, desc, unit string
		observe          func(metric.Int64Observer, judge.Stats)
	}{
		{"otelcol_processor_llm_judge_sampled_calls", "Calls sampled for model-graded evaluation.", "{call}",
			func(o metric.Int64Observer, st judge.Stats) { o.Observe(st.Sampled) }},
		{"otelcol_processor_llm_judge_skipped_calls", "Sampled calls whose grades were not delivered, by reason: over the per-minute budget, queue full, shutdown, or the next consumer refused the results.", "{call}",
			func(o metric.Int64Observer, st judge.Stats) {
				o.Observe(st.DroppedBudget, budget)
				o.Observe(st.DroppedQueue, queue)
				o.Observe(st.DroppedShutdown, shutdown)
				o.Observe(st.EmitFailed, send)
			}},
		{"otelcol_processor_llm_judge_requests", "Requests to the judge model, by outcome (failed requests are not retried).", "{request}",
			func(o metric.Int64Observer, st judge.Stats) {
				o.Observe(st.RequestsOK, ok)
				o.Observe(st.RequestsFailed, failed)
				o.Observe(st.RequestsInvalid, invalid)
			}},
		{"otelcol_processor_llm_judge_results", "Scores the judge model gave, emitted as evaluation results.", "{result}",
			func(o metric.Int64Observer, st judge.Stats) { o.Observe(st.Results) }},
		{"otelcol_processor_llm_judge_ungraded", "Rubrics the judge answered without a usable score (missing, null, outside 0–1).", "{result}",
			func(o metric.Int64Observer, st judge.Stats) { o.Observe(st.Ungraded) }},
	}
	for _, c := range counters {
		observe := c.observe
		if _, err := m.Int64ObservableCounter(c.name, metric.WithDescription(c.desc), metric.WithUnit(c.unit),
			metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
				t.judgesMu.Lock()
				defer t.judgesMu.Unlock()
				if len(t.judges) == 0 {
					return nil
				}
				var total judge.Stats
				for _, j := range t.judges {
					total.Add(j.Stats())
				}
				observe(o, total)
				return nil
			})); err != nil {
			return err
		}
	}
	return nil
}

func (t *telemetry) addJudge(j *judge.Judge) {
	t.judgesMu.Lock()
	defer t.judgesMu.Unlock()
	t.judges = append(t.judges, j)
}
