// Package llmalertexporter evaluates alert rules over the metrics of its pipeline and
// notifies people: threshold, anomaly and SLO burn-rate rules with Prometheus semantics,
// Alertmanager-style routing, grouping, silences and escalation, and pushes to Slack,
// PagerDuty, Teams, email, webhooks and Alertmanager.
package llmalertexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
)

// DefaultAPIEndpoint is loopback only: the API can silence alerts.
const DefaultAPIEndpoint = "localhost:8989"

// NewFactory returns the llmalert exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig,
		exporter.WithMetrics(createMetrics, metadata.MetricsStability))
}

func createDefaultConfig() component.Config {
	api := confighttp.NewDefaultServerConfig()
	api.NetAddr.Endpoint = DefaultAPIEndpoint
	return &Config{
		EvaluationInterval: time.Minute,
		Lookback:           5 * time.Minute,
		MaxClockSkew:       5 * time.Minute,
		DefaultRules:       true,
		Retry:              notify.DefaultBackoff(),
		Alertmanager:       notify.AlertmanagerConfig{ResendDelay: time.Minute},
		API:                APIConfig{ServerConfig: api},
	}
}

func createMetrics(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Metrics, error) {
	e, err := newAlertExporter(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewMetrics(ctx, set, cfg, e.consume,
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown))
}
