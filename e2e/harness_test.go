package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-llm/otelcol-llm/internal/collectorproc"
)

// packageDir is the e2e directory, taken before any test changes the working directory.
var packageDir, _ = os.Getwd()

// collectorBinary is the distribution under test. `make test` builds it first; running
// `go test ./e2e` alone needs `make build` before.
func collectorBinary(t *testing.T) string {
	t.Helper()
	p := filepath.Join(packageDir, "..", "bin", "otelcol-llm")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make build` first (make test does): %v", p, err)
	}
	return p
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitForPort waits until something accepts connections on 127.0.0.1:port.
func waitForPort(t *testing.T, port int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d after %s", port, timeout)
}

// Collector is a running otelcol-llm process.
type Collector struct {
	proc *collectorproc.Process
	out  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartCollector writes config to a temporary file, starts the distribution with it in a
// fresh temporary working directory (relative paths such as the store's data/ land there)
// and waits until every port in waitPorts accepts connections. The process is stopped when
// the test ends; its output is printed if the test failed.
func StartCollector(t *testing.T, config string, waitPorts ...int) *Collector {
	t.Helper()
	return StartCollectorIn(t, t.TempDir(), config, waitPorts...)
}

// StartCollectorIn is StartCollector with dir as the working directory.
func StartCollectorIn(t *testing.T, dir, config string, waitPorts ...int) *Collector {
	t.Helper()
	path, err := collectorproc.WriteConfig(t.TempDir(), config)
	if err != nil {
		t.Fatal(err)
	}
	c := &Collector{out: &syncBuffer{}}
	c.proc, err = collectorproc.Start(collectorproc.Options{Binary: collectorBinary(t), Config: path, Dir: dir, Output: c.out})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop()
		if t.Failed() {
			t.Logf("collector output:\n%s", c.Output())
		}
	})
	if err := c.proc.WaitPorts(context.Background(), 30*time.Second, waitPorts...); errors.Is(err, collectorproc.ErrExited) {
		t.Fatalf("collector exited at start:\n%s", c.Output())
	} else if err != nil {
		t.Fatal(err)
	}
	return c
}

// Output is everything the collector has printed so far.
func (c *Collector) Output() string { return c.out.String() }

// Stop ends the collector gracefully (SIGTERM), killing it after 15 s.
func (c *Collector) Stop() { c.proc.Stop() }

// Kill ends the collector with SIGKILL, as a crash would.
func (c *Collector) Kill() { c.proc.Kill() }

// OTLPSink is an OTLP/HTTP server that records what a collector exports to it, standing in
// for the user's tracing backend.
type OTLPSink struct {
	URL string // base URL, e.g. http://127.0.0.1:4318 (use as otlp_http endpoint)

	mu      sync.Mutex
	traces  []ptrace.Traces
	metrics []pmetric.Metrics
	logs    []plog.Logs
}

// NewOTLPSink starts a sink on a free port; it stops when the test ends.
func NewOTLPSink(t *testing.T) *OTLPSink {
	t.Helper()
	s := &OTLPSink{}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/traces", func(w http.ResponseWriter, r *http.Request) {
		req := ptraceotlp.NewExportRequest()
		if !s.decode(w, r, req.UnmarshalProto) {
			return
		}
		s.mu.Lock()
		s.traces = append(s.traces, req.Traces())
		s.mu.Unlock()
	})
	mux.HandleFunc("/v1/metrics", func(w http.ResponseWriter, r *http.Request) {
		req := pmetricotlp.NewExportRequest()
		if !s.decode(w, r, req.UnmarshalProto) {
			return
		}
		s.mu.Lock()
		s.metrics = append(s.metrics, req.Metrics())
		s.mu.Unlock()
	})
	mux.HandleFunc("/v1/logs", func(w http.ResponseWriter, r *http.Request) {
		req := plogotlp.NewExportRequest()
		if !s.decode(w, r, req.UnmarshalProto) {
			return
		}
		s.mu.Lock()
		s.logs = append(s.logs, req.Logs())
		s.mu.Unlock()
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.URL = "http://" + l.Addr().String()
	return s
}

func (s *OTLPSink) decode(w http.ResponseWriter, r *http.Request, unmarshal func([]byte) error) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-protobuf") {
		http.Error(w, "sink accepts application/x-protobuf only, got "+ct, http.StatusUnsupportedMediaType)
		return false
	}
	var src io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return false
		}
		src = zr
	}
	body, err := io.ReadAll(src)
	if err == nil {
		err = unmarshal(body)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	return true
}

// Spans returns every span received so far, flattened, with its resource attributes.
func (s *OTLPSink) Spans() []ptrace.ResourceSpans {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ptrace.ResourceSpans
	for _, td := range s.traces {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			out = append(out, td.ResourceSpans().At(i))
		}
	}
	return out
}

// SpansByName returns every received span keyed by span name (the last one wins).
func (s *OTLPSink) SpansByName() map[string]ptrace.Span {
	out := map[string]ptrace.Span{}
	for _, rs := range s.Spans() {
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < ss.Len(); k++ {
				out[ss.At(k).Name()] = ss.At(k)
			}
		}
	}
	return out
}

// SpanCount is the number of spans received so far.
func (s *OTLPSink) SpanCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, td := range s.traces {
		n += td.SpanCount()
	}
	return n
}

// Metrics returns every metrics payload received so far.
func (s *OTLPSink) Metrics() []pmetric.Metrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pmetric.Metrics(nil), s.metrics...)
}

// Logs returns every logs payload received so far.
func (s *OTLPSink) Logs() []plog.Logs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]plog.Logs(nil), s.logs...)
}

// Eventually polls cond every 50 ms until it holds or timeout passes.
func Eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// requireTool returns the path of an external program a test needs (prometheus,
// alertmanager, chromium). Without it the test is skipped locally but fails in CI, where
// .ci/run installs it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed (CI installs it)", name)
	}
	return p
}
