package llmmetricsconnector

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/aggregator"
	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/metadata"
)

// llmMetrics feeds spans to the aggregator and emits its metrics every flush interval.
type llmMetrics struct {
	cfg       *Config
	next      consumer.Metrics
	logger    *zap.Logger
	telemetry *metadata.Telemetry

	mu  sync.Mutex
	agg *aggregator.Aggregator

	stop chan struct{}
	done chan struct{}

	// Telemetry attribute sets, built once.
	invalidAttrs  [aggregator.InvalidCount]metric.AddOption
	overflowAttrs [aggregator.FamilyCount]metric.AddOption
}

func newConnector(set connector.Settings, cfg *Config, next consumer.Metrics) (*llmMetrics, error) {
	c := &llmMetrics{
		cfg:    cfg,
		next:   next,
		logger: set.Logger,
		agg: aggregator.New(aggregator.Config{
			SpanDimensions:     cfg.Dimensions,
			ResourceDimensions: cfg.ResourceDimensions,
			Delta:              cfg.Temporality == TemporalityDelta,
			CardinalityLimit:   cfg.CardinalityLimit,
			SeriesExpiration:   cfg.SeriesExpiration,
			MaxExemplars:       maxExemplars(cfg.Exemplars),
		}, pcommon.NewTimestampFromTime(time.Now())),
	}
	for i := range c.invalidAttrs {
		c.invalidAttrs[i] = metric.WithAttributes(attribute.String("field", aggregator.Invalid(i).String()))
	}
	for i := range c.overflowAttrs {
		c.overflowAttrs[i] = metric.WithAttributes(attribute.String("family", aggregator.Family(i).String()))
	}
	var err error
	c.telemetry, err = metadata.NewTelemetry(set.TelemetrySettings, func() int64 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return int64(c.agg.SeriesCount())
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func maxExemplars(cfg ExemplarsConfig) int {
	if !cfg.Enabled {
		return 0
	}
	return cfg.MaxPerDataPoint
}

func (*llmMetrics) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func (c *llmMetrics) Start(context.Context, component.Host) error {
	c.stop = make(chan struct{})
	c.done = make(chan struct{})
	go c.flushLoop()
	return nil
}

func (c *llmMetrics) flushLoop() {
	defer close(c.done)
	ticker := time.NewTicker(c.cfg.FlushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-ticker.C:
			c.flush(context.Background())
		}
	}
}

// Shutdown stops the flush loop and emits what was aggregated since the last flush.
func (c *llmMetrics) Shutdown(ctx context.Context) error {
	if c.stop != nil {
		close(c.stop)
		<-c.done
		c.stop = nil
		c.flush(ctx)
	}
	return c.telemetry.Shutdown()
}

func (c *llmMetrics) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	c.mu.Lock()
	st := c.agg.Consume(td, pcommon.NewTimestampFromTime(time.Now()))
	c.mu.Unlock()
	c.record(ctx, &st)
	return nil
}

// ConsumeLogs counts the evaluation results sent as log records.
func (c *llmMetrics) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	c.mu.Lock()
	st := c.agg.ConsumeLogs(ld, pcommon.NewTimestampFromTime(time.Now()))
	c.mu.Unlock()
	c.record(ctx, &st)
	return nil
}

func (c *llmMetrics) record(ctx context.Context, st *aggregator.Stats) {
	if st.Ignored > 0 {
		c.telemetry.SpansIgnored.Add(ctx, st.Ignored)
	}
	for i, n := range st.Invalid {
		if n > 0 {
			c.telemetry.InvalidValues.Add(ctx, n, c.invalidAttrs[i])
		}
	}
	for i, n := range st.Overflow {
		if n > 0 {
			c.telemetry.OverflowPoints.Add(ctx, n, c.overflowAttrs[i])
		}
	}
}

func (c *llmMetrics) flush(ctx context.Context) {
	c.mu.Lock()
	md, expired := c.agg.Flush(pcommon.NewTimestampFromTime(time.Now()))
	c.mu.Unlock()
	if expired > 0 {
		c.telemetry.SeriesExpired.Add(ctx, int64(expired))
	}
	if md.DataPointCount() == 0 {
		return
	}
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Scope().SetName(metadata.ScopeName)
	if err := c.next.ConsumeMetrics(ctx, md); err != nil {
		c.logger.Warn("Failed to send GenAI metrics", zap.Error(err))
	}
}
