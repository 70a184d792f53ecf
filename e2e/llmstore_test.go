package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// storeCollector is a running distribution with OTLP/HTTP in and the llmstore exporter
// and extension on a database at path.
type storeCollector struct {
	*Collector
	otlp, api string
}

func startStoreCollector(t *testing.T, path string) storeCollector {
	t.Helper()
	otlpPort, apiPort := freePort(t), freePort(t)
	config := fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
extensions:
  llmstore:
    endpoint: 127.0.0.1:%d
    path: %s
exporters:
  llmstore:
  debug:
    verbosity: basic
service:
  extensions: [llmstore]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [llmstore, debug]
    logs:
      receivers: [otlp]
      exporters: [llmstore]
`, otlpPort, apiPort, path)
	c := StartCollector(t, config, otlpPort, apiPort)
	return storeCollector{Collector: c, otlp: fmt.Sprintf("http://127.0.0.1:%d", otlpPort), api: fmt.Sprintf("http://127.0.0.1:%d", apiPort)}
}

func postOTLP(t *testing.T, url string, body []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %s %s", url, resp.Status, b)
	}
}

func sendFixture(t *testing.T, otlp string, base time.Time) {
	t.Helper()
	traces, err := ptraceotlp.NewExportRequestFromTraces(storegen.Fixture(base)).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	postOTLP(t, otlp+"/v1/traces", traces)
	logs, err := plogotlp.NewExportRequestFromLogs(storegen.FixtureLogs(base)).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	postOTLP(t, otlp+"/v1/logs", logs)
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v: %s", url, err, b)
		}
	}
	return resp.StatusCode
}

func storedTraces(t *testing.T, api string) int {
	var list struct{ Traces []json.RawMessage }
	getJSON(t, api+"/api/v1/traces?window=1h", &list)
	return len(list.Traces)
}

func llmctlBinary(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../bin/llmctl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make build` first (make test does): %v", p, err)
	}
	return p
}

// TestLLMStoreEndToEnd sends GenAI spans and logs over OTLP to the distribution, reads
// them back through the API and llmctl, and checks they survive a restart.
func TestLLMStoreEndToEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store", "llm.db")
	c := startStoreCollector(t, path)
	base := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
	sendFixture(t, c.otlp, base)
	Eventually(t, 20*time.Second, "3 traces in the store", func() bool { return storedTraces(t, c.api) == 3 })

	var o struct {
		Requests int64   `json:"requests"`
		Errors   int64   `json:"errors"`
		Cost     float64 `json:"cost_usd"`
	}
	getJSON(t, c.api+"/api/v1/overview?window=1h", &o)
	if o.Requests != 4 || o.Errors != 1 {
		t.Errorf("overview %+v", o)
	}
	var logs struct{ Logs []struct{ Body string } }
	getJSON(t, c.api+"/api/v1/logs?errors=true", &logs)
	if len(logs.Logs) != 1 || !strings.Contains(logs.Logs[0].Body, "429") {
		t.Errorf("error logs %+v", logs)
	}
	var bad map[string]string
	resp, err := http.Get(c.api + "/api/v1/traces?min_duration=fast")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&bad)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(bad["error"], "min_duration") {
		t.Errorf("bad parameter: %d %v", resp.StatusCode, bad)
	}

	// llmctl against the running collector.
	trace1 := storegen.TraceID(1).String()
	out, err := exec.Command(llmctlBinary(t), "trace", "--endpoint", c.api, trace1).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "└─ chat gpt-4o") || !strings.Contains(string(out), "4 spans") {
		t.Errorf("llmctl trace: %v\n%s", err, out)
	}
	cmd := exec.Command(llmctlBinary(t), "dashboard", "--alerts-api", "http://127.0.0.1:1")
	cmd.Env = append(os.Environ(), "LLMCTL_ENDPOINT="+c.api)
	out, err = cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "requests     4") || !strings.Contains(string(out), "$0.00252") {
		t.Errorf("llmctl dashboard: %v\n%s", err, out)
	}

	// A restart keeps everything stored.
	c.Stop()
	c2 := startStoreCollector(t, path)
	if n := storedTraces(t, c2.api); n != 3 {
		t.Errorf("after restart: %d traces", n)
	}
	c2.Stop()
	out, err = exec.Command(llmctlBinary(t), "dashboard", "--endpoint", c2.api).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "cannot reach the collector's llmstore API") {
		t.Errorf("llmctl with the collector stopped: %v\n%s", err, out)
	}
}

// TestLLMStoreCorruptDatabase: a corrupt database file does not stop the collector; the
// API says why, other exporters keep working, and the file is left untouched.
func TestLLMStoreCorruptDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "llm.db")
	garbage := bytes.Repeat([]byte("this is not sqlite "), 512)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	c := startStoreCollector(t, path)
	var e map[string]string
	resp, err := http.Get(c.api + "/api/v1/overview")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(e["error"], "not a valid llmstore database") {
		t.Errorf("API: %d %v", resp.StatusCode, e)
	}
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("still-exported")
	body, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	postOTLP(t, c.otlp+"/v1/traces", body)
	Eventually(t, 10*time.Second, "the debug exporter to print the span", func() bool {
		return strings.Contains(c.Output(), "still-exported") || strings.Contains(c.Output(), `"spans": 1`)
	})
	if b, _ := os.ReadFile(path); !bytes.Equal(b, garbage) {
		t.Error("the corrupt file was modified")
	}
}
