package proxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
)

// record is what the proxy observed of one GenAI call. The request goroutine writes it;
// once the handler returns it is handed to the span builder and no longer shared.
type record struct {
	api      llmapi.API
	upstream *Upstream
	// path is the upstream request path; Azure names the model (deployment) there.
	path string

	start, headersAt, firstChunkAt, end time.Time

	// From request headers, copied because the request may not be read after the
	// handler returns.
	traceparent, tracestate string
	sessionID, userID       string
	serviceName             string
	metadata                []string // key, value, key, value...

	reqBody []byte

	status          int
	contentEncoding string
	streaming       bool
	// complete is set when the whole response body reached us (EOF).
	complete bool
	// respBody holds the (bounded) response body of a non-streamed response.
	respBody  *bytes.Buffer
	truncated bool
	stream    llmapi.Stream
	// streamPending is set when a stream ended inside an event.
	streamPending bool
	droppedEvents int

	errType, errMessage string
	headerTimer         *time.Timer
}

func newRecord(api llmapi.API, up *Upstream, r *http.Request) *record {
	rec := &record{api: api, upstream: up, path: r.URL.Path, start: time.Now()}
	h := r.Header
	rec.traceparent = h.Get("Traceparent")
	rec.tracestate = h.Get("Tracestate")
	rec.sessionID = h.Get(genai.HeaderSessionID)
	rec.userID = h.Get(genai.HeaderUserID)
	rec.serviceName = h.Get(genai.HeaderServiceName)
	for k, v := range h {
		if len(v) > 0 && len(k) > len(genai.HeaderMetadataPrefix) && strings.HasPrefix(k, genai.HeaderMetadataPrefix) {
			rec.metadata = append(rec.metadata, strings.ToLower(k[len(genai.HeaderMetadataPrefix):]), v[0])
		}
	}
	return rec
}

// fail records a failure of the call. status 0 means no HTTP status reached the client
// from us or the upstream.
func (rec *record) fail(status int, errType, message string) {
	if status != 0 {
		rec.status = status
	}
	rec.errType, rec.errMessage = errType, message
}

func jsonQuote(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// deployment returns the Azure OpenAI deployment named in a path such as
// /openai/deployments/{name}/chat/completions, or "".
func deployment(path string) string {
	_, rest, ok := strings.Cut(path, "/deployments/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}
