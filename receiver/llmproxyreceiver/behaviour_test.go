package llmproxyreceiver

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/loadgen"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/mockllm"
)

const chatBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}`
const streamBody = `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello"}]}`
const messagesBody = `{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}`

// do sends a raw request and reads the whole response as the client sees it.
func do(t *testing.T, method, url, body string, header map[string]string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, rerr := io.ReadAll(resp.Body)
	return exchange{Status: resp.StatusCode, Header: resp.Header, Body: b, Err: rerr}
}

// TestUpstreamErrorsReachClientUnchanged: a 429 (or any error) is the provider's answer,
// status, rate-limit headers and body included; the span records it as an error.
func TestUpstreamErrorsReachClientUnchanged(t *testing.T) {
	mock := startMock(t)
	tests := []struct {
		name, path, body, status, wantType string
		header                             map[string]string
	}{
		{"openai 429", "/v1/chat/completions", chatBody, "429", "rate_limit_exceeded", nil},
		{"openai 500", "/v1/chat/completions", chatBody, "500", "server_error", nil},
		{"anthropic 429", "/v1/messages", messagesBody, "429", "rate_limit_error", map[string]string{"Anthropic-Version": "2023-06-01"}},
		{"openai stream 429", "/v1/chat/completions", streamBody, "429", "rate_limit_exceeded", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := startProxy(t, mock, nil)
			h := map[string]string{"X-Mock-Status": tc.status}
			for k, v := range tc.header {
				h[k] = v
			}
			direct := do(t, "POST", mock.URL+tc.path, tc.body, h)
			proxied := do(t, "POST", p.URL+tc.path, tc.body, h)
			assertSameExchange(t, direct, proxied)
			if tc.status == "429" && proxied.Header.Get("Retry-After") != "7" {
				t.Errorf("Retry-After %q did not reach the client", proxied.Header.Get("Retry-After"))
			}
			span := p.onlySpan(t)
			assertAttrs(t, span, map[string]any{genai.ErrorType: tc.wantType, genai.HTTPResponseStatusCode: atoi(tc.status)})
			if span.Status().Code() != ptrace.StatusCodeError {
				t.Errorf("span status %v, want error", span.Status().Code())
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestProxyAnswersWhenUpstreamCannot: when no response comes, the proxy answers with a
// clear error in the client's API shape, and the span says why.
func TestProxyAnswersWhenUpstreamCannot(t *testing.T) {
	mock := startMock(t)
	t.Run("unreachable", func(t *testing.T) {
		p := startProxy(t, mock, func(c *Config) { c.Upstreams["openai"] = upstreamAt("http://127.0.0.1:1", "") })
		got := do(t, "POST", p.URL+"/v1/chat/completions", chatBody, nil)
		assertErrorAnswer(t, got, http.StatusBadGateway, "upstream_unreachable", `upstream "openai" could not be reached`)
		assertAttrs(t, p.onlySpan(t), map[string]any{genai.ErrorType: "upstream_unreachable", genai.HTTPResponseStatusCode: 502})
	})
	t.Run("no headers within timeout", func(t *testing.T) {
		p := startProxy(t, mock, func(c *Config) {
			up := upstreamAt(mock.URL, "")
			up.Timeout = 100 * time.Millisecond
			c.Upstreams["openai"] = up
		})
		start := time.Now()
		got := do(t, "POST", p.URL+"/v1/chat/completions", chatBody, map[string]string{"X-Mock-Delay": "3s"})
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("timeout answer took %s", d)
		}
		assertErrorAnswer(t, got, http.StatusGatewayTimeout, "timeout", "sent no response headers within its timeout")
		assertAttrs(t, p.onlySpan(t), map[string]any{genai.ErrorType: "timeout", genai.HTTPResponseStatusCode: 504})
	})
	t.Run("anthropic shape", func(t *testing.T) {
		p := startProxy(t, mock, func(c *Config) { c.Upstreams["anthropic"] = upstreamAt("http://127.0.0.1:1", "") })
		got := do(t, "POST", p.URL+"/v1/messages", messagesBody, map[string]string{"Anthropic-Version": "2023-06-01"})
		var e struct {
			Type  string `json:"type"`
			Error struct {
				Type string `json:"type"`
			} `json:"error"`
		}
		if err := json.Unmarshal(got.Body, &e); err != nil || e.Type != "error" || e.Error.Type != "upstream_unreachable" {
			t.Errorf("anthropic-style error expected, got %s", got.Body)
		}
	})
}

func assertErrorAnswer(t *testing.T, got exchange, status int, kind, msg string) {
	t.Helper()
	if got.Status != status {
		t.Errorf("status %d, want %d (body %s)", got.Status, status, got.Body)
	}
	var e struct {
		Error struct{ Message, Type string } `json:"error"`
	}
	if err := json.Unmarshal(got.Body, &e); err != nil {
		t.Fatalf("error body is not JSON: %s", got.Body)
	}
	if e.Error.Type != kind || !strings.Contains(e.Error.Message, msg) {
		t.Errorf("error %+v, want type %q and a message containing %q", e.Error, kind, msg)
	}
}

// TestBadInput: oversized bodies are refused by us with a 413 that names the setting;
// malformed JSON and upstream garbage are forwarded as they are.
func TestBadInput(t *testing.T) {
	mock := startMock(t)
	t.Run("oversized body", func(t *testing.T) {
		p := startProxy(t, mock, func(c *Config) { c.MaxRequestBodySize = 1024 })
		body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"` + strings.Repeat("x", 2048) + `"}]}`
		got := do(t, "POST", p.URL+"/v1/chat/completions", body, nil)
		assertErrorAnswer(t, got, http.StatusRequestEntityTooLarge, "request_too_large", "max_request_body_size")
		assertAttrs(t, p.onlySpan(t), map[string]any{genai.ErrorType: "request_too_large", genai.HTTPResponseStatusCode: 413})
	})
	t.Run("malformed JSON is forwarded", func(t *testing.T) {
		p := startProxy(t, mock, nil)
		got := do(t, "POST", p.URL+"/v1/chat/completions", `{"model": "gpt-4o-mini", "messages": [`, nil)
		if got.Status != 200 || string(mock.Last().Body) != `{"model": "gpt-4o-mini", "messages": [` {
			t.Errorf("malformed body not forwarded unchanged: status %d, upstream got %q", got.Status, mock.Last().Body)
		}
		span := p.onlySpan(t)
		// The response still describes the call.
		assertAttrs(t, span, map[string]any{genai.OperationName: "chat", genai.ResponseModel: mockllm.ChatModel})
	})
	t.Run("upstream garbage is passed on", func(t *testing.T) {
		p := startProxy(t, mock, nil)
		h := map[string]string{"X-Mock-Garbage": "1"}
		assertSameExchange(t, do(t, "POST", mock.URL+"/v1/chat/completions", chatBody, h), do(t, "POST", p.URL+"/v1/chat/completions", chatBody, h))
		span := p.onlySpan(t)
		assertAttrs(t, span, map[string]any{genai.RequestModel: "gpt-4o-mini", genai.HTTPResponseStatusCode: 200})
		if _, ok := span.Attributes().Get(genai.UsageInputTokens); ok {
			t.Error("usage recorded from a garbage body")
		}
	})
	t.Run("truncated stream", func(t *testing.T) {
		p := startProxy(t, mock, nil)
		h := map[string]string{"X-Mock-Truncate": "1"}
		direct := do(t, "POST", mock.URL+"/v1/chat/completions", streamBody, h)
		proxied := do(t, "POST", p.URL+"/v1/chat/completions", streamBody, h)
		if direct.Err == nil || proxied.Err == nil {
			t.Errorf("a cut stream must end in an error for the client: direct %v, proxied %v", direct.Err, proxied.Err)
		}
		if string(direct.Body) != string(proxied.Body) {
			t.Errorf("client got different bytes before the cut:\n direct  %q\n proxied %q", direct.Body, proxied.Body)
		}
		span := p.onlySpan(t)
		assertAttrs(t, span, map[string]any{genai.ErrorType: "upstream_read_error", genai.RequestStream: true})
	})
}

// TestClientDisconnectCancelsUpstream: when the client goes away mid-stream the upstream
// request is cancelled and the span says so.
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, nil)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", p.URL+"/v1/chat/completions", strings.NewReader(streamBody))
	req.Header.Set("X-Mock-Chunk-Delay", "300ms")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: ") {
		t.Fatalf("first chunk: %q %v", line, err)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-mock.Disconnects:
	case <-time.After(3 * time.Second):
		t.Fatal("the upstream request was not cancelled")
	}
	span := p.onlySpan(t)
	assertAttrs(t, span, map[string]any{genai.ErrorType: "cancelled"})
	if _, ok := span.Attributes().Get(genai.ResponseTimeToFirstChunk); !ok {
		t.Error("time to first chunk missing on a cancelled stream")
	}
}

// TestStreamsPassChunkByChunk: the client gets each chunk when the upstream sends it,
// not when the stream ends.
func TestStreamsPassChunkByChunk(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, nil)
	req, _ := http.NewRequest("POST", p.URL+"/v1/chat/completions", strings.NewReader(streamBody))
	req.Header.Set("X-Mock-Chunk-Delay", "500ms")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	// The mock sends the first chunk at once and waits 500 ms before each of the others:
	// a buffered stream would take 2.5 s, and a loaded machine has over a second of margin.
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("first chunk arrived after %s: the stream was buffered", d)
	}
}

// TestKeyIsNeverRecorded: the client's key reaches the upstream and nothing else: not
// spans, not logs, not the error answers we write.
func TestKeyIsNeverRecorded(t *testing.T) {
	mock := startMock(t)
	cases := []struct {
		upstream string
		header   map[string]string
	}{
		{mock.URL, nil},
		{mock.URL, map[string]string{"X-Mock-Status": "401"}},
		{mock.URL, map[string]string{"X-Mock-Truncate": "1"}},
		{"http://127.0.0.1:1", nil},
	}
	for _, c := range cases {
		p := startProxy(t, mock, func(cfg *Config) { cfg.Upstreams["openai"] = upstreamAt(c.upstream, "") })
		for _, body := range []string{chatBody, streamBody} {
			for _, keyHeader := range []string{"Authorization", "Api-Key", "X-Api-Key"} {
				h := map[string]string{keyHeader: "Bearer " + testKey}
				for k, v := range c.header {
					h[k] = v
				}
				got := do(t, "POST", p.URL+"/v1/chat/completions", body, h)
				if c.upstream == mock.URL && mock.Last().Header.Get(keyHeader) != "Bearer "+testKey {
					t.Errorf("%s was not forwarded", keyHeader)
				}
				if got.Status >= 500 && strings.Contains(string(got.Body), testKey) {
					t.Errorf("our error answer contains the key: %s", got.Body)
				}
			}
		}
		for _, s := range p.waitSpans(t, 6) {
			raw, _ := json.Marshal(s.Attributes().AsRaw())
			if strings.Contains(string(raw), testKey[8:]) || strings.Contains(s.Status().Message(), testKey[8:]) {
				t.Errorf("span records the key: %s", raw)
			}
		}
		for _, e := range p.Logs.All() {
			raw, _ := json.Marshal(e.ContextMap())
			if strings.Contains(e.Message+string(raw), testKey[8:]) {
				t.Errorf("log records the key: %s %s", e.Message, raw)
			}
		}
	}
}

// TestRequestHeadersLabelTheCall: traceparent parents the span; x-llm-* headers give
// session, user and metadata and are not forwarded.
func TestRequestHeadersLabelTheCall(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, nil)
	do(t, "POST", p.URL+"/v1/chat/completions", `{"model":"gpt-4o-mini","user":"body-user","messages":[]}`, map[string]string{
		"Traceparent":           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"Tracestate":            "vendor=x",
		"X-Llm-Session-Id":      "session-42",
		"X-Llm-User-Id":         "alice",
		"X-Llm-Metadata-Team":   "search",
		"X-Llm-Metadata-Env":    "prod",
		"X-Unrelated-Header":    "kept",
		"Openai-Organization":   "org-1",
		"X-Stainless-Lang":      "go",
		"X-Llm-Something-Other": "dropped",
	})
	span := p.onlySpan(t)
	if got := span.TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id %s", got)
	}
	if got := span.ParentSpanID().String(); got != "00f067aa0ba902b7" {
		t.Errorf("parent span id %s", got)
	}
	if span.TraceState().AsRaw() != "vendor=x" {
		t.Errorf("tracestate %q", span.TraceState().AsRaw())
	}
	assertAttrs(t, span, map[string]any{
		genai.ConversationID: "session-42", genai.UserID: "alice",
		genai.MetadataPrefix + "team": "search", genai.MetadataPrefix + "env": "prod",
	})
	fwd := mock.Last().Header
	for k := range fwd {
		if strings.HasPrefix(k, genai.HeaderPrefix) {
			t.Errorf("proxy header %s was forwarded", k)
		}
	}
	for _, k := range []string{"X-Unrelated-Header", "Openai-Organization", "X-Stainless-Lang", "Traceparent"} {
		if fwd.Get(k) == "" {
			t.Errorf("header %s was not forwarded", k)
		}
	}

	// Without the header, OpenAI's user field names the user; without traceparent the
	// span starts a trace.
	do(t, "POST", p.URL+"/v1/chat/completions", `{"model":"gpt-4o-mini","user":"body-user","messages":[]}`, nil)
	second := p.waitSpans(t, 2)[1]
	assertAttrs(t, second, map[string]any{genai.UserID: "body-user"})
	if !second.ParentSpanID().IsEmpty() || second.TraceID().IsEmpty() {
		t.Errorf("span without traceparent: trace %s parent %s", second.TraceID(), second.ParentSpanID())
	}
}

// TestOtherPathsPassThrough: endpoints we do not capture are proxied untouched and make
// no span; a /<upstream>/ prefix selects the upstream.
func TestOtherPathsPassThrough(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, func(c *Config) { c.Upstreams["openai"] = upstreamAt("http://127.0.0.1:1", "") })
	// /anthropic/ prefix routes to the anthropic upstream (the mock); the default would fail.
	direct := do(t, "GET", mock.URL+"/v1/models", "", nil)
	proxied := do(t, "GET", p.URL+"/anthropic/v1/models", "", nil)
	assertSameExchange(t, direct, proxied)
	if mock.Last().Path != "/v1/models" {
		t.Errorf("upstream path %q, want the prefix removed", mock.Last().Path)
	}
	unknown := do(t, "POST", p.URL+"/anthropic/v1/no/such/thing?x=1", "{}", nil)
	assertSameExchange(t, do(t, "POST", mock.URL+"/v1/no/such/thing?x=1", "{}", nil), unknown)
	if mock.Last().RawQuery != "x=1" {
		t.Errorf("query %q not forwarded", mock.Last().RawQuery)
	}
	time.Sleep(100 * time.Millisecond)
	if n := p.Sink.SpanCount(); n != 0 {
		t.Errorf("%d spans for uncaptured endpoints", n)
	}
	// A captured endpoint behind the prefix is captured.
	do(t, "POST", p.URL+"/anthropic/v1/chat/completions", chatBody, nil)
	assertAttrs(t, p.onlySpan(t), map[string]any{genai.ProxyUpstream: "anthropic", genai.ProviderName: "anthropic"})
}

// TestShutdownLetsStreamsFinish: a stream in flight when the collector stops completes
// within shutdown_timeout, and its span is emitted.
func TestShutdownLetsStreamsFinish(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, nil)
	req, _ := http.NewRequest("POST", p.URL+"/v1/chat/completions", strings.NewReader(streamBody))
	req.Header.Set("X-Mock-Chunk-Delay", "100ms")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(resp.Body)
		done <- b
	}()
	time.Sleep(150 * time.Millisecond)
	if err := p.rcv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	body := <-done
	if !strings.HasSuffix(string(body), "data: [DONE]\n\n") {
		t.Errorf("stream cut by shutdown: %q", body)
	}
	if p.Sink.SpanCount() != 1 {
		t.Errorf("%d spans after shutdown, want 1", p.Sink.SpanCount())
	}
}

func TestShutdownDeadlineCutsStreams(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, func(c *Config) { c.ShutdownTimeout = 100 * time.Millisecond })
	req, _ := http.NewRequest("POST", p.URL+"/v1/chat/completions", strings.NewReader(streamBody))
	req.Header.Set("X-Mock-Chunk-Delay", "1s")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	_ = p.rcv.Shutdown(context.Background())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown took %s with a 100ms shutdown_timeout", d)
	}
}

// TestUpstreamTLSSettings: the upstream's client settings are confighttp's; here a
// private CA is trusted through tls::ca_file, and without it the upstream is refused.
func TestUpstreamTLSSettings(t *testing.T) {
	mock := startMock(t)
	tlsUpstream := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(mustParseURL(t, mock.URL)))
	defer tlsUpstream.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsUpstream.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	trusted := startProxy(t, mock, func(c *Config) {
		up := upstreamAt(tlsUpstream.URL, "")
		up.TLS.CAFile = caFile
		c.Upstreams["openai"] = up
	})
	got := do(t, "POST", trusted.URL+"/v1/chat/completions", chatBody, nil)
	if got.Status != http.StatusOK {
		t.Fatalf("through a trusted TLS upstream: status %d %s", got.Status, got.Body)
	}
	assertAttrs(t, trusted.onlySpan(t), map[string]any{genai.ResponseModel: mockllm.ChatModel})

	untrusted := startProxy(t, mock, func(c *Config) { c.Upstreams["openai"] = upstreamAt(tlsUpstream.URL, "") })
	got = do(t, "POST", untrusted.URL+"/v1/chat/completions", chatBody, nil)
	assertErrorAnswer(t, got, http.StatusBadGateway, "upstream_unreachable", "certificate")
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestParseErrorsAreCounted: bodies the proxy could not read are forwarded and counted in
// the receiver's own telemetry, per part.
func TestParseErrorsAreCounted(t *testing.T) {
	mock := startMock(t)
	tel := componenttest.NewTelemetry()
	defer func() { _ = tel.Shutdown(context.Background()) }()
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	p := startProxyWith(t, mock, nil, set)

	do(t, "POST", p.URL+"/v1/chat/completions", `{"model": [`, nil)
	do(t, "POST", p.URL+"/v1/chat/completions", chatBody, map[string]string{"X-Mock-Garbage": "1"})
	do(t, "POST", p.URL+"/v1/chat/completions", chatBody, nil)
	p.waitSpans(t, 3)

	m, err := tel.GetMetric("otelcol_llmproxy_parse_errors")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		part, _ := dp.Attributes.Value("part")
		got[part.AsString()] += dp.Value
	}
	if got["request"] != 1 || got["response"] != 1 {
		t.Errorf("parse errors %v, want one request and one response", got)
	}
}

// TestNoCompressionAdded: a client that does not ask for compression gets none. The
// proxy's transport would otherwise ask the upstream for gzip on its own and unzip the
// answer, which costs CPU on every call and re-frames the response.
func TestNoCompressionAdded(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, nil)
	// A raw HTTP/1.1 client: Go's http.Client would add Accept-Encoding itself.
	c, err := loadgen.NewClient(loadgen.Target{Name: "raw", URL: p.URL + "/v1/chat/completions"}, []byte(chatBody))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.Do(); err != nil {
		t.Fatal(err)
	}
	if ae, ok := mock.Last().Header["Accept-Encoding"]; ok {
		t.Errorf("upstream was sent Accept-Encoding %q the client did not send", ae)
	}
	p.onlySpan(t)
}

// TestCompressedRequestBody: a compressed request body reaches the provider as the
// client encoded it, and the span is still read from it.
func TestCompressedRequestBody(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, nil)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = io.WriteString(zw, chatBody)
	_ = zw.Close()
	got := do(t, "POST", p.URL+"/v1/chat/completions", zipped.String(), map[string]string{"Content-Encoding": "gzip"})
	if got.Status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", got.Status, got.Body)
	}
	last := mock.Last()
	if !bytes.Equal(last.Body, zipped.Bytes()) || last.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("upstream got %q with Content-Encoding %q, want the client's gzip bytes", last.Body, last.Header.Get("Content-Encoding"))
	}
	assertAttrs(t, p.onlySpan(t), map[string]any{genai.RequestModel: "gpt-4o-mini", genai.ResponseModel: mockllm.ChatModel})
}

// TestServerSettingsThatNeedConfighttp: response_headers (like auth, cors and
// middlewares) are served by confighttp's stack, which the proxy otherwise skips.
func TestServerSettingsThatNeedConfighttp(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, func(c *Config) {
		c.ResponseHeaders = configopaque.MapList{{Name: "X-Served-By", Value: "llmproxy"}}
	})
	got := do(t, "POST", p.URL+"/v1/chat/completions", chatBody, nil)
	if got.Status != http.StatusOK || got.Header.Get("X-Served-By") != "llmproxy" {
		t.Errorf("HTTP %d, X-Served-By %q: response_headers not applied", got.Status, got.Header.Get("X-Served-By"))
	}
	p.onlySpan(t)
}
