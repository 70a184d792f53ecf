package upstream

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// conn is one connection to a host, used by one request at a time.
type conn struct {
	pool *hostPool
	nc   net.Conn
	// br stays with the connection: the bytes it buffers belong to it.
	br *bufio.Reader
	// idle notices a close by the server while the connection was in the pool.
	idle idleCheck
	// interrupt unblocks the connection when the request's context ends.
	interrupt func()
	reused    bool
	idleSince time.Time
}

// newConn wraps nc; raw is the TCP connection (under TLS, when nc is a TLS one).
func newConn(p *hostPool, nc, raw net.Conn) *conn {
	c := &conn{pool: p, nc: nc, br: bufio.NewReaderSize(nc, p.t.opts.ReadBufferSize)}
	c.idle.init(raw)
	c.interrupt = func() { _ = c.nc.SetDeadline(aLongTimeAgo) }
	return c
}

// peerClosed reports whether the server closed the connection (or sent bytes no
// request asked for) while it was idle, which makes it unfit for a request.
func (c *conn) peerClosed() bool { return c.idle.closed() }

// aLongTimeAgo is a deadline in the past: it makes blocked reads and writes return.
var aLongTimeAgo = time.Unix(1, 0)

func (c *conn) close() { _ = c.nc.Close() }

// exchange is how a round trip on one connection went.
type exchange struct {
	err error
	// writeFailed: the request could not be written whole.
	writeFailed bool
	// received: a byte of the response came.
	received bool
}

// roundTrip writes out and reads the response to it. The response is reported as one
// to orig, the request the caller passed (out may be its copy with a rewound body). On
// failure the connection is closed.
func (c *conn) roundTrip(out, orig *http.Request) (*http.Response, exchange) {
	ctx := out.Context()
	stop := func() bool { return true }
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, c.interrupt)
	}
	fail := func(ex exchange) (*http.Response, exchange) {
		stop()
		c.close()
		if err := ctx.Err(); err != nil {
			ex.err = err
		}
		return nil, ex
	}

	bw := c.pool.t.writers.Get().(*bufio.Writer)
	bw.Reset(c.nc)
	werr := out.Write(bw)
	if werr == nil {
		werr = bw.Flush()
	}
	bw.Reset(nil)
	c.pool.t.writers.Put(bw)

	// A server may answer before it has read the whole request (and close); if it did,
	// its answer is worth more than the write error.
	if _, err := c.br.Peek(1); err != nil {
		if werr != nil {
			return fail(exchange{err: werr, writeFailed: true})
		}
		if err == io.EOF {
			err = errClosedBeforeResponse
		}
		return fail(exchange{err: err})
	}
	var resp *http.Response
	for {
		var err error
		resp, err = http.ReadResponse(c.br, orig)
		if err != nil {
			return fail(exchange{err: err, received: true, writeFailed: werr != nil})
		}
		// 1xx answers (100 Continue, 103 Early Hints) precede the real one. A 101 is
		// passed on, but only upgrade requests expect one, and they go to the Fallback.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	if tc, ok := c.nc.(*tls.Conn); ok {
		st := tc.ConnectionState()
		resp.TLS = &st
	}
	// A connection whose request was not written whole, or that switched protocols
	// unasked, is not reused.
	reusable := werr == nil && !resp.Close && !orig.Close && resp.StatusCode != http.StatusSwitchingProtocols
	if resp.Body == http.NoBody {
		c.release(stop, reusable)
		return resp, exchange{}
	}
	resp.Body = &body{src: resp.Body, conn: c, stop: stop, ctx: ctx, reusable: reusable}
	return resp, exchange{}
}

// release hands the connection back once its response is over: to the pool when it
// can carry another request and the request's context no longer holds it.
func (c *conn) release(stop func() bool, reusable bool) {
	if stop() && reusable && c.br.Buffered() == 0 {
		c.pool.put(c)
		return
	}
	c.close()
}

// body is a response body that reads the connection. Read to its end, it returns the
// connection to the pool; closed early, it closes it.
type body struct {
	src      io.ReadCloser
	conn     *conn
	stop     func() bool
	ctx      context.Context
	reusable bool
	// done is set once the connection was released or closed, by the reader or by
	// Close (which may come from another goroutine); endErr, the error the reader saw
	// last, belongs to the reader.
	done   atomic.Bool
	endErr error
}

var (
	errBodyClosed           = errors.New("upstream: read on closed response body")
	errClosedBeforeResponse = errors.New("upstream: the server closed the connection without answering")
)

func (b *body) Read(p []byte) (int, error) {
	if b.done.Load() {
		if b.endErr != nil {
			return 0, b.endErr
		}
		return 0, errBodyClosed
	}
	n, err := b.src.Read(p)
	switch {
	case err == io.EOF:
		b.endErr = err
		if b.done.CompareAndSwap(false, true) {
			b.conn.release(b.stop, b.reusable)
		}
	case err != nil:
		if ctxErr := b.ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		b.endErr = err
		if b.done.CompareAndSwap(false, true) {
			b.stop()
			b.conn.close()
		}
	}
	return n, err
}

// Close before the end of the body closes the connection rather than reading the rest
// (which, for a stream, could take minutes).
func (b *body) Close() error {
	if b.done.CompareAndSwap(false, true) {
		b.stop()
		b.conn.close()
	}
	return nil
}
