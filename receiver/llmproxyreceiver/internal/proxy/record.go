package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/sse"
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
	// reqEncoding is the request body's Content-Encoding: it is forwarded as it came.
	reqEncoding string

	status          int
	contentEncoding string
	streaming       bool
	// complete is set when the whole response body reached us (EOF).
	complete bool
	// readErr is the error reading the upstream's response body ended with.
	readErr error
	// clientGone is set when the client had gone away by the end of the handler.
	clientGone bool
	// respBody holds the response body as it came (bounded), or the part of a stream
	// not parsed yet.
	respBody  *bytes.Buffer
	truncated bool
	// stream parses a stream's events; it is created when the first part of a long
	// stream is parsed, or when the call is described.
	stream llmapi.Stream
	events *sse.Parser
	// streamPending is set when a stream ended inside an event.
	streamPending bool

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
	rec.reqEncoding = h.Get("Content-Encoding")
	for k, v := range h {
		if len(v) > 0 && len(k) > len(genai.HeaderMetadataPrefix) && strings.HasPrefix(k, genai.HeaderMetadataPrefix) {
			rec.metadata = append(rec.metadata, strings.ToLower(k[len(genai.HeaderMetadataPrefix):]), v[0])
		}
	}
	return rec
}

// resolve decides, once the whole response has been parsed, whether the call ended
// early and why.
func (rec *record) resolve() {
	if rec.stream != nil && rec.stream.Ended() {
		// The client had everything, even if it or the upstream hung up before the
		// upstream's last bytes.
		rec.complete = true
	}
	if rec.complete || rec.errType != "" {
		return
	}
	switch {
	case rec.readErr != nil && !errors.Is(rec.readErr, context.Canceled):
		rec.fail(0, "upstream_read_error", "upstream response ended early: "+rec.readErr.Error())
	case rec.readErr != nil, rec.clientGone, !rec.headersAt.IsZero():
		// A response that started but did not reach its end without a read error was
		// cut by a failed write to the client: it went away.
		rec.fail(0, "cancelled", "client disconnected before the response was complete")
	}
}

// release returns the record's response buffer to its pool.
func (rec *record) release() {
	putBuffer(rec.respBody)
	rec.respBody = nil
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
