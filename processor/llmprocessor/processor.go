package llmprocessor

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/calljoin"
	"github.com/otelcol-llm/otelcol-llm/internal/enrich"
	"github.com/otelcol-llm/otelcol-llm/internal/evaluate"
	"github.com/otelcol-llm/otelcol-llm/internal/normalize"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
	"github.com/otelcol-llm/otelcol-llm/internal/redact"
)

// llmProcessor runs the stages in the order the architecture requires: normalize, then
// enrich and evaluate (which read content), then redact last so nothing after it sees raw
// PII. Evaluations that arrive apart from their call are joined to it before redaction.
type llmProcessor struct {
	logger     *zap.Logger
	normalizer *normalize.Normalizer // nil when disabled
	pricer     *pricing.Pricer       // nil when disabled
	enricher   *enrich.Enricher
	evaluator  *evaluate.Evaluator // nil when disabled
	calls      *calljoin.Index     // nil when disabled
	redactor   *redact.Redactor    // nil when disabled
	telemetry  *telemetry
	batches    sync.Pool // *evaluationBatch

	lifecycle lifecycle
	release   func()
}

func newLLMProcessor(set processor.Settings, cfg *Config) (*llmProcessor, error) {
	p := &llmProcessor{logger: set.Logger}
	var err error
	if cfg.Normalize.Enabled {
		if p.normalizer, err = normalize.New(*cfg.Normalize.library()); err != nil {
			return nil, err
		}
	}
	if cfg.Pricing.Enabled {
		if p.pricer, err = pricing.New(*cfg.Pricing.library(), set.Logger); err != nil {
			return nil, err
		}
		p.enricher = enrich.New(p.pricer)
	} else {
		p.enricher = enrich.New(nil)
	}
	if cfg.Evaluation.Enabled {
		if p.evaluator, err = evaluate.New(*cfg.Evaluation.library()); err != nil {
			return nil, err
		}
		p.batches.New = func() any { return new(evaluationBatch) }
	}
	if cfg.EvaluationJoin.MaxCalls > 0 {
		p.calls = calljoin.New(cfg.EvaluationJoin.MaxCalls)
	}
	if cfg.Redaction.Enabled {
		if p.redactor, err = redact.New(*cfg.Redaction.library()); err != nil {
			return nil, err
		}
	}
	if p.telemetry, err = newTelemetry(set.TelemetrySettings, p.pricer); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *llmProcessor) start(ctx context.Context, host component.Host) error {
	return p.lifecycle.start(ctx, host, func(ctx context.Context, _ component.Host) error {
		if p.pricer != nil {
			return p.pricer.Start(ctx)
		}
		return nil
	})
}

func (p *llmProcessor) shutdown(ctx context.Context) error {
	return p.lifecycle.shutdown(ctx, func(ctx context.Context) error {
		p.release()
		if p.pricer != nil {
			return p.pricer.Shutdown(ctx)
		}
		return nil
	})
}

// evaluationBatch is a batch's evaluation state: the spans waiting for the evaluators, and
// the results between evaluation and writing.
type evaluationBatch struct {
	spans   []ptrace.Span
	pending evaluate.Pending
}

// evaluationRun is how many spans the evaluators take in a row, once normalization and
// enrichment are done with them. Run after each span's other stages, their code was
// evicted from the instruction cache by the other stages' every time (about 400 misses a
// span, a fifth of their cost on spans already in semconv); in runs, it stays. Runs are
// short enough that the spans they read are still in the data caches in a large batch.
const evaluationRun = 32

func (p *llmProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	var counts spanCounts
	var batch *evaluationBatch
	if p.evaluator != nil {
		batch = p.batches.Get().(*evaluationBatch)
		defer func() {
			batch.pending.Reset()
			p.batches.Put(batch)
		}()
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				if span := spans.At(k); p.spanStages(span, &counts) && batch != nil {
					if batch.spans = append(batch.spans, span); len(batch.spans) == evaluationRun {
						p.evaluate(batch, &counts)
					}
				}
			}
		}
	}
	if batch != nil {
		p.evaluate(batch, &counts)
	}
	if p.calls != nil {
		counts.join = p.calls.Traces(td)
	}
	if p.redactor != nil {
		st, err := p.redact(func() redact.Stats { return p.redactor.Traces(td) })
		if err != nil {
			p.telemetry.record(ctx, &counts)
			return td, err
		}
		counts.redaction = st
	}
	// Results were computed on the raw content and are written now, after redaction, which
	// has nothing to do on them: they never quote content.
	if batch != nil {
		p.evaluator.Write(&batch.pending)
	}
	p.telemetry.record(ctx, &counts)
	return td, nil
}

// spanStages runs normalization and enrichment on one span and reports whether they
// completed. A bug that panics on some input must not take the collector down or lose the
// batch: the span goes on as the stages left it (they only add or rename attributes and
// add events), is not evaluated, and the failure is counted.
func (p *llmProcessor) spanStages(span ptrace.Span, counts *spanCounts) (completed bool) {
	defer p.recoverSpan(span, counts)
	if p.normalizer != nil {
		counts.addNormalize(p.normalizer.Span(span))
	}
	counts.addEnrich(p.enricher.Span(span))
	return true
}

// evaluate runs the evaluators on the spans waiting in b, before redaction, and keeps the
// results to write.
func (p *llmProcessor) evaluate(b *evaluationBatch, counts *spanCounts) {
	for _, span := range b.spans {
		p.evaluateSpan(span, counts, &b.pending)
	}
	clear(b.spans) // do not pin the batch
	b.spans = b.spans[:0]
}

func (p *llmProcessor) evaluateSpan(span ptrace.Span, counts *spanCounts, pending *evaluate.Pending) {
	defer p.recoverSpan(span, counts)
	p.evaluator.Evaluate(span, pending, &counts.evaluation)
}

func (p *llmProcessor) recoverSpan(span ptrace.Span, counts *spanCounts) {
	if r := recover(); r != nil {
		counts.panics++
		p.logger.Error("The llm processor failed on a span and passed it on unchanged by the failing stage",
			zap.Any("panic", r), zap.String("span", span.Name()), zap.Stack("stack"))
	}
}

// errRedactionFailed refuses a batch the redactor could not finish: passing it on could
// leak the PII and secrets redaction exists to remove.
var errRedactionFailed = errors.New("llm processor: redaction failed; the batch was refused rather than passed on unredacted")

func (p *llmProcessor) redact(run func() redact.Stats) (st redact.Stats, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.logger.Error(errRedactionFailed.Error(), zap.Any("panic", r), zap.Stack("stack"))
			err = consumererror.NewPermanent(errRedactionFailed)
		}
	}()
	return run(), nil
}

func (p *llmProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var counts spanCounts
	if p.normalizer != nil {
		func() {
			defer func() {
				if r := recover(); r != nil {
					counts.panics++
					p.logger.Error("The llm processor failed to normalize a log batch and passed it on",
						zap.Any("panic", r), zap.Stack("stack"))
				}
			}()
			counts.addNormalize(p.normalizer.Logs(ld))
		}()
	}
	if p.calls != nil {
		counts.join = p.calls.Logs(ld)
	}
	if p.redactor != nil {
		st, err := p.redact(func() redact.Stats { return p.redactor.Logs(ld) })
		if err != nil {
			p.telemetry.record(ctx, &counts)
			return ld, err
		}
		counts.redaction = st
	}
	p.telemetry.record(ctx, &counts)
	return ld, nil
}
