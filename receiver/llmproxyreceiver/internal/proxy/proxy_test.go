package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/mockllm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

type harness struct {
	URL  string
	Sink *consumertest.TracesSink
	h    *Handler
}

func newHarness(t testing.TB, upstreamURL string, capture bool) *harness {
	t.Helper()
	u, err := url.Parse(upstreamURL)
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 100
	openai := &Upstream{Name: "openai", Provider: genai.ProviderOpenAI, URL: u, Transport: tr, HeaderTimeout: 10 * time.Second}
	anthropic := &Upstream{Name: "anthropic", Provider: genai.ProviderAnthropic, URL: u, Transport: tr, HeaderTimeout: 10 * time.Second}
	sink := new(consumertest.TracesSink)
	h := New(Options{
		Upstreams: []*Upstream{anthropic, openai}, Default: openai,
		CaptureContent: capture, MaxCaptureSize: 1 << 20, Next: sink, Scope: "test",
	})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := h.Wait(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &harness{URL: srv.URL, Sink: sink, h: h}
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

func (hs *harness) span(t *testing.T) ptrace.Span {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for hs.Sink.SpanCount() < 1 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	all := hs.Sink.AllTraces()
	if len(all) != 1 || all[0].SpanCount() != 1 {
		t.Fatalf("want exactly one span, got %d batches", len(all))
	}
	return all[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

// TestSpanGolden sends representative requests of every captured API through the proxy
// to the mock and compares the resulting span with testdata/golden/<case>.json.
// Durations vary between runs and are recorded as "<duration>".
func TestSpanGolden(t *testing.T) {
	mock := startMock(t)
	tests := []struct {
		name, path, body string
		header           map[string]string
		noCapture        bool
	}{
		{name: "chat_parameters", path: "/v1/chat/completions", body: `{"model":"gpt-4o-mini","messages":[{"role":"developer","content":"Answer in JSON."},{"role":"user","content":"Weather?"}],` +
			`"temperature":0.5,"top_p":0.9,"max_completion_tokens":100,"seed":7,"n":2,"stop":"END","presence_penalty":0.1,"frequency_penalty":0.2,` +
			`"response_format":{"type":"json_object"},"service_tier":"auto"}`},
		{name: "chat_history_multimodal", path: "/v1/chat/completions", body: `{"model":"gpt-4o","messages":[` +
			`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]},` +
			`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cat\"}"}}]},` +
			`{"role":"tool","tool_call_id":"call_1","content":"a cat"}]}`},
		{name: "chat_stream_tools", path: "/v1/chat/completions", body: `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},` +
			`"messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}`},
		{name: "chat_stream_no_usage", path: "/v1/chat/completions", body: `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hi"}]}`},
		{name: "chat_capture_off", path: "/v1/chat/completions", body: `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"secret plans"}]}`, noCapture: true},
		{name: "responses_items", path: "/v1/responses", body: `{"model":"gpt-4.1-mini","instructions":"Be brief.","max_output_tokens":50,"text":{"format":{"type":"json_schema"}},"input":[` +
			`{"role":"user","content":[{"type":"input_text","text":"Weather?"}]},{"type":"function_call","call_id":"fc_1","name":"get_weather","arguments":"{}"},` +
			`{"type":"function_call_output","call_id":"fc_1","output":"sunny"}]}`},
		{name: "responses_stream", path: "/v1/responses", body: `{"model":"gpt-4.1-mini","stream":true,"input":"Hi"}`},
		{name: "embeddings_base64", path: "/v1/embeddings", body: `{"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"base64","user":"u-1"}`},
		{name: "completions_stream", path: "/v1/completions", body: `{"model":"gpt-3.5-turbo-instruct","prompt":"Once upon","stream":true,"stream_options":{"include_usage":true},"max_tokens":4}`},
		{name: "azure_deployment_path", path: "/openai/deployments/prod-gpt4o/chat/completions", body: `{"messages":[{"role":"user","content":"Hi"}]}`},
		{name: "messages_stream", path: "/v1/messages", header: map[string]string{"Anthropic-Version": "2023-06-01"},
			body: `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}],"metadata":{"user_id":"u-42"}}`},
		{name: "messages_tool_history", path: "/v1/messages", header: map[string]string{"Anthropic-Version": "2023-06-01"},
			body: `{"model":"claude-sonnet-4-5","max_tokens":64,"temperature":0.3,"stop_sequences":["###"],"messages":[{"role":"user","content":"Weather?"},` +
				`{"role":"assistant","content":[{"type":"thinking","thinking":"Need a tool."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},` +
				`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}],` +
				`"tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}}]}`},
		{name: "messages_rate_limited", path: "/v1/messages", header: map[string]string{"Anthropic-Version": "2023-06-01", "X-Mock-Status": "429"},
			body: `{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t, mock.URL, !tc.noCapture)
			req, _ := http.NewRequest("POST", hs.URL+tc.path, strings.NewReader(tc.body))
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			got := describeSpan(hs.span(t))
			path := filepath.Join("testdata", "golden", tc.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("span differs from %s:\n got %s", path, got)
			}
		})
	}
}

// describeSpan renders the parts of a span a golden file pins, with message JSON
// indented for review and durations masked.
func describeSpan(s ptrace.Span) []byte {
	attrs := s.Attributes().AsRaw()
	for _, k := range []string{genai.ResponseTimeToFirstChunk, genai.TimePerOutputToken} {
		if _, ok := attrs[k]; ok {
			attrs[k] = "<duration>"
		}
	}
	if _, ok := attrs[genai.ServerPort]; ok {
		attrs[genai.ServerPort] = "<port>"
	}
	for _, k := range []string{genai.InputMessages, genai.OutputMessages, genai.SystemInstructions, genai.ToolDefinitions} {
		if v, ok := attrs[k].(string); ok {
			attrs[k] = json.RawMessage(v)
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]any{
		"name":       s.Name(),
		"kind":       s.Kind().String(),
		"status":     strings.TrimSpace(s.Status().Code().String() + " " + s.Status().Message()),
		"attributes": attrs,
	})
	return out.Bytes()
}

// FuzzObserverPassThrough checks the tee on the response path: whatever the upstream
// sends, in whatever pieces, the reader returns exactly those bytes, and describing the
// call afterwards never panics.
func FuzzObserverPassThrough(f *testing.F) {
	// Seed corpus: testdata/fuzz/FuzzObserverPassThrough.
	f.Fuzz(func(t *testing.T, body []byte, piece uint8, apiByte uint8, streaming bool) {
		api := llmapi.API(apiByte%5) + 1
		rec := &record{api: api, upstream: &Upstream{Name: "u", Provider: "openai"}, start: time.Now(), streaming: streaming}
		rec.reqBody = body
		src := &piecewiseReader{data: body, piece: int(piece%64) + 1}
		o := newObserver(io.NopCloser(src), rec, true, 512)
		var out bytes.Buffer
		buf := make([]byte, 100)
		for {
			n, err := o.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				break
			}
		}
		_ = o.Close()
		if !bytes.Equal(out.Bytes(), body) {
			t.Fatalf("pass-through changed the bytes: got %q, want %q", out.Bytes(), body)
		}
		rec.end = time.Now()
		h := New(Options{Next: consumertest.NewNop(), MaxCaptureSize: 512, CaptureContent: true})
		call := h.describe(rec)
		rec.resolve()
		fillSpan(ptrace.NewSpan(), rec, &call)
		rec.release()
	})
}

type piecewiseReader struct {
	data  []byte
	piece int
}

func (r *piecewiseReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.piece, len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}
