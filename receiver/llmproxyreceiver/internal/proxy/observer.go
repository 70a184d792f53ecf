package proxy

import (
	"bytes"
	"io"
	"sync"
	"time"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/llmapi"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/sse"
)

// observer wraps an upstream response body. Every Read returns exactly what the
// upstream sent; a copy goes to a pooled buffer of the record, to be parsed once the
// call is over. Only a stream that outgrows streamSpill is parsed on the way, a part at
// a time at the start of the next Read, that is after the proxy has written and
// flushed the bytes before it, so parsing never delays a chunk already received.
type observer struct {
	body      io.ReadCloser
	rec       *record
	capture   bool
	maxBuffer int
	// spill is set when a stream's buffered bytes are due to be parsed.
	spill bool
}

const (
	// maxEventSize bounds one server-sent event held for parsing.
	maxEventSize = 4 << 20
	// streamSpill is the size of a stream's unparsed bytes beyond which they are parsed
	// while the stream goes on, which bounds the memory of long streams.
	streamSpill = 128 << 10
	// maxPooledBuffer bounds the buffers kept for reuse; the rare large one is left to
	// the garbage collector rather than pinned in the pool.
	maxPooledBuffer = 256 << 10
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b != nil && b.Cap() <= maxPooledBuffer {
		b.Reset()
		buffers.Put(b)
	}
}

func newObserver(body io.ReadCloser, rec *record, capture bool, maxBuffer int) *observer {
	rec.respBody = getBuffer()
	return &observer{body: body, rec: rec, capture: capture, maxBuffer: maxBuffer}
}

// parsesOnTheWay reports whether the response is a stream whose events can be parsed
// piecewise; a compressed one can only be read whole.
func (o *observer) parsesOnTheWay() bool {
	return o.rec.streaming && o.rec.contentEncoding == ""
}

func (o *observer) Read(p []byte) (int, error) {
	if o.spill {
		o.spill = false
		o.rec.parseStream(o.capture, o.maxBuffer)
	}
	n, err := o.body.Read(p)
	if n > 0 {
		if o.rec.firstChunkAt.IsZero() {
			o.rec.firstChunkAt = time.Now()
		}
		o.keep(p[:n])
	}
	switch {
	case err == io.EOF:
		o.rec.complete = true
	case err != nil && o.rec.readErr == nil:
		o.rec.readErr = err
	}
	return n, err
}

func (o *observer) keep(b []byte) {
	buf := o.rec.respBody
	if o.parsesOnTheWay() {
		buf.Write(b)
		o.spill = buf.Len() >= streamSpill
		return
	}
	if room := o.maxBuffer - buf.Len(); room < len(b) {
		o.rec.truncated = true
		b = b[:max(room, 0)]
	}
	buf.Write(b)
}

// Close ends the observation; the proxy always closes the body, also when the client
// went away or the upstream failed mid-stream.
func (o *observer) Close() error { return o.body.Close() }

// parseStream feeds the stream bytes buffered so far to the record's event parser.
func (rec *record) parseStream(capture bool, maxBuffer int) {
	if rec.events == nil {
		stream := llmapi.NewStream(rec.api, capture, maxBuffer)
		rec.stream = stream
		rec.events = sse.New(min(maxEventSize, max(maxBuffer, 64<<10)), func(e sse.Event) {
			stream.Event(e.Name, e.Data)
		})
	}
	rec.events.Feed(rec.respBody.Bytes())
	rec.respBody.Reset()
}
