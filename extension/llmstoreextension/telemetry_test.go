package llmstoreextension

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// The retention job's deletions and the database size show in the collector's own metrics.
func TestTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	set := extensiontest.NewNopSettings(NewFactory().Type())
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := createDefaultConfig()
	cfg.NetAddr.Endpoint = freeEndpoint(t)
	cfg.Path = filepath.Join(t.TempDir(), "llm.db")
	cfg.Retention.CheckInterval = 20 * time.Millisecond
	ext, err := NewFactory().Create(context.Background(), set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	defer ext.Shutdown(context.Background())
	s, _ := ext.(*Extension).Store()
	// Spans from more than 30 days ago: the next retention run deletes them.
	if err := s.WriteTraces(context.Background(), storegen.Fixture(time.Now().Add(-40*24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); deletedRows(tel, "spans") != 6; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("deleted spans counted: %d, want the 6 expired ones", deletedRows(tel, "spans"))
		}
	}
	m, err := tel.GetMetric("otelcol_llmstore_database_used_size")
	if err != nil || m.Data.(metricdata.Gauge[int64]).DataPoints[0].Value <= 0 {
		t.Errorf("size gauge: %v %v", m, err)
	}
}

// deletedRows is the retention counter's value for one table.
func deletedRows(tel *componenttest.Telemetry, table string) int64 {
	m, err := tel.GetMetric("otelcol_llmstore_retention_deleted_rows")
	if err != nil {
		return 0
	}
	want := attribute.NewSet(attribute.String("table", table))
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value
		}
	}
	return 0
}
