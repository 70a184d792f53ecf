package llmmetricsconnector

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

func readTraces(t *testing.T, name string) ptrace.Traces {
	t.Helper()
	td, err := golden.ReadTraces(filepath.Join("internal", "aggregator", "testdata", name, "traces.yaml"))
	require.NoError(t, err)
	return td
}

// An empty configuration works; what was aggregated since the last flush is emitted on
// shutdown, so a collector restart loses no delta.
func TestLifecycle(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, metadata.Type, f.Type())
	assert.Equal(t, metadata.TracesToMetricsStability, f.TracesToMetricsStability())
	sink := &consumertest.MetricsSink{}
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), f.CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, c.ConsumeTraces(context.Background(), readTraces(t, "genai_spans")))
	assert.Empty(t, sink.AllMetrics(), "nothing before the first flush interval (15s)")
	require.NoError(t, c.Shutdown(context.Background()))
	require.Len(t, sink.AllMetrics(), 1)
	md := sink.AllMetrics()[0]
	assert.Equal(t, metadata.ScopeName, md.ResourceMetrics().At(0).ScopeMetrics().At(0).Scope().Name())
	assert.Positive(t, md.DataPointCount())
}

func TestShutdownWithoutStart(t *testing.T) {
	f := NewFactory()
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), f.CreateDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, c.Shutdown(context.Background()))
}

func TestFlushInterval(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.FlushInterval = 20 * time.Millisecond
	cfg.Temporality = TemporalityDelta
	sink := &consumertest.MetricsSink{}
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, c.Shutdown(context.Background())) }()
	require.NoError(t, c.ConsumeTraces(context.Background(), readTraces(t, "exemplars")))
	require.Eventually(t, func() bool { return len(sink.AllMetrics()) == 1 }, 5*time.Second, 10*time.Millisecond)
	// Delta: later intervals without spans emit nothing.
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, sink.AllMetrics(), 1)
	requests := 0
	ms := sink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		if ms.At(i).Name() == genai.MetricRequests {
			requests = int(ms.At(i).Sum().DataPoints().At(0).IntValue())
		}
	}
	assert.Equal(t, 3, requests)
}

// Ignored spans, unusable values, overflowed points, expired and held series are visible in
// the collector's own metrics.
func TestInternalTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := connectortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.CardinalityLimit = 2
	cfg.Dimensions = []string{genai.UserID}
	c, err := f.CreateTracesToMetrics(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, c.ConsumeTraces(context.Background(), readTraces(t, "bad_input")))
	require.NoError(t, c.ConsumeTraces(context.Background(), readTraces(t, "overflow")))

	assertSum(t, tel, "otelcol_connector_llmmetrics_spans_ignored", metricdata.DataPoint[int64]{Value: 1})
	invalid := []metricdata.DataPoint[int64]{}
	for field, n := range map[string]int64{"duration": 1, "usage": 3, "cost": 1, "time_to_first_chunk": 1, "evaluation_score": 1, "redaction_summary": 1} {
		invalid = append(invalid, metricdata.DataPoint[int64]{Attributes: attribute.NewSet(attribute.String("field", field)), Value: n})
	}
	assertSum(t, tel, "otelcol_connector_llmmetrics_invalid_values", invalid...)
	// bad_input made one call series (gpt-4o, no user); overflow's users 2 to 4 overflow.
	assertSum(t, tel, "otelcol_connector_llmmetrics_overflow_points",
		metricdata.DataPoint[int64]{Attributes: attribute.NewSet(attribute.String("family", "calls")), Value: 3})

	m, err := tel.GetMetric("otelcol_connector_llmmetrics_series")
	require.NoError(t, err)
	// calls: 2 + overflow; edges: chatbot -> openai; evaluations: bad_input's relevance
	// result (counted although its score is invalid).
	assert.Equal(t, int64(5), m.Data.(metricdata.Gauge[int64]).DataPoints[0].Value)
	require.NoError(t, c.Shutdown(context.Background()))
}

func assertSum(t *testing.T, tel *componenttest.Telemetry, name string, want ...metricdata.DataPoint[int64]) {
	t.Helper()
	got, err := tel.GetMetric(name)
	require.NoError(t, err, name)
	metricdatatest.AssertAggregationsEqual(t, metricdata.Sum[int64]{
		Temporality: metricdata.CumulativeTemporality, IsMonotonic: true, DataPoints: want,
	}, got.Data, metricdatatest.IgnoreTimestamp())
}

// Pipelines call ConsumeTraces concurrently while the flush loop runs; every span is
// counted exactly once.
func TestConcurrentConsumeAndFlush(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.FlushInterval = time.Millisecond
	cfg.Temporality = TemporalityDelta
	sink := &consumertest.MetricsSink{}
	c, err := f.CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	td := readTraces(t, "exemplars") // three chat calls
	const goroutines, batches = 4, 50
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range batches {
				assert.NoError(t, c.ConsumeTraces(context.Background(), td))
			}
		})
	}
	wg.Wait()
	require.NoError(t, c.Shutdown(context.Background()))
	var requests int64
	for _, md := range sink.AllMetrics() {
		ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
		for i := 0; i < ms.Len(); i++ {
			if ms.At(i).Name() == genai.MetricRequests {
				requests += ms.At(i).Sum().DataPoints().At(0).IntValue()
			}
		}
	}
	assert.Equal(t, int64(goroutines*batches*3), requests)
}

// Traces and logs pipelines of one connector ID share one aggregator: an evaluation result
// sent as a log record and one sent as a span event land in the same series, emitted once,
// and the connector stops when the last pipeline does.
func TestTracesAndLogsShareOneAggregator(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig()
	sink := &consumertest.MetricsSink{}
	set := connectortest.NewNopSettings(metadata.Type)
	tc, err := f.CreateTracesToMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	lc, err := f.CreateLogsToMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	host := componenttest.NewNopHost()
	require.NoError(t, tc.Start(context.Background(), host))
	require.NoError(t, lc.Start(context.Background(), host))

	require.NoError(t, tc.ConsumeTraces(context.Background(), readTraces(t, "evaluations")))
	ld, err := golden.ReadLogs(filepath.Join("internal", "aggregator", "testdata", "evaluations", "logs.yaml"))
	require.NoError(t, err)
	require.NoError(t, lc.ConsumeLogs(context.Background(), ld))

	require.NoError(t, tc.Shutdown(context.Background()))
	assert.Empty(t, sink.AllMetrics(), "still running for the logs pipeline")
	require.NoError(t, lc.Shutdown(context.Background()))
	require.Len(t, sink.AllMetrics(), 1)

	// user_feedback for gpt-4o in chatbot: label "down" from the span event, "4/5" from the
	// log record; both counted under the rated call's service.
	results := map[string]int64{}
	rm := sink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := range rm.Len() {
		if m := rm.At(i); m.Name() == genai.MetricEvaluationResults {
			for j := range m.Sum().DataPoints().Len() {
				dp := m.Sum().DataPoints().At(j)
				a := dp.Attributes()
				if genai.Str(a, genai.EvaluationName) == genai.EvaluationUserFeedback && genai.Str(a, genai.ServiceName) == "chatbot" {
					results[genai.Str(a, genai.EvaluationScoreLabel)] += dp.IntValue()
				}
			}
		}
	}
	assert.Equal(t, map[string]int64{"down": 1, "4/5": 1}, results)
}
