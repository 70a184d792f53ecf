package main

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
	"github.com/otelcol-llm/otelcol-llm/internal/storeapi"
)

var updateStore = flag.Bool("update-store", false, "rewrite testdata/store/*.txt from the read commands' output")

func init() { time.Local = time.UTC } // golden output shows times in UTC

var fixtureBase = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// startStoreAPI serves the real llmstore API over the fixture, with "now" ten minutes
// after the fixture starts.
func startStoreAPI(t *testing.T) string {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "llmctl.db"), Policy: store.DefaultPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.WriteTraces(ctx, storegen.Fixture(fixtureBase)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(ctx, storegen.FixtureLogs(fixtureBase)); err != nil {
		t.Fatal(err)
	}
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("otelcol_llm.cost")
	m.SetUnit("USD")
	sum := m.SetEmptySum()
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	for i, v := range []float64{0.5, 0.25} {
		dp := sum.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(fixtureBase.Add(time.Duration(i) * time.Minute)))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	}
	if err := s.WriteMetrics(ctx, md); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	storeapi.Register(mux, s, storeapi.Options{Now: func() time.Time { return fixtureBase.Add(10 * time.Minute) }})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

const noAlerts = "--alerts-api=http://127.0.0.1:1"

func TestStoreReadCommands(t *testing.T) {
	api := startStoreAPI(t)
	trace1 := storegen.TraceID(1).String()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"dashboard", []string{"dashboard", "--window=15m", noAlerts}},
		{"trace", []string{"trace", trace1}},
		{"sessions", []string{"sessions"}},
		{"session", []string{"session", "sess-alice"}},
		{"logs", []string{"logs"}},
		{"logs_errors", []string{"logs", "--errors", "--limit", "5"}},
		{"metrics", []string{"metrics"}},
		{"metrics_series", []string{"metrics", "--window=15m", "--step=1m", "otelcol_llm.cost"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{tc.args[0], "--endpoint", api}, tc.args[1:]...)
			code, out, errOut := llmctl(args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden := filepath.Join("testdata", "store", tc.name+".txt")
			if *updateStore {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-store to create it)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s:\n%s", golden, out)
			}
		})
	}
}

func TestStoreReadCommandsJSON(t *testing.T) {
	api := startStoreAPI(t)
	t.Setenv("LLMCTL_ENDPOINT", api) // the env var stands in for --endpoint
	for _, args := range [][]string{
		{"dashboard", "--output=json", noAlerts}, {"trace", "--output=json", storegen.TraceID(1).String()},
		{"sessions", "--output=json"}, {"session", "--output=json", "sess-alice"}, {"logs", "--output=json", "--errors"},
		{"metrics", "--output=json"},
	} {
		code, out, errOut := llmctl(args...)
		var v map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
			t.Errorf("%v: exit %d, not a JSON object: %s %s", args, code, out, errOut)
		}
	}
	_, out, _ := llmctl("logs", "--output=json", "--errors")
	if !strings.Contains(out, `"body": "anthropic returned 429: rate limit exceeded"`) || strings.Contains(out, "looked up") {
		t.Errorf("logs --errors JSON:\n%s", out)
	}
}

func TestStoreReadCommandErrors(t *testing.T) {
	api := startStoreAPI(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"dashboard", "--endpoint", "http://127.0.0.1:1"}, 1,
			"cannot reach the collector's llmstore API at http://127.0.0.1:1"},
		{[]string{"dashboard", "--endpoint", api, "--window", "soon"}, 1, `query parameter window="soon"`},
		{[]string{"trace", "--endpoint", api, "ffffffffffffffffffffffffffffffff"}, 1, "not found"},
		{[]string{"trace", "--endpoint", api}, 2, "usage: llmctl trace"},
		{[]string{"logs", "--endpoint", api, "--output", "yaml"}, 2, "--output must be text or json"},
		{[]string{"session", "--endpoint", api, "nope"}, 1, "not found"},
	} {
		code, _, errOut := llmctl(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
