package llmproxyreceiver

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/upstream"
)

// TestNeedsStandardTransport: the synchronous client serves an upstream only when it
// implements every client setting the upstream has (settings as users write them).
func TestNeedsStandardTransport(t *testing.T) {
	for _, tc := range []struct {
		name     string
		endpoint string
		settings map[string]any
		want     string
	}{
		{"defaults", "http://vllm:8000", nil, ""},
		{"tls, buffers, keepalive, timeout", "https://api.example.com", map[string]any{
			"tls":               map[string]any{"insecure_skip_verify": true},
			"read_buffer_size":  8192,
			"write_buffer_size": 8192,
			"keepalive":         map[string]any{"max_idle_conns_per_host": 10, "idle_conn_timeout": "1m"},
			"timeout":           "1m",
		}, ""},
		{"force_attempt_http2 without TLS", "http://vllm:8000", map[string]any{"force_attempt_http2": true}, ""},
		{"force_attempt_http2 with TLS", "https://api.openai.com", map[string]any{"force_attempt_http2": true}, "force_attempt_http2 (HTTP/2)"},
		{"http2_read_idle_timeout", "https://api.openai.com", map[string]any{"http2_read_idle_timeout": "1s"}, "force_attempt_http2 (HTTP/2)"},
		{"proxy_url", "https://api.openai.com", map[string]any{"proxy_url": "http://proxy:3128"}, "proxy_url"},
		{"auth", "https://api.openai.com", map[string]any{"auth": map[string]any{"authenticator": "oauth2client"}}, "auth"},
		{"middlewares", "https://api.openai.com", map[string]any{"middlewares": []any{map[string]any{"id": "limiter"}}}, "middlewares"},
		{"headers", "https://api.openai.com", map[string]any{"headers": map[string]any{"api-key": "secret"}}, "headers"},
		{"compression", "https://api.openai.com", map[string]any{"compression": "gzip"}, "compression"},
		{"cookies", "https://api.openai.com", map[string]any{"cookies": map[string]any{}}, "cookies"},
		{"max_conns_per_host", "https://api.openai.com", map[string]any{"max_conns_per_host": 8}, "max_conns_per_host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c confighttp.ClientConfig
			if err := confmap.NewFromStringMap(tc.settings).Unmarshal(&c); err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(tc.endpoint)
			if got := needsStandardTransport(&c, u); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestUpstreamTransports: configured upstreams get the synchronous client; one with a
// setting it does not implement (here proxy_url and headers) keeps confighttp's, and
// the setting takes effect.
func TestUpstreamTransports(t *testing.T) {
	mock := startMock(t)
	p := startProxy(t, mock, nil)
	for _, tr := range p.rcv.transports {
		if _, ok := tr.(*upstream.Transport); !ok {
			t.Errorf("transport %T, want the synchronous client", tr)
		}
	}
	if got := do(t, "POST", p.URL+"/v1/chat/completions", chatBody, nil); got.Status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", got.Status, got.Body)
	}
	p.onlySpan(t)

	// A forward proxy that counts what goes through it.
	var proxied atomic.Int32
	forward := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		proxied.Add(1)
		pr.Out.URL = pr.In.URL // an absolute URL: the request's own target
	}})
	defer forward.Close()
	viaProxy := startProxy(t, mock, func(c *Config) {
		up := upstreamAt(mock.URL, "")
		up.ProxyURL = forward.URL
		up.Headers = configopaque.MapList{{Name: "X-Added", Value: "by-config"}}
		c.Upstreams = map[string]UpstreamConfig{"openai": up}
	})
	if _, ok := viaProxy.rcv.transports[0].(*upstream.Transport); ok {
		t.Fatal("an upstream with proxy_url got the synchronous client")
	}
	if got := do(t, "POST", viaProxy.URL+"/v1/chat/completions", chatBody, nil); got.Status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", got.Status, got.Body)
	}
	if n := proxied.Load(); n != 1 {
		t.Errorf("%d requests went through proxy_url, want 1", n)
	}
	if h := mock.Last().Header.Get("X-Added"); h != "by-config" {
		t.Errorf("configured header X-Added = %q", h)
	}
}
