package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/sse"
)

// observer wraps an upstream response body. Every Read returns exactly what the
// upstream sent; a copy goes to the record. Stream chunks are parsed at the start of the
// next Read (or at Close), that is after the proxy has written and flushed them to the
// client, so parsing never delays a chunk.
type observer struct {
	body      io.ReadCloser
	rec       *record
	parser    *sse.Parser
	pending   []byte
	maxBuffer int
	closed    bool
}

// maxEventSize bounds one server-sent event held for parsing.
const maxEventSize = 4 << 20

// captureBuffers recycles response capture buffers; the rare large one is left to the
// garbage collector rather than pinned in the pool.
var captureBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 256 << 10

func newObserver(body io.ReadCloser, rec *record, streaming, capture bool, maxBuffer int) *observer {
	o := &observer{body: body, rec: rec, maxBuffer: maxBuffer}
	if streaming && rec.contentEncoding == "" {
		rec.streaming = true
		rec.stream = llmapi.NewStream(rec.api, capture, maxBuffer)
		o.parser = sse.New(min(maxEventSize, max(maxBuffer, 64<<10)), func(e sse.Event) {
			rec.stream.Event(e.Name, e.Data)
		})
	} else {
		rec.streaming = streaming
		rec.respBody = captureBuffers.Get().(*bytes.Buffer)
	}
	return o
}

func (o *observer) Read(p []byte) (int, error) {
	o.flushPending()
	n, err := o.body.Read(p)
	if n > 0 {
		if o.rec.firstChunkAt.IsZero() {
			o.rec.firstChunkAt = time.Now()
		}
		o.observe(p[:n])
	}
	switch {
	case err == io.EOF:
		o.rec.complete = true
	case err != nil:
		o.readFailed(err)
	}
	return n, err
}

func (o *observer) observe(b []byte) {
	if o.parser != nil {
		o.pending = append(o.pending[:0], b...)
		return
	}
	buf := o.rec.respBody
	if room := o.maxBuffer - buf.Len(); room < len(b) {
		o.rec.truncated = true
		b = b[:max(room, 0)]
	}
	buf.Write(b)
}

func (o *observer) flushPending() {
	if len(o.pending) > 0 {
		o.parser.Feed(o.pending)
		o.pending = o.pending[:0]
	}
}

func (o *observer) readFailed(err error) {
	if o.rec.stream != nil && o.rec.stream.Ended() {
		// The client had everything and hung up before the upstream's final bytes.
		o.rec.complete = true
		return
	}
	if o.rec.errType != "" {
		return
	}
	if errors.Is(err, context.Canceled) {
		o.rec.fail(0, "cancelled", "client disconnected before the response was complete")
		return
	}
	o.rec.fail(0, "upstream_read_error", "upstream response ended early: "+err.Error())
}

// Close ends the observation; the proxy always closes the body, also when the client
// went away or the upstream failed mid-stream.
func (o *observer) Close() error {
	if !o.closed {
		o.closed = true
		o.flushPending()
		if o.parser != nil {
			o.rec.streamPending = o.parser.Pending()
			o.rec.droppedEvents = o.parser.Dropped
		}
	}
	return o.body.Close()
}
