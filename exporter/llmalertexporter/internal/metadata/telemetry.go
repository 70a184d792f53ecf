package metadata

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// Telemetry is the exporter's internal telemetry.
type Telemetry struct {
	// Evaluations and EvaluationFailures count rule evaluations by rule.
	Evaluations        metric.Int64Counter
	EvaluationFailures metric.Int64Counter
	// EvaluationDuration is the time one cycle over all rules took.
	EvaluationDuration metric.Float64Histogram
	// Notifications counts deliveries by receiver, integration and outcome.
	Notifications metric.Int64Counter
	// NotificationLatency is the time from the decision to notify to delivery.
	NotificationLatency metric.Float64Histogram
	// PointsRejected counts data points not stored, by reason.
	PointsRejected metric.Int64Counter
	// AlertmanagerPushes counts pushes to Alertmanager by outcome.
	AlertmanagerPushes metric.Int64Counter
}

// NewTelemetry creates the instruments.
func NewTelemetry(set component.TelemetrySettings) (*Telemetry, error) {
	m := set.MeterProvider.Meter(ScopeName)
	t := &Telemetry{}
	var err error
	if t.Evaluations, err = m.Int64Counter("otelcol_exporter_llmalert_rule_evaluations",
		metric.WithDescription("Rule evaluations."), metric.WithUnit("{evaluation}")); err != nil {
		return nil, err
	}
	if t.EvaluationFailures, err = m.Int64Counter("otelcol_exporter_llmalert_rule_evaluation_failures",
		metric.WithDescription("Rule evaluations that failed; the rule's last error is in the API."), metric.WithUnit("{evaluation}")); err != nil {
		return nil, err
	}
	if t.EvaluationDuration, err = m.Float64Histogram("otelcol_exporter_llmalert_evaluation_duration",
		metric.WithDescription("Duration of one evaluation cycle over every rule."), metric.WithUnit("s")); err != nil {
		return nil, err
	}
	if t.Notifications, err = m.Int64Counter("otelcol_exporter_llmalert_notifications",
		metric.WithDescription("Notifications by receiver, integration and outcome (sent or failed)."), metric.WithUnit("{notification}")); err != nil {
		return nil, err
	}
	if t.NotificationLatency, err = m.Float64Histogram("otelcol_exporter_llmalert_notification_latency",
		metric.WithDescription("Time from the decision to notify to the end of delivery, retries included."), metric.WithUnit("s")); err != nil {
		return nil, err
	}
	if t.PointsRejected, err = m.Int64Counter("otelcol_exporter_llmalert_points_rejected",
		metric.WithDescription("Data points not used by rules, by reason (kind_mismatch, non_finite, out_of_order, clock_skew, too_old, unsupported)."), metric.WithUnit("{point}")); err != nil {
		return nil, err
	}
	if t.AlertmanagerPushes, err = m.Int64Counter("otelcol_exporter_llmalert_alertmanager_pushes",
		metric.WithDescription("Pushes of alerts to Alertmanager, by outcome."), metric.WithUnit("{push}")); err != nil {
		return nil, err
	}
	return t, nil
}
