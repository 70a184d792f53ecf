package upstream

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/mockllm"
)

// BenchmarkTransport compares one sequential call to the mock LLM upstream through this
// client and through http.Transport, configured as the receiver configures it. The
// mock serves in the same process, so both figures include its share.
//
//	go test -run '^$' -bench Transport -benchtime 5000x -count 6 ./receiver/llmproxyreceiver/internal/upstream/
func BenchmarkTransport(b *testing.B) {
	mock, err := mockllm.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer mock.Close()
	std := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 100}
	defer std.CloseIdleConnections()
	sync := New(Options{Fallback: std, MaxIdleConnsPerHost: 100})
	defer sync.CloseIdleConnections()
	for _, tr := range []struct {
		name string
		rt   http.RoundTripper
	}{{"synchronous", sync}, {"http.Transport", std}} {
		for _, stream := range []bool{false, true} {
			name := tr.name + "/chat"
			if stream {
				name += "-stream"
			}
			body := []byte(chatRequest(stream))
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					req, _ := http.NewRequest("POST", mock.URL+"/v1/chat/completions", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer sk-bench")
					resp, err := tr.rt.RoundTrip(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			})
		}
	}
}
