package metadata

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// Telemetry is the connector's internal telemetry: what it ignored, what it could not
// use, what went over a cardinality limit, and how many series it holds.
type Telemetry struct {
	SpansIgnored   metric.Int64Counter
	InvalidValues  metric.Int64Counter
	OverflowPoints metric.Int64Counter
	SeriesExpired  metric.Int64Counter

	registration metric.Registration
}

// NewTelemetry creates the instruments; series reports the number of series held, for
// the otelcol_connector_llmmetrics_series gauge.
func NewTelemetry(set component.TelemetrySettings, series func() int64) (*Telemetry, error) {
	meter := set.MeterProvider.Meter(ScopeName)
	t := &Telemetry{}
	var errs, err error
	t.SpansIgnored, err = meter.Int64Counter("otelcol_connector_llmmetrics_spans_ignored",
		metric.WithDescription("Spans without GenAI data, which produce no metrics."), metric.WithUnit("{span}"))
	errs = errors.Join(errs, err)
	t.InvalidValues, err = meter.Int64Counter("otelcol_connector_llmmetrics_invalid_values",
		metric.WithDescription("Span values that were present but unusable (negative duration, non-numeric token count, ...), by field; they produce no point."),
		metric.WithUnit("{value}"))
	errs = errors.Join(errs, err)
	t.OverflowPoints, err = meter.Int64Counter("otelcol_connector_llmmetrics_overflow_points",
		metric.WithDescription("Observations recorded on an overflow series (otel.metric.overflow=true) because a metric family reached its cardinality limit, by family."),
		metric.WithUnit("{point}"))
	errs = errors.Join(errs, err)
	t.SeriesExpired, err = meter.Int64Counter("otelcol_connector_llmmetrics_series_expired",
		metric.WithDescription("Series forgotten after being idle for series_expiration."), metric.WithUnit("{series}"))
	errs = errors.Join(errs, err)
	gauge, err := meter.Int64ObservableGauge("otelcol_connector_llmmetrics_series",
		metric.WithDescription("Series held in memory, overflow series included."), metric.WithUnit("{series}"))
	errs = errors.Join(errs, err)
	if errs != nil {
		return nil, errs
	}
	t.registration, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(gauge, series())
		return nil
	}, gauge)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Shutdown unregisters the series gauge.
func (t *Telemetry) Shutdown() error { return t.registration.Unregister() }
