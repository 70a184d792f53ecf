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
	pending    sync.Pool // *evaluate.Pending: a batch's results between evaluation and writing

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
		p.pending.New = func() any { return new(evaluate.Pending) }
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

func (p *llmProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	var counts spanCounts
	var pending *evaluate.Pending
	if p.evaluator != nil {
		pending = p.pending.Get().(*evaluate.Pending)
		defer func() {
			pending.Reset()
			p.pending.Put(pending)
		}()
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				p.spanStages(spans.At(k), &counts, pending)
			}
		}
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
	if pending != nil {
		p.evaluator.Write(pending)
	}
	p.telemetry.record(ctx, &counts)
	return td, nil
}

// spanStages runs the stages before redaction on one span. A bug that panics on some
// input must not take the collector down or lose the batch: the span goes on as the
// stages left it (they only add or rename attributes and add events) and the failure is
// counted.
func (p *llmProcessor) spanStages(span ptrace.Span, counts *spanCounts, pending *evaluate.Pending) {
	defer func() {
		if r := recover(); r != nil {
			counts.panics++
			p.logger.Error("The llm processor failed on a span and passed it on unchanged by the failing stage",
				zap.Any("panic", r), zap.String("span", span.Name()), zap.Stack("stack"))
		}
	}()
	if p.normalizer != nil {
		counts.addNormalize(p.normalizer.Span(span))
	}
	counts.addEnrich(p.enricher.Span(span))
	if p.evaluator != nil {
		p.evaluator.Evaluate(span, pending, &counts.evaluation)
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
