package storeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// server serves the API over the fixture; "now" is ten minutes after the fixture starts.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "api.db"), Policy: store.DefaultPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.WriteTraces(context.Background(), storegen.Fixture(base)); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(context.Background(), storegen.FixtureLogs(base)); err != nil {
		t.Fatal(err)
	}
	judge, feedback := storegen.FixtureLateEvaluations(base)
	if err := s.WriteTraces(context.Background(), judge); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteLogs(context.Background(), feedback); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	Register(mux, s, Options{Now: func() time.Time { return base.Add(10 * time.Minute) }, Version: "test"})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestAPI(t *testing.T) {
	srv := server(t)
	trace1 := storegen.TraceID(1).String()
	for _, tc := range []struct {
		name, path string
		code       int
	}{
		{"overview", "/api/v1/overview?window=15m&step=5m", 200},
		{"traces", "/api/v1/traces", 200},
		{"traces_errors", "/api/v1/traces?errors=true", 200},
		{"traces_filtered", "/api/v1/traces?model=gpt-4o&min_duration=1s&user=alice&q=refund", 200},
		{"traces_low_score", "/api/v1/traces?score_below=0.5", 200},
		{"trace", "/api/v1/traces/" + trace1, 200},
		{"sessions", "/api/v1/sessions", 200},
		{"session", "/api/v1/sessions/sess-alice", 200},
		{"dependencies", "/api/v1/dependencies", 200},
		{"logs_errors", "/api/v1/logs?errors=true", 200},
		{"bad_window", "/api/v1/overview?window=yesterday", 400},
		{"bad_limit", "/api/v1/traces?limit=0", 400},
		{"bad_status", "/api/v1/traces?status=failed", 400},
		{"bad_time", "/api/v1/traces?from=monday", 400},
		{"time_before_1970", "/api/v1/overview?from=-7700000000000", 400},
		{"time_after_2262", "/api/v1/traces?to=9300000000000000", 400},
		{"window_before_1970", "/api/v1/overview?window=30000d", 400},
		{"bad_trace_id", "/api/v1/traces/xyz", 400},
		{"bad_step", "/api/v1/overview?window=30d&step=1s", 400},
		{"bad_score", "/api/v1/traces?score_below=2", 400},
		{"unknown_trace", "/api/v1/traces/ffffffffffffffffffffffffffffffff", 404},
		{"unknown_endpoint", "/api/v1/nope", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.code, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			var indented bytes.Buffer
			if err := json.Indent(&indented, body, "", "  "); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			golden := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(golden, indented.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(indented.Bytes(), want) {
				t.Errorf("response differs from %s:\n%s", golden, indented.String())
			}
		})
	}
}

func TestStatusShowsPolicyAndUsage(t *testing.T) {
	srv := server(t)
	resp, err := http.Get(srv.URL + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Policy["traces"] != "30d" || st.Policy["content"] != "7d" || st.Usage.Rows["spans"] != 6 || st.Usage.FileBytes == 0 {
		t.Errorf("status %+v", st)
	}
}

func TestBadParamErrorNamesTheParameter(t *testing.T) {
	srv := server(t)
	resp, err := http.Get(srv.URL + "/api/v1/logs?severity=loud")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != 400 || !strings.Contains(e["error"], `severity="loud"`) || !strings.Contains(e["error"], "want trace, debug") {
		t.Errorf("%d %v", resp.StatusCode, e)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"90s": 90 * time.Second, "7d": 7 * 24 * time.Hour, "1.5d": 36 * time.Hour} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if FormatDuration(30*24*time.Hour) != "30d" || FormatDuration(90*time.Minute) != "1h30m0s" {
		t.Error("FormatDuration")
	}
}
