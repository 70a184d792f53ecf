package llmstoreexporter

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension"
	"github.com/otelcol-llm/otelcol-llm/internal/store"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// host is a collector host with the given extensions.
type host struct {
	component.Host
	ext map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.ext }

// startStore starts an llmstore extension on a temp file and returns a host holding it.
func startStore(t testing.TB) (host, *llmstoreextension.Extension, string) {
	t.Helper()
	return startStoreAt(t, filepath.Join(t.TempDir(), "llm.db"))
}

// startStoreAt is startStore on the database at path.
func startStoreAt(t testing.TB, path string) (host, *llmstoreextension.Extension, string) {
	t.Helper()
	f := llmstoreextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*llmstoreextension.Config)
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Path = path
	// These tests are about delivery; their data is months old, which the default
	// retention would start deleting while they run.
	cfg.Retention.Traces, cfg.Retention.Logs, cfg.Retention.Metrics, cfg.Retention.Content = 0, 0, 0, 0
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ext.Shutdown(context.Background()) })
	return host{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{component.MustNewID("llmstore"): ext}},
		ext.(*llmstoreextension.Extension), cfg.Path
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestExportsAllSignals(t *testing.T) {
	h, ext, _ := startStore(t)
	s, _ := ext.Store()
	f := NewFactory()
	set := exportertest.NewNopSettings(f.Type())
	ctx := context.Background()
	traces, err := f.CreateTraces(ctx, set, f.CreateDefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := f.CreateLogs(ctx, set, f.CreateDefaultConfig())
	metrics, _ := f.CreateMetrics(ctx, set, f.CreateDefaultConfig())
	for _, c := range []component.Component{traces, logs, metrics} {
		if err := c.Start(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := traces.ConsumeTraces(ctx, storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if err := logs.ConsumeLogs(ctx, storegen.FixtureLogs(base)); err != nil {
		t.Fatal(err)
	}
	md := pmetric.NewMetrics()
	g := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	g.SetName("queue.size")
	dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(base))
	dp.SetIntValue(3)
	if err := metrics.ConsumeMetrics(ctx, md); err != nil {
		t.Fatal(err)
	}
	// Shutdown drains the sending queue.
	for _, c := range []component.Component{traces, logs, metrics} {
		if err := c.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
	u, err := s.Usage(ctx)
	if err != nil || u.Rows["spans"] != 6 || u.Rows["logs"] != 2 || u.Rows["metric_points"] != 1 {
		t.Errorf("stored %+v %v", u.Rows, err)
	}
}

func TestMissingExtensionFailsStart(t *testing.T) {
	f := NewFactory()
	exp, err := f.CreateTraces(context.Background(), exportertest.NewNopSettings(f.Type()), f.CreateDefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	err = exp.Start(context.Background(), componenttest.NewNopHost())
	if err == nil || !strings.Contains(err.Error(), `extension "llmstore" is not configured`) {
		t.Errorf("err = %v", err)
	}
}

// While another writer holds the database lock, batches wait in the queue and are all
// stored once the lock is released.
func TestBusyStoreLosesNothing(t *testing.T) {
	h, ext, path := startStore(t)
	s, _ := ext.Store()
	// Waits for the lock the store may hold a moment after it starts (its first
	// retention run) instead of failing with SQLITE_BUSY.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	// Retry soon after the lock is released, so that how long this takes does not depend
	// on how loaded the machine is; the defaults back off from 5 s for up to 5 minutes.
	cfg.RetryConfig.InitialInterval = 100 * time.Millisecond
	cfg.RetryConfig.MaxInterval = time.Second
	exp, _ := f.CreateTraces(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err := exp.Start(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	const batches = 20
	err = storegen.Generate(storegen.Options{Seed: 3, Start: base, Period: time.Hour, Traces: batches * 10, Users: 3, Sessions: 5}, 10,
		func(td ptrace.Traces) error { return exp.ConsumeTraces(context.Background(), td) })
	if err != nil {
		t.Fatalf("a busy store must not refuse data: %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	eventually(t, "all traces stored", func() bool {
		ts, _ := s.Traces(context.Background(), store.TraceFilter{Window: store.Window{From: base, To: base.Add(time.Hour)}, Limit: 1000})
		return len(ts) == batches*10
	})
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := cm.Sub("llmstore/custom")
	cfg := createDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Extension.String() != "llmstore/secondary" || cfg.Timeout != 10*time.Second ||
		cfg.QueueConfig.Get().QueueSize != 5000 || cfg.RetryConfig.MaxElapsedTime != 10*time.Minute {
		t.Errorf("custom config: %+v", cfg)
	}
	def := createDefaultConfig().(*Config)
	if def.Extension.String() != "llmstore" || !def.QueueConfig.HasValue() || !def.RetryConfig.Enabled {
		t.Errorf("defaults: %+v", def)
	}
}
