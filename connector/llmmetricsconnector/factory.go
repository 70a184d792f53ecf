package llmmetricsconnector

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/metadata"
)

// NewFactory returns the llmmetrics connector factory.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		connector.WithTracesToMetrics(createTracesToMetrics, metadata.TracesToMetricsStability),
		connector.WithLogsToMetrics(createLogsToMetrics, metadata.LogsToMetricsStability),
	)
}

func createTracesToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
	return instances.acquire(set, cfg.(*Config), next)
}

func createLogsToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Logs, error) {
	return instances.acquire(set, cfg.(*Config), next)
}

// instances shares one connector between the traces and logs pipelines of the same
// component ID: evaluation results come from both, and two aggregators would emit the same
// series twice with different values.
var instances = &registry{byConfig: map[*Config]*shared{}}

type registry struct {
	mu       sync.Mutex
	byConfig map[*Config]*shared
}

// shared is the connector with a count of the pipelines that started it, so that it starts
// with the first and stops with the last.
type shared struct {
	*llmMetrics
	reg     *registry
	cfg     *Config
	running int
}

func (r *registry) acquire(set connector.Settings, cfg *Config, next consumer.Metrics) (*shared, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.byConfig[cfg]; ok {
		return s, nil
	}
	c, err := newConnector(set, cfg, next)
	if err != nil {
		return nil, err
	}
	s := &shared{llmMetrics: c, reg: r, cfg: cfg}
	r.byConfig[cfg] = s
	return s, nil
}

func (s *shared) Start(ctx context.Context, host component.Host) error {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	s.running++
	if s.running > 1 {
		return nil
	}
	return s.llmMetrics.Start(ctx, host)
}

func (s *shared) Shutdown(ctx context.Context) error {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	if s.running > 0 {
		s.running--
	}
	if s.running > 0 {
		return nil
	}
	delete(s.reg.byConfig, s.cfg)
	return s.llmMetrics.Shutdown(ctx)
}
