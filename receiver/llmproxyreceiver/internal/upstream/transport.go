// Package upstream is the llmproxy receiver's HTTP/1.1 client to providers. It sends a
// request and reads its response on the caller's goroutine, with net/http's own wire
// code, over a per-host pool of keep-alive connections.
//
// http.Transport gives every connection a read loop and a write loop goroutine, and a
// round trip hands the request and the response between them and the caller: on a
// proxied call that is three or more goroutine wake-ups, a large share of what the
// proxy adds to a call that takes a few hundred microseconds. This client has none: the
// caller writes the request and parses the response headers, and reading the body
// reads the connection. What it leaves to http.Transport (the Fallback) is what needs
// those goroutines or a different protocol: request bodies that are streamed or large,
// protocol upgrades, and everything configured through proxies or HTTP/2.
package upstream

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configure a Transport.
type Options struct {
	// Fallback sends the requests this client leaves aside (see Transport.RoundTrip).
	// Required.
	Fallback http.RoundTripper
	// TLS is the client configuration for https hosts; nil uses Go's defaults. Its
	// NextProtos are replaced by http/1.1 and its ServerName, when empty, is the host's.
	TLS *tls.Config
	// MaxIdleConnsPerHost bounds the keep-alive connections kept per host; 0 keeps none.
	MaxIdleConnsPerHost int
	// IdleConnTimeout closes connections idle for longer; 0 keeps them until the
	// server closes them.
	IdleConnTimeout time.Duration
	// ReadBufferSize and WriteBufferSize size each connection's buffers (default 4 KiB).
	ReadBufferSize, WriteBufferSize int
}

// Transport is an http.RoundTripper for HTTP/1.1 upstreams. Safe for concurrent use.
type Transport struct {
	opts   Options
	dialer net.Dialer
	// writers are shared by all connections: a request is written in one go, so a
	// connection needs its writer only that long.
	writers sync.Pool

	mu    sync.Mutex
	hosts map[hostKey]*hostPool
}

// MaxBufferedBody is the largest request body this client sends itself. It writes the
// whole request before reading the response, which is right for APIs that read a
// request before answering it, as model APIs do; a body that fits in the socket's
// buffers is also safe with a server that answers early. Larger bodies go to the
// Fallback, which writes and reads at once.
const MaxBufferedBody = 64 << 10

// trustIdle is how long a connection may have been idle and still be used without
// first checking that the server has not closed it. Servers close idle keep-alive
// connections after seconds (Node.js, uvicorn and Apache after 5 s, gunicorn after 2 s,
// nginx after 75 s), and a busy proxy reuses its connections within milliseconds, so
// the check (a system call) is left to connections that sat idle for longer.
const trustIdle = 500 * time.Millisecond

// Timeouts of connection setup, as http.DefaultTransport's.
const (
	dialTimeout         = 30 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	defaultBufferSize   = 4 << 10
)

// New returns a Transport.
func New(opts Options) *Transport {
	if opts.ReadBufferSize <= 0 {
		opts.ReadBufferSize = defaultBufferSize
	}
	if opts.WriteBufferSize <= 0 {
		opts.WriteBufferSize = defaultBufferSize
	}
	t := &Transport{
		opts:   opts,
		dialer: net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second},
		hosts:  map[hostKey]*hostPool{},
	}
	t.writers.New = func() any { return bufio.NewWriterSize(nil, opts.WriteBufferSize) }
	return t
}

// RoundTrip sends req on a pooled connection to its host, or on a new one.
//
// Requests this client does not send itself go to the Fallback: a body that is not
// held in memory (no GetBody) or is larger than MaxBufferedBody, and a protocol upgrade.
//
// When a connection taken from the pool turns out to have been closed by the server
// before any byte of the response came, the request is sent once more on a new
// connection, provided that this is safe: the request could not be written whole, or
// it is idempotent (RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE, or any
// request carrying an Idempotency-Key). A connection that sat idle for longer than
// trustIdle is checked before it is used, so a POST does not depend on that retry when
// a server closes idle connections.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.sendsItself(req) {
		return t.opts.Fallback.RoundTrip(req)
	}
	if req.URL.Host == "" {
		closeBody(req)
		return nil, errors.New("upstream: request URL has no host")
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	p := t.pool(req.URL.Scheme, req.URL.Host)
	out := req
	for retried := false; ; retried = true {
		c, err := p.get(ctx, retried)
		if err != nil {
			closeBody(out)
			return nil, err
		}
		resp, ex := c.roundTrip(out, req)
		if ex.err == nil {
			return resp, nil
		}
		if retried || !c.reused || ex.received || ctx.Err() != nil || !(ex.writeFailed || idempotent(req)) {
			return nil, ex.err
		}
		if out, err = rewound(req); err != nil {
			return nil, ex.err
		}
	}
}

// sendsItself reports whether req is one this client sends rather than the Fallback.
func (t *Transport) sendsItself(req *http.Request) bool {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return false
	}
	if req.Header.Get("Upgrade") != "" {
		return false
	}
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	return req.GetBody != nil && req.ContentLength >= 0 && req.ContentLength <= MaxBufferedBody
}

// idempotent reports whether a request may be sent twice (RFC 9110 §9.2.2), as
// http.Transport judges it.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	_, a := req.Header["Idempotency-Key"]
	_, b := req.Header["X-Idempotency-Key"]
	return a || b
}

// rewound is req with a fresh copy of its body, to be sent again.
func rewound(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r2 := *req
	r2.Body = body
	return &r2, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// CloseIdleConnections closes the pooled connections, the Fallback's included.
// Connections in use are closed when their response ends.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	pools := make([]*hostPool, 0, len(t.hosts))
	for _, p := range t.hosts {
		pools = append(pools, p)
	}
	t.mu.Unlock()
	for _, p := range pools {
		p.closeIdle()
	}
	if c, ok := t.opts.Fallback.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

type hostKey struct{ scheme, host string }

func (t *Transport) pool(scheme, host string) *hostPool {
	k := hostKey{scheme, host}
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.hosts[k]
	if p == nil {
		p = newHostPool(t, k)
		t.hosts[k] = p
	}
	return p
}

// hostPool holds the idle connections to one host, most recently used last.
type hostPool struct {
	t          *Transport
	addr       string // host:port to dial
	tls        *tls.Config
	maxIdle    int
	idleExpiry time.Duration

	mu       sync.Mutex
	idle     []*conn
	sweeper  *time.Timer
	sweeping bool
}

func newHostPool(t *Transport, k hostKey) *hostPool {
	host, port, err := net.SplitHostPort(k.host)
	if err != nil {
		host, port = k.host, "80"
		if k.scheme == "https" {
			port = "443"
		}
		if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
			host = host[1 : len(host)-1]
		}
	}
	p := &hostPool{
		t:          t,
		addr:       net.JoinHostPort(host, port),
		maxIdle:    t.opts.MaxIdleConnsPerHost,
		idleExpiry: t.opts.IdleConnTimeout,
	}
	if k.scheme == "https" {
		cfg := &tls.Config{}
		if t.opts.TLS != nil {
			cfg = t.opts.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		cfg.NextProtos = []string{"http/1.1"}
		p.tls = cfg
	}
	return p
}

// get returns a connection: the most recently used idle one that is still good, or a
// new one (always a new one when fresh is set).
func (p *hostPool) get(ctx context.Context, fresh bool) (*conn, error) {
	if !fresh {
		now := time.Now()
		p.mu.Lock()
		for n := len(p.idle); n > 0; n = len(p.idle) {
			c := p.idle[n-1]
			p.idle[n-1] = nil
			p.idle = p.idle[:n-1]
			p.mu.Unlock()
			idleFor := now.Sub(c.idleSince)
			if (p.idleExpiry > 0 && idleFor >= p.idleExpiry) || (idleFor >= trustIdle && c.peerClosed()) {
				c.close()
				p.mu.Lock()
				continue
			}
			c.reused = true
			return c, nil
		}
		p.mu.Unlock()
	}
	return p.dial(ctx)
}

func (p *hostPool) dial(ctx context.Context) (*conn, error) {
	nc, err := p.t.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	raw := nc
	if p.tls != nil {
		tc := tls.Client(nc, p.tls)
		hsCtx, cancel := context.WithTimeout(ctx, tlsHandshakeTimeout)
		err := tc.HandshakeContext(hsCtx)
		cancel()
		if err != nil {
			_ = nc.Close()
			return nil, err
		}
		nc = tc
	}
	return newConn(p, nc, raw), nil
}

// put keeps c for the next request, unless the pool is full.
func (p *hostPool) put(c *conn) {
	c.idleSince = time.Now()
	p.mu.Lock()
	if len(p.idle) >= p.maxIdle {
		p.mu.Unlock()
		c.close()
		return
	}
	p.idle = append(p.idle, c)
	if p.idleExpiry > 0 && !p.sweeping {
		p.sweeping = true
		if p.sweeper == nil {
			p.sweeper = time.AfterFunc(p.idleExpiry, p.sweep)
		} else {
			p.sweeper.Reset(p.idleExpiry)
		}
	}
	p.mu.Unlock()
}

// sweep closes the connections idle for longer than IdleConnTimeout, and runs again
// when the oldest remaining one is due.
func (p *hostPool) sweep() {
	now := time.Now()
	p.mu.Lock()
	n := 0
	for n < len(p.idle) && now.Sub(p.idle[n].idleSince) >= p.idleExpiry {
		n++
	}
	expired := make([]*conn, n)
	copy(expired, p.idle[:n])
	p.idle = append(p.idle[:0], p.idle[n:]...)
	clear(p.idle[len(p.idle):cap(p.idle)])
	if len(p.idle) > 0 {
		p.sweeper.Reset(p.idleExpiry - now.Sub(p.idle[0].idleSince))
	} else {
		p.sweeping = false
	}
	p.mu.Unlock()
	for _, c := range expired {
		c.close()
	}
}

func (p *hostPool) closeIdle() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
}
