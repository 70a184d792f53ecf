package llmproxyreceiver

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/mockllm"
)

// testProxy is a started receiver in front of a mock upstream.
type testProxy struct {
	URL  string // base URL of the proxy, e.g. http://127.0.0.1:1234
	Mock *mockllm.Server
	Sink *consumertest.TracesSink
	Logs *observer.ObservedLogs
	rcv  *llmProxyReceiver
}

func startMock(t testing.TB) *mockllm.Server {
	t.Helper()
	m, err := mockllm.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// startProxy starts the receiver with openai and anthropic upstreams both pointing at
// the mock. mutate may change the configuration before start.
func startProxy(t testing.TB, mock *mockllm.Server, mutate func(*Config)) *testProxy {
	t.Helper()
	return startProxyWith(t, mock, mutate, receivertest.NewNopSettings(metadata.Type))
}

// startProxyWith is startProxy with the receiver settings given (its logger is replaced
// by an observer).
func startProxyWith(t testing.TB, mock *mockllm.Server, mutate func(*Config), set receiver.Settings) *testProxy {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = "127.0.0.1:" + strconv.Itoa(freePort(t))
	cfg.Upstreams = map[string]UpstreamConfig{
		"openai":    upstreamAt(mock.URL, ""),
		"anthropic": upstreamAt(mock.URL, ""),
	}
	if mutate != nil {
		mutate(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zapcore.DebugLevel)
	set.Logger = zap.New(core)
	sink := new(consumertest.TracesSink)
	rcv, err := newReceiver(cfg, set, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := rcv.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rcv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &testProxy{URL: "http://" + cfg.NetAddr.Endpoint, Mock: mock, Sink: sink, Logs: logs, rcv: rcv}
}

func upstreamAt(endpoint, provider string) UpstreamConfig {
	c := UpstreamConfig{Provider: provider}
	c.Endpoint = endpoint
	return c
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitSpans waits until the sink holds n spans and returns them.
func (p *testProxy) waitSpans(t testing.TB, n int) []ptrace.Span {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.Sink.SpanCount() < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var spans []ptrace.Span
	for _, td := range p.Sink.AllTraces() {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			ss := td.ResourceSpans().At(i).ScopeSpans()
			for j := 0; j < ss.Len(); j++ {
				for k := 0; k < ss.At(j).Spans().Len(); k++ {
					spans = append(spans, ss.At(j).Spans().At(k))
				}
			}
		}
	}
	if len(spans) != n {
		t.Fatalf("got %d spans, want %d", len(spans), n)
	}
	return spans
}

// onlySpan waits for the one span a single call makes.
func (p *testProxy) onlySpan(t *testing.T) ptrace.Span {
	t.Helper()
	return p.waitSpans(t, 1)[0]
}

// exchange is what a client saw of one HTTP exchange.
type exchange struct {
	Status int
	Header http.Header
	Body   []byte
	// Err is the error reading the body ended with, if any.
	Err error
}

// recordingClient is an http.Client that keeps a copy of every response it reads, as
// the SDK under test received it.
type recordingClient struct {
	*http.Client
	mu   sync.Mutex
	seen []*exchange
}

func newRecordingClient() *recordingClient {
	rc := &recordingClient{}
	rc.Client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		ex := &exchange{Status: resp.StatusCode, Header: resp.Header.Clone()}
		rc.mu.Lock()
		rc.seen = append(rc.seen, ex)
		rc.mu.Unlock()
		resp.Body = &teeBody{r: resp.Body, ex: ex, mu: &rc.mu}
		return resp, nil
	})}
	return rc
}

func (rc *recordingClient) last(t *testing.T) exchange {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.seen) == 0 {
		t.Fatal("the client made no request")
	}
	return *rc.seen[len(rc.seen)-1]
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type teeBody struct {
	r  io.ReadCloser
	ex *exchange
	mu *sync.Mutex
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.mu.Lock()
	b.ex.Body = append(b.ex.Body, p[:n]...)
	if err != nil && err != io.EOF {
		b.ex.Err = err
	}
	b.mu.Unlock()
	return n, err
}

func (b *teeBody) Close() error { return b.r.Close() }

// hopByHop are the headers a proxy may legitimately change (RFC 9110 §7.6.1).
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// assertSameExchange checks that the client got the same status, end-to-end headers
// and body bytes through the proxy as from the upstream directly.
func assertSameExchange(t *testing.T, direct, proxied exchange) {
	t.Helper()
	if direct.Status != proxied.Status {
		t.Errorf("status: direct %d, proxied %d", direct.Status, proxied.Status)
	}
	dh, ph := direct.Header.Clone(), proxied.Header.Clone()
	for _, h := range hopByHop {
		dh.Del(h)
		ph.Del(h)
	}
	if len(dh) != len(ph) {
		t.Errorf("headers differ:\n direct  %v\n proxied %v", dh, ph)
	}
	for k, v := range dh {
		if pv := ph.Values(k); !equalStrings(v, pv) {
			t.Errorf("header %s: direct %q, proxied %q", k, v, pv)
		}
	}
	if !bytes.Equal(direct.Body, proxied.Body) {
		t.Errorf("body differs:\n direct  %q\n proxied %q", direct.Body, proxied.Body)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func attr(t *testing.T, span ptrace.Span, key string) pcommon.Value {
	t.Helper()
	v, ok := span.Attributes().Get(key)
	if !ok {
		t.Fatalf("span %q has no %s; attributes: %v", span.Name(), key, span.Attributes().AsRaw())
	}
	return v
}

func assertAttrs(t *testing.T, span ptrace.Span, want map[string]any) {
	t.Helper()
	got := span.Attributes().AsRaw()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("span %q: missing %s (want %v)", span.Name(), k, w)
			continue
		}
		if !equalValue(g, w) {
			t.Errorf("span %q: %s = %#v, want %#v", span.Name(), k, g, w)
		}
	}
}

func equalValue(got, want any) bool {
	switch w := want.(type) {
	case int:
		g, ok := got.(int64)
		return ok && g == int64(w)
	case []string:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if g[i] != w[i] {
				return false
			}
		}
		return true
	}
	return got == want
}
