package llmstoreextension

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

// telemetry is the extension's own metrics: the database size, and what retention removes.
type telemetry struct {
	deleted   metric.Int64Counter
	evictions metric.Int64Counter
	size      metric.Registration
}

func newTelemetry(e *Extension) (*telemetry, error) {
	meter := e.set.TelemetrySettings.MeterProvider.Meter(metadata.ScopeName)
	var t telemetry
	var err error
	if t.deleted, err = meter.Int64Counter("otelcol_llmstore_retention_deleted_rows",
		metric.WithDescription("Rows deleted by the llmstore retention job (expiry and size cap), per table."),
		metric.WithUnit("{row}")); err != nil {
		return nil, err
	}
	if t.evictions, err = meter.Int64Counter("otelcol_llmstore_size_evictions",
		metric.WithDescription("Retention runs that evicted the oldest data to stay under max_size_mib."),
		metric.WithUnit("{run}")); err != nil {
		return nil, err
	}
	size, err := meter.Int64ObservableGauge("otelcol_llmstore_database_used_size",
		metric.WithDescription("Bytes of the llmstore database in use (freed pages excluded)."), metric.WithUnit("By"))
	if err != nil {
		return nil, err
	}
	t.size, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		s, err := e.Store()
		if err != nil {
			return nil // unavailable: nothing to observe
		}
		n, err := s.UsedBytes(ctx)
		if err != nil {
			return err
		}
		o.ObserveInt64(size, n)
		return nil
	}, size)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// retentionRun records one run of the retention job.
func (t *telemetry) retentionRun(logger *zap.Logger, res store.EnforceResult, err error) {
	ctx := context.Background()
	for table, n := range res.Deleted {
		if n > 0 {
			t.deleted.Add(ctx, n, metric.WithAttributes(attribute.String("table", table)))
		}
	}
	if res.EvictedBefore != 0 {
		t.evictions.Add(ctx, 1)
		logger.Warn("llmstore over max_size_mib: evicted the oldest data", zap.Int64("evicted_before_unix_nano", res.EvictedBefore))
	}
	if err != nil {
		logger.Warn("llmstore retention run failed; retrying at the next interval", zap.Error(err))
	}
}

func (t *telemetry) shutdown() error { return t.size.Unregister() }
