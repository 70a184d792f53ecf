package llmprocessor

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-llm/otelcol-llm/internal/judge"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

var processorCapabilities = consumer.Capabilities{MutatesData: true}

// NewFactory returns the factory of the `llm` processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	c := cfg.(*Config)
	p, err := instances.acquire(set, c)
	if err != nil {
		return nil, err
	}
	if !c.Judge.Enabled {
		return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
			processorhelper.WithCapabilities(processorCapabilities),
			processorhelper.WithStart(p.start),
			processorhelper.WithShutdown(p.shutdown))
	}
	// The judge belongs to this pipeline: its results go to this pipeline's next consumer.
	j, err := judge.New(*c.Judge.library(), next.ConsumeTraces, set.Logger)
	if err != nil {
		return nil, err
	}
	p.telemetry.addJudge(j)
	process := func(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
		td, err := p.processTraces(ctx, td)
		if err == nil {
			j.Traces(td) // after redaction: the judge sees only what leaves the pipeline
		}
		return td, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, process,
		processorhelper.WithCapabilities(processorCapabilities),
		processorhelper.WithStart(func(ctx context.Context, host component.Host) error {
			if err := p.start(ctx, host); err != nil {
				return err
			}
			return j.Start(ctx, host, set.TelemetrySettings)
		}),
		processorhelper.WithShutdown(func(ctx context.Context) error {
			return errors.Join(j.Shutdown(ctx), p.shutdown(ctx))
		}))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := instances.acquire(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(processorCapabilities),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown))
}
