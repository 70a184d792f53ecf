package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
)

// longStream is an OpenAI chat stream of n deltas, and the text they make.
func longStream(n int) (stream, text string) {
	var b, want strings.Builder
	for i := range n {
		t := "token" + strings.Repeat("x", i%7) + " "
		want.WriteString(t)
		b.WriteString(`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"` + t + `"},"finish_reason":null}]}` + "\n\n")
	}
	b.WriteString(`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n")
	b.WriteString(`data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":` + strconv.Itoa(n) + `}}` + "\n\ndata: [DONE]\n\n")
	return b.String(), want.String()
}

// TestLongStream: a stream longer than what is kept unparsed is parsed while it goes
// on, in pieces cut anywhere (inside events and lines), and the span still has all of
// it: every delta of the completion, the usage from the last chunk.
func TestLongStream(t *testing.T) {
	const deltas = 3000
	stream, text := longStream(deltas)
	if len(stream) < 2*streamSpill {
		t.Fatalf("stream of %d bytes does not exercise parsing on the way (> %d)", len(stream), streamSpill)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		b := stream
		for piece := 1; len(b) > 0; piece = piece%4093 + 977 {
			n := min(piece, len(b))
			_, _ = io.WriteString(w, b[:n])
			w.(http.Flusher).Flush()
			b = b[n:]
		}
	}))
	defer upstream.Close()
	hs := newHarness(t, upstream.URL, true)
	resp, err := http.Post(hs.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"count"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	attrs := hs.span(t).Attributes().AsRaw()
	if attrs[genai.UsageOutputTokens] != int64(deltas) || attrs[genai.ErrorType] != nil {
		t.Errorf("usage or outcome lost: %v", attrs)
	}
	out, _ := attrs[genai.OutputMessages].(string)
	if !strings.Contains(out, `"content":"`+text+`"`) {
		t.Errorf("completion text incomplete: %d bytes of output messages, want the %d-byte text whole", len(out), len(text))
	}
}

// TestLongStreamMemory: what a stream keeps unparsed stays bounded however long it is.
func TestLongStreamMemory(t *testing.T) {
	stream, _ := longStream(5000)
	rec := &record{api: llmapi.ChatCompletions, streaming: true}
	o := newObserver(io.NopCloser(strings.NewReader(stream)), rec, true, 1<<20)
	buf := make([]byte, 4096)
	for {
		_, err := o.Read(buf)
		if kept := rec.respBody.Len(); kept > streamSpill+len(buf) {
			t.Fatalf("%d bytes kept unparsed, want at most %d", kept, streamSpill+len(buf))
		}
		if err != nil {
			break
		}
	}
	if rec.events == nil {
		t.Error("the stream was not parsed on the way")
	}
}
