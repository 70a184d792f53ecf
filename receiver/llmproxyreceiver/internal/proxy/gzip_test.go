package proxy

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// TestCompressedResponse: SDKs that accept gzip (Python's httpx does by default) get the
// provider's compressed bytes unchanged, and the span is still read from them.
func TestCompressedResponse(t *testing.T) {
	const body = `{"id":"chatcmpl-gz","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"zipped"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}`
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(body))
	_ = zw.Close()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding %q not forwarded", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(zipped.Bytes())
	}))
	defer upstream.Close()

	hs := newHarness(t, upstream.URL, true)
	req, _ := http.NewRequest("POST", hs.URL+"/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o-mini","messages":[]}`))
	req.Header.Set("Accept-Encoding", "gzip") // set by hand, so Go's client does not decompress
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, zipped.Bytes()) || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("client did not get the compressed bytes unchanged")
	}
	span := hs.span(t)
	if v, _ := span.Attributes().Get(genai.UsageInputTokens); v.Int() != 3 {
		t.Errorf("usage not read from the compressed body: %v", span.Attributes().AsRaw())
	}
	if genai.Str(span.Attributes(), genai.ResponseID) != "chatcmpl-gz" {
		t.Errorf("response id not read from the compressed body")
	}
}

// TestCompressedStream: a gzip-compressed event stream still reaches the client as sent,
// and is read for the span once it has ended.
func TestCompressedStream(t *testing.T) {
	events := "data: {\"id\":\"chatcmpl-gz\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n" +
		"data: {\"id\":\"chatcmpl-gz\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n"
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write([]byte(events))
	_ = zw.Close()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(zipped.Bytes())
	}))
	defer upstream.Close()

	hs := newHarness(t, upstream.URL, true)
	req, _ := http.NewRequest("POST", hs.URL+"/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o-mini","stream":true,"messages":[]}`))
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, zipped.Bytes()) {
		t.Errorf("client did not get the compressed stream unchanged")
	}
	a := hs.span(t).Attributes()
	if n, _ := genai.Int(a, genai.UsageOutputTokens); n != 1 || genai.Str(a, genai.OutputMessages) == "" {
		t.Errorf("compressed stream not read: %v", a.AsRaw())
	}
}
