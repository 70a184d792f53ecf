package llmprocessor

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

var update = flag.Bool("update", false, "rewrite the expected golden files from the current output")

// newTestProcessors builds the traces and logs processors of one component with the
// config in dir/config.yaml (the default config when there is none).
func newTestProcessors(t *testing.T, dir string) (func(ptrace.Traces) ptrace.Traces, func(plog.Logs) plog.Logs) {
	t.Helper()
	cfg := createDefaultConfig()
	if _, err := os.Stat(filepath.Join(dir, "config.yaml")); err == nil {
		loaded, err := loadConfig(t, filepath.Join(dir, "config.yaml"), "")
		require.NoError(t, err)
		cfg = loaded
	}
	ctx := context.Background()
	set := processortest.NewNopSettings(metadata.Type)
	traces := new(consumertest.TracesSink)
	tp, err := NewFactory().CreateTraces(ctx, set, cfg, traces)
	require.NoError(t, err)
	logs := new(consumertest.LogsSink)
	lp, err := NewFactory().CreateLogs(ctx, set, cfg, logs)
	require.NoError(t, err)
	require.NoError(t, tp.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, lp.Start(ctx, componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, tp.Shutdown(ctx))
		require.NoError(t, lp.Shutdown(ctx))
	})
	return func(td ptrace.Traces) ptrace.Traces {
			traces.Reset()
			require.NoError(t, tp.ConsumeTraces(ctx, td))
			require.Len(t, traces.AllTraces(), 1)
			return traces.AllTraces()[0]
		}, func(ld plog.Logs) plog.Logs {
			logs.Reset()
			require.NoError(t, lp.ConsumeLogs(ctx, ld))
			require.Len(t, logs.AllLogs(), 1)
			return logs.AllLogs()[0]
		}
}

// TestTracesGolden runs each case in testdata/traces/<case>/ (input.yaml, expected.yaml,
// optional config.yaml) through the whole processor: normalize, enrich, redact. Each case
// also checks idempotence: the processor's output passes through it again unchanged.
func TestTracesGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "traces", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			processTraces, _ := newTestProcessors(t, dir)
			input, err := golden.ReadTraces(filepath.Join(dir, "input.yaml"))
			require.NoError(t, err)
			got := processTraces(input)
			expectedFile := filepath.Join(dir, "expected.yaml")
			if *update {
				require.NoError(t, golden.WriteTraces(t, expectedFile, got))
			}
			want, err := golden.ReadTraces(expectedFile)
			require.NoError(t, err)
			require.NoError(t, ptracetest.CompareTraces(want, got))

			again := processTraces(got)
			require.NoError(t, ptracetest.CompareTraces(want, again), "a second pass changed the output")
		})
	}
}

// TestLogsGolden is TestTracesGolden for log records (testdata/logs/<case>/).
func TestLogsGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "logs", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			_, processLogs := newTestProcessors(t, dir)
			input, err := golden.ReadLogs(filepath.Join(dir, "input.yaml"))
			require.NoError(t, err)
			got := processLogs(input)
			expectedFile := filepath.Join(dir, "expected.yaml")
			if *update {
				require.NoError(t, golden.WriteLogs(t, expectedFile, got))
			}
			want, err := golden.ReadLogs(expectedFile)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(want, got))

			again := processLogs(got)
			require.NoError(t, plogtest.CompareLogs(want, again), "a second pass changed the output")
		})
	}
}
