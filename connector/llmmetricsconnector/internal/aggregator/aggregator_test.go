package aggregator

import (
	"flag"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

var update = flag.Bool("update", false, "rewrite the expected_*.yaml golden files")

// t0 is when each test's aggregator starts; span timestamps in testdata are relative to it.
var t0 = time.Unix(1700000000, 0)

func at(seconds int) pcommon.Timestamp {
	return pcommon.NewTimestampFromTime(t0.Add(time.Duration(seconds) * time.Second))
}

// step consumes a traces file at consumeAt, then flushes at flushAt and compares the
// output with a golden file per temporality.
type step struct {
	traces, logs       string
	consumeAt, flushAt int
	want               Stats
	expired            int
}

func TestGolden(t *testing.T) {
	base := Config{ResourceDimensions: []string{genai.ServiceName}, CardinalityLimit: 100}
	tests := []struct {
		name   string
		config func(*Config)
		steps  []step
	}{
		{
			name: "genai_spans",
			steps: []step{{traces: "traces.yaml", consumeAt: 10, flushAt: 15,
				want: Stats{Spans: 6, Ignored: 1}}},
		},
		{
			name:   "exemplars",
			config: func(c *Config) { c.MaxExemplars = 2 },
			steps: []step{
				{traces: "traces.yaml", consumeAt: 10, flushAt: 15, want: Stats{Spans: 3}},
				// Nothing new: delta emits nothing, cumulative repeats the totals without
				// exemplars, which belong to the interval they were seen in.
				{flushAt: 30},
			},
		},
		{
			name:   "overflow",
			config: func(c *Config) { c.CardinalityLimit = 2; c.SpanDimensions = []string{genai.UserID} },
			steps: []step{{traces: "traces.yaml", consumeAt: 10, flushAt: 15,
				want: Stats{Spans: 4, Overflow: [FamilyCount]int64{FamilyCalls: 2}}}},
		},
		{
			name:   "expiry",
			config: func(c *Config) { c.SeriesExpiration = time.Minute },
			steps: []step{
				{traces: "traces_1.yaml", consumeAt: 10, flushAt: 15, want: Stats{Spans: 1}},
				// The gpt-4o series was last seen at 10 s and expires at 100 s; the
				// service-to-provider edge is seen again and stays.
				{traces: "traces_2.yaml", consumeAt: 100, flushAt: 105, want: Stats{Spans: 1}, expired: 1},
			},
		},
		{
			name: "evaluations",
			steps: []step{{traces: "traces.yaml", logs: "logs.yaml", consumeAt: 10, flushAt: 15,
				want: Stats{Spans: 4, Ignored: 1, Invalid: [InvalidCount]int64{InvalidEvaluationScore: 1}}}},
		},
		{
			name: "quality_forms",
			steps: []step{{traces: "traces.yaml", consumeAt: 10, flushAt: 15,
				want: Stats{Spans: 7, Invalid: [InvalidCount]int64{InvalidEvaluationScore: 3}}}},
		},
		{
			name: "bad_input",
			steps: []step{{traces: "traces.yaml", consumeAt: 10, flushAt: 15,
				want: Stats{Spans: 1, Ignored: 1, Invalid: [InvalidCount]int64{
					InvalidDuration: 1, InvalidUsage: 3, InvalidCost: 1, InvalidTimeToFirstChunk: 1,
					InvalidEvaluationScore: 1, InvalidRedactionSummary: 1,
				}}}},
		},
	}
	for _, tt := range tests {
		for _, temporality := range []string{"cumulative", "delta"} {
			t.Run(tt.name+"/"+temporality, func(t *testing.T) {
				cfg := base
				if tt.config != nil {
					tt.config(&cfg)
				}
				cfg.Delta = temporality == "delta"
				agg := New(cfg, at(0))
				for i, s := range tt.steps {
					if s.traces != "" {
						td, err := golden.ReadTraces(filepath.Join("testdata", tt.name, s.traces))
						require.NoError(t, err)
						got := agg.Consume(td, at(s.consumeAt))
						if s.logs != "" {
							ld, err := golden.ReadLogs(filepath.Join("testdata", tt.name, s.logs))
							require.NoError(t, err)
							got.Add(agg.ConsumeLogs(ld, at(s.consumeAt)))
						}
						assert.Equal(t, s.want, got, "stats of step %d", i+1)
					}
					got, expired := agg.Flush(at(s.flushAt))
					assert.Equal(t, s.expired, expired, "expired series in step %d", i+1)
					compareGolden(t, filepath.Join("testdata", tt.name, fmt.Sprintf("expected_%s_%d.yaml", temporality, i+1)), got)
				}
			})
		}
	}
}

func compareGolden(t *testing.T, path string, got pmetric.Metrics) {
	t.Helper()
	if *update {
		require.NoError(t, golden.WriteMetrics(t, path, got))
	}
	want, err := golden.ReadMetrics(path)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(want, got,
		// golden.WriteMetrics normalises timestamps; TestTimestamps checks them.
		pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
		pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreMetricsOrder()), path)
}
