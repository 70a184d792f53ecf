// Package proxy is the HTTP side of the llmproxy receiver: it routes each request to an
// upstream, forwards it unchanged (streams chunk by chunk), observes the exchange at
// low cost, and afterwards hands a record of each GenAI call to be turned into a span.
//
// The client's bytes come first. On the request's path the proxy only copies: the
// request body is read whole (it is small, and a body held in memory goes upstream in
// the same write as the headers), the response is teed into a pooled buffer as it
// passes, and it is flushed to the client as soon as the upstream's last byte has been
// relayed. Parsing both bodies, building the span and handing it to the pipeline happen
// afterwards on a small pool of workers behind a bounded queue; when the pipeline falls
// that far behind, spans are dropped and counted rather than the client kept waiting.
package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
)

// Upstream is one provider endpoint requests can be sent to.
type Upstream struct {
	// Name is the configured name; requests whose path starts with /Name/ go here.
	Name string
	// Provider is the gen_ai.provider.name of calls sent here.
	Provider string
	// URL is the base URL the request path is appended to.
	URL *url.URL
	// Transport sends the requests; it carries TLS, proxy and connection settings.
	Transport http.RoundTripper
	// HeaderTimeout bounds the wait for the upstream's response headers; 0 is none.
	HeaderTimeout time.Duration

	proxy *httputil.ReverseProxy
	host  string
	port  int64
}

// Options configure a Handler.
type Options struct {
	Upstreams []*Upstream
	// Default receives requests no other rule routes.
	Default *Upstream
	// CaptureContent records prompts and completions on spans.
	CaptureContent bool
	// MaxCaptureSize bounds the bytes of a response body (or of the accumulated content
	// of a stream) kept to describe the call.
	MaxCaptureSize int
	// Next receives one span per GenAI call.
	Next   consumer.Traces
	Logger *zap.Logger
	// OnParseError is called when a request or response body (part is "request" or
	// "response") could not be read as its API documents. The bytes were forwarded
	// unchanged; only the span lacks what they would have told.
	OnParseError func(part string)
	// OnDrop is called for each call whose span was dropped because the queue to the
	// span builders was full (the pipeline did not keep up).
	OnDrop func()
	// Scope names the instrumentation scope of emitted spans.
	Scope, Version string
	// ServiceName is the resource service.name of calls that do not name their
	// application with the X-Llm-Service-Name header.
	ServiceName string
}

// Handler is the proxy's http.Handler.
type Handler struct {
	opts      Options
	anthropic *Upstream
	// calls counts captured calls whose handler has not returned yet.
	calls sync.WaitGroup
	spans spanQueue
}

// New returns a Handler. Upstreams must have a Name, URL and Transport.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.OnParseError == nil {
		opts.OnParseError = func(string) {}
	}
	if opts.OnDrop == nil {
		opts.OnDrop = func() {}
	}
	h := &Handler{opts: opts}
	h.spans.emit, h.spans.size = h.emit, spanQueueSize
	errorLog, _ := zap.NewStdLogAt(opts.Logger, zapcore.DebugLevel)
	for _, up := range opts.Upstreams {
		up.host = up.URL.Hostname()
		up.port = defaultPort(up.URL)
		up.proxy = &httputil.ReverseProxy{
			Rewrite:        up.rewrite,
			Transport:      up.Transport,
			ModifyResponse: h.observeResponse,
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				h.upstreamError(up, w, r, err)
			},
			BufferPool: copyBuffers,
			ErrorLog:   errorLog,
		}
		if up.Provider == genai.ProviderAnthropic && h.anthropic == nil {
			h.anthropic = up
		}
	}
	return h
}

func defaultPort(u *url.URL) int64 {
	if p, err := strconv.ParseInt(u.Port(), 10, 64); err == nil {
		return p
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}

// Wait blocks until the span of every captured call has been handed on, or ctx ends.
// Call it once, after the server has stopped sending requests to the handler.
func (h *Handler) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		h.calls.Wait()
		h.spans.close()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// route picks the upstream: an explicit /{name}/ path prefix first, then Anthropic for
// requests carrying the anthropic-version header every Anthropic client sends, then the
// default.
func (h *Handler) route(r *http.Request) (*Upstream, string) {
	path := r.URL.Path
	if len(path) > 1 {
		if i := strings.IndexByte(path[1:], '/'); i > 0 {
			first := path[1 : i+1]
			for _, up := range h.opts.Upstreams {
				if up.Name == first {
					return up, path[i+1:]
				}
			}
		}
	}
	if h.anthropic != nil && r.Header.Get("Anthropic-Version") != "" {
		return h.anthropic, path
	}
	return h.opts.Default, path
}

type recordKey struct{}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	up, path := h.route(r)
	api := llmapi.Classify(r.Method, path)
	if path != r.URL.Path {
		r = withPath(r, path)
	}
	if api == llmapi.Other {
		up.proxy.ServeHTTP(w, r)
		flush(w, r)
		return
	}

	// Counted from the start, so that shutdown also waits for calls still in flight.
	h.calls.Add(1)
	rec := newRecord(api, up, r)
	defer h.finish(rec, r.Context())

	body, err := readBody(r)
	if err != nil {
		h.rejectBody(w, rec, err)
		return
	}
	rec.reqBody = body

	ctx, cancel := context.WithCancelCause(context.WithValue(r.Context(), recordKey{}, rec))
	defer cancel(nil)
	if up.HeaderTimeout > 0 {
		rec.headerTimer = time.AfterFunc(up.HeaderTimeout, func() { cancel(errHeaderTimeout) })
	}
	out := r.WithContext(ctx)
	// The body is put on the outbound request by rewrite (see there).
	out.Body, out.ContentLength = http.NoBody, 0
	up.proxy.ServeHTTP(w, out)
	// The response is complete: send what is buffered now rather than after the
	// server's middleware (its own telemetry) has run.
	flush(w, r)
}

// flush sends a response's buffered bytes to a client that is still there.
func flush(w http.ResponseWriter, r *http.Request) {
	if f, ok := w.(http.Flusher); ok && r.Context().Err() == nil {
		f.Flush()
	}
}

// withPath returns r with the upstream-selecting path prefix removed.
func withPath(r *http.Request, path string) *http.Request {
	r2 := *r
	u := *r.URL
	u.Path, u.RawPath = path, ""
	r2.URL = &u
	return &r2
}

var errHeaderTimeout = errors.New("upstream response headers timed out")

// rewrite points the outbound request at the upstream. Our X-Llm-* headers are
// instructions to the proxy and stay here; everything else, auth included, goes on.
func (up *Upstream) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(up.URL)
	for k := range pr.Out.Header {
		if strings.HasPrefix(k, genai.HeaderPrefix) {
			delete(pr.Out.Header, k)
		}
	}
	if rec, _ := pr.In.Context().Value(recordKey{}).(*record); rec != nil {
		// The body read by ServeHTTP goes on as a plain *bytes.Reader: the transport then
		// writes headers and body at once. (The ReverseProxy would wrap an inbound body in
		// a reader the transport does not know to be in memory, and flush the headers in
		// a write of their own.) The transport may still read it after the handler has
		// returned, so these bytes are never recycled.
		pr.Out.Body = io.NopCloser(bytes.NewReader(rec.reqBody))
		pr.Out.ContentLength, pr.Out.TransferEncoding = int64(len(rec.reqBody)), nil
		// GetBody tells the transport that the body is in memory: it may send it again
		// on a new connection when a kept-alive one turns out closed.
		pr.Out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(rec.reqBody)), nil }
	}
}

// readBody reads the whole request body; requests are small next to the responses and
// must be held to be both forwarded and described.
func readBody(r *http.Request) ([]byte, error) {
	n := r.ContentLength
	if n < 0 || n > 1<<20 {
		n = 512
	}
	buf := make([]byte, 0, n+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (h *Handler) rejectBody(w http.ResponseWriter, rec *record, err error) {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		rec.fail(http.StatusRequestEntityTooLarge, "request_too_large",
			"request body is larger than max_request_body_size ("+strconv.FormatInt(tooLarge.Limit, 10)+" bytes)")
		writeError(w, rec.api, rec.status, rec.errType, "llmproxy: "+rec.errMessage+"; raise the receiver's max_request_body_size to allow it")
	default:
		rec.fail(0, "cancelled", "client request body could not be read: "+err.Error())
	}
}

// observeResponse runs when the upstream's response headers arrive: it wraps the body so
// that the bytes flowing to the client are observed on their way.
func (h *Handler) observeResponse(resp *http.Response) error {
	rec, _ := resp.Request.Context().Value(recordKey{}).(*record)
	if rec == nil {
		return nil
	}
	if rec.headerTimer != nil {
		rec.headerTimer.Stop()
	}
	rec.headersAt = time.Now()
	rec.status = resp.StatusCode
	rec.contentEncoding = resp.Header.Get("Content-Encoding")
	rec.streaming = resp.StatusCode < 300 && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	resp.Body = newObserver(resp.Body, rec, h.opts.CaptureContent, h.opts.MaxCaptureSize)
	return nil
}

// upstreamError answers when no response came from the upstream.
func (h *Handler) upstreamError(up *Upstream, w http.ResponseWriter, r *http.Request, err error) {
	rec, _ := r.Context().Value(recordKey{}).(*record)
	// url.Error repeats the request URL; some providers take keys as query parameters.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	status, kind, msg := http.StatusBadGateway, "upstream_unreachable", "upstream "+strconv.Quote(up.Name)+" could not be reached: "+err.Error()
	switch {
	case errors.Is(context.Cause(r.Context()), errHeaderTimeout):
		status, kind, msg = http.StatusGatewayTimeout, "timeout", "upstream "+strconv.Quote(up.Name)+" sent no response headers within its timeout"
	case errors.Is(err, context.Canceled):
		status, kind, msg = 0, "cancelled", "client disconnected before the upstream responded"
	}
	if rec != nil {
		rec.fail(status, kind, msg)
	}
	h.opts.Logger.Debug("llmproxy upstream request failed", zap.String("upstream", up.Name), zap.String("error.type", kind), zap.String("error", err.Error()))
	if status != 0 {
		api := llmapi.Other
		if rec != nil {
			api = rec.api
		}
		writeError(w, api, status, kind, "llmproxy: "+msg)
	}
}

// writeError answers in the error shape of the API the client speaks, so that its SDK
// raises a readable error.
func writeError(w http.ResponseWriter, api llmapi.API, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	m := string(jsonQuote(msg))
	k := string(jsonQuote(kind))
	if api == llmapi.Messages {
		_, _ = io.WriteString(w, `{"type":"error","error":{"type":`+k+`,"message":`+m+`}}`)
		return
	}
	_, _ = io.WriteString(w, `{"error":{"message":`+m+`,"type":`+k+`,"code":`+k+`}}`)
}

// finish runs when the handler is done; the call is described off the request's
// goroutine so that nothing more stands between the client and its response.
func (h *Handler) finish(rec *record, clientCtx context.Context) {
	rec.end = time.Now()
	if rec.headerTimer != nil {
		rec.headerTimer.Stop()
	}
	rec.clientGone = clientCtx.Err() != nil
	if !h.spans.push(rec) {
		rec.release()
		h.opts.OnDrop()
	}
	h.calls.Done()
}

type copyBufferPool struct{ p sync.Pool }

func (b *copyBufferPool) Get() []byte  { return *(b.p.Get().(*[]byte)) }
func (b *copyBufferPool) Put(x []byte) { b.p.Put(&x) }

// copyBuffers are the ReverseProxy's copy buffers: 32 KiB, the size io.Copy uses.
var copyBuffers = &copyBufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}
