package proxy

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
)

// BenchmarkEmit is the work done for each call after its response has been relayed:
// parsing the kept request and response bodies, building the span and handing it on.
// It runs on the span builders, off the client's path, but competes for the CPU.
//
//	go test -run '^$' -bench Emit -count 6 ./receiver/llmproxyreceiver/internal/proxy/
func BenchmarkEmit(b *testing.B) {
	mock := startMock(b)
	for _, tc := range []struct {
		name      string
		api       llmapi.API
		path      string
		request   string
		streaming bool
	}{
		{"chat", llmapi.ChatCompletions, "/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello"}],"temperature":0.2}`, false},
		{"chat-stream", llmapi.ChatCompletions, "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello"}]}`, true},
		{"messages-stream", llmapi.Messages, "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}`, true},
	} {
		resp, err := http.Post(mock.URL+tc.path, "application/json", strings.NewReader(tc.request))
		if err != nil {
			b.Fatal(err)
		}
		response, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h := New(Options{Next: consumertest.NewNop(), MaxCaptureSize: 1 << 20, CaptureContent: true, Scope: "bench"})
		up := &Upstream{Name: "openai", Provider: genai.ProviderOpenAI, host: "api.openai.com", port: 443}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			batch := make([]*record, 1)
			cpu := cputime.Process()
			for b.Loop() {
				start := time.Now()
				rec := &record{api: tc.api, upstream: up, path: tc.path, start: start, headersAt: start, firstChunkAt: start, end: start,
					status: 200, streaming: tc.streaming, complete: true}
				rec.reqBody = []byte(tc.request)
				rec.respBody = getBuffer()
				rec.respBody.Write(response)
				batch[0] = rec
				h.emit(batch, func() {})
			}
			// CPU time grows less than wall time with the machine's other load.
			b.ReportMetric(float64((cputime.Process()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
		if !bytes.Contains(response, []byte("mock")) {
			b.Fatalf("unexpected mock answer %s", response)
		}
	}
}
