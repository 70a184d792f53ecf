package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// TestServiceName: a proxied call is attributed to the application that names itself in
// X-Llm-Service-Name, else to the configured default, so that dashboards and metrics group
// calls by service as they do for instrumented apps. The header is for the proxy only and
// never reaches the provider.
func TestServiceName(t *testing.T) {
	const body = `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}`
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(genai.HeaderServiceName); v != "" {
			t.Errorf("%s forwarded to the provider: %q", genai.HeaderServiceName, v)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	defer upstream.Close()

	for _, tc := range []struct{ header, want string }{{"", "llmproxy"}, {"checkout-api", "checkout-api"}} {
		hs := newHarness(t, upstream.URL, false)
		hs.h.opts.ServiceName = "llmproxy"
		req, _ := http.NewRequest("POST", hs.URL+"/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o-mini","messages":[]}`))
		if tc.header != "" {
			req.Header.Set(genai.HeaderServiceName, tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		hs.span(t)
		res := hs.Sink.AllTraces()[0].ResourceSpans().At(0).Resource().Attributes()
		if got := genai.Str(res, genai.ServiceName); got != tc.want {
			t.Errorf("header %q: service.name = %q, want %q", tc.header, got, tc.want)
		}
	}
}
