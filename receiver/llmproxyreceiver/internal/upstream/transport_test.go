package upstream

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/mockllm"
)

// server is an httptest server that counts the connections clients open and the ones
// it saw closed.
type server struct {
	*httptest.Server
	opened, closed atomic.Int32
}

func startServer(t *testing.T, h http.Handler, tlsOn bool, configure func(*http.Server)) *server {
	t.Helper()
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.opened.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.closed.Add(1)
		}
	}
	if configure != nil {
		configure(s.Config)
	}
	if tlsOn {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// fallback counts the requests the Transport leaves to http.Transport.
type fallback struct {
	http.Transport
	calls atomic.Int32
}

func (f *fallback) RoundTrip(r *http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return f.Transport.RoundTrip(r)
}

func newTransport(t *testing.T, opts Options) (*Transport, *fallback) {
	t.Helper()
	fb := &fallback{Transport: http.Transport{TLSClientConfig: opts.TLS, DisableCompression: true}}
	opts.Fallback = fb
	if opts.MaxIdleConnsPerHost == 0 {
		opts.MaxIdleConnsPerHost = 10
	}
	tr := New(opts)
	t.Cleanup(tr.CloseIdleConnections)
	return tr, fb
}

// request is a request with its body held in memory, as the proxy sends them.
func request(t *testing.T, ctx context.Context, method, url string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func roundTrip(t *testing.T, tr http.RoundTripper, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body of %s %s: %v", req.Method, req.URL, err)
	}
	return resp, b
}

// echo answers with the request's method, path and body, framed by content length or,
// with ?chunked, in chunks.
func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	out := []byte(r.Method + " " + r.URL.Path + " " + string(b))
	if r.URL.Query().Has("chunked") {
		for len(out) > 0 {
			n := min(len(out), 7)
			_, _ = w.Write(out[:n])
			w.(http.Flusher).Flush()
			out = out[n:]
		}
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

func TestKeepAliveReuse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tls   bool
		query string
	}{
		{"plain, content-length", false, ""},
		{"plain, chunked", false, "?chunked"},
		{"tls, content-length", true, ""},
		{"tls, chunked", true, "?chunked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, http.HandlerFunc(echo), tc.tls, nil)
			var opts Options
			if tc.tls {
				opts.TLS = &tls.Config{RootCAs: certPool(srv.Server)}
			}
			tr, fb := newTransport(t, opts)
			for i := range 5 {
				body := fmt.Sprintf(`{"n":%d}`, i)
				resp, got := roundTrip(t, tr, request(t, context.Background(), "POST", srv.URL+"/v1/chat/completions"+tc.query, []byte(body)))
				if want := "POST /v1/chat/completions " + body; string(got) != want {
					t.Errorf("request %d: body %q, want %q", i, got, want)
				}
				if chunked := len(resp.TransferEncoding) > 0; chunked != (tc.query != "") {
					t.Errorf("request %d: transfer encoding %v", i, resp.TransferEncoding)
				}
				if tc.tls && (resp.TLS == nil || resp.TLS.NegotiatedProtocol != "http/1.1") {
					t.Errorf("request %d: TLS state %+v, want http/1.1 over TLS", i, resp.TLS)
				}
			}
			if n := srv.opened.Load(); n != 1 {
				t.Errorf("5 sequential requests opened %d connections, want 1", n)
			}
			if n := fb.calls.Load(); n != 0 {
				t.Errorf("%d requests went to the fallback", n)
			}
		})
	}
}

func certPool(s *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Certificate())
	return p
}

// TestHTTP2ServerGetsHTTP1: a server that offers HTTP/2 is spoken to in HTTP/1.1.
func TestHTTP2ServerGetsHTTP1(t *testing.T) {
	h2 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	}))
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()
	tr, _ := newTransport(t, Options{TLS: &tls.Config{RootCAs: certPool(h2)}})
	_, got := roundTrip(t, tr, request(t, context.Background(), "GET", h2.URL+"/", nil))
	if string(got) != "HTTP/1.1" {
		t.Errorf("server saw %q, want HTTP/1.1", got)
	}
}

func TestUntrustedCertificateIsRefused(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(echo), true, nil)
	tr, _ := newTransport(t, Options{})
	_, err := tr.RoundTrip(request(t, context.Background(), "GET", srv.URL+"/", nil))
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("error %v, want an unknown authority error", err)
	}
}

// TestServerClosedIdleConnection: a connection the server closed while it sat in the
// pool (for longer than trustIdle) is not used; the request goes on a new one and
// succeeds, a POST included.
func TestServerClosedIdleConnection(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(echo), false, func(s *http.Server) { s.IdleTimeout = 20 * time.Millisecond })
	tr, _ := newTransport(t, Options{})
	roundTrip(t, tr, request(t, context.Background(), "POST", srv.URL+"/a", []byte("1")))
	idle := time.Now()
	waitFor(t, "the server to close the idle connection", func() bool { return srv.closed.Load() == 1 })
	time.Sleep(trustIdle - time.Since(idle))
	_, got := roundTrip(t, tr, request(t, context.Background(), "POST", srv.URL+"/b", []byte("2")))
	if string(got) != "POST /b 2" {
		t.Errorf("got %q", got)
	}
	if n := srv.opened.Load(); n != 2 {
		t.Errorf("%d connections opened, want 2", n)
	}
}

// dropSecond is a raw HTTP/1.1 server that answers the first request on each
// connection and reads the second one but closes the connection without answering:
// the race of a server that closes a keep-alive connection just as a request arrives.
type dropSecond struct {
	ln       net.Listener
	requests atomic.Int32
}

func startDropSecond(t *testing.T) *dropSecond {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dropSecond{ln: ln}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *dropSecond) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for i := 0; ; i++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		s.requests.Add(1)
		if i == 1 {
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	}
}

func (s *dropSecond) url() string { return "http://" + s.ln.Addr().String() }

// TestRetryOnlyWhenSafe: a reused connection closed before any response byte gets one
// more try on a new connection when the request is idempotent; a POST that the server
// may have acted on is not sent twice.
func TestRetryOnlyWhenSafe(t *testing.T) {
	for _, tc := range []struct {
		name      string
		method    string
		header    string
		retried   bool
		wantCalls int32
	}{
		{"GET is retried", "GET", "", true, 3},
		{"POST with Idempotency-Key is retried", "POST", "Idempotency-Key", true, 3},
		{"POST is not retried", "POST", "", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startDropSecond(t)
			tr, _ := newTransport(t, Options{})
			roundTrip(t, tr, request(t, context.Background(), tc.method, srv.url(), []byte("{}")))
			req := request(t, context.Background(), tc.method, srv.url(), []byte("{}"))
			if tc.header != "" {
				req.Header.Set(tc.header, "k1")
			}
			resp, err := tr.RoundTrip(req)
			if tc.retried {
				if err != nil {
					t.Fatalf("not retried: %v", err)
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if string(b) != "ok" {
					t.Errorf("body %q", b)
				}
			} else if err == nil {
				_ = resp.Body.Close()
				t.Fatal("a POST the server had read was sent again")
			}
			if n := srv.requests.Load(); n != tc.wantCalls {
				t.Errorf("server read %d requests, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestConnectionClose(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		echo(w, r)
	}), false, nil)
	tr, _ := newTransport(t, Options{})
	for range 3 {
		resp, _ := roundTrip(t, tr, request(t, context.Background(), "GET", srv.URL+"/", nil))
		if !resp.Close {
			t.Error("response to Connection: close has Close unset")
		}
	}
	if n := srv.opened.Load(); n != 3 {
		t.Errorf("3 requests answered with Connection: close opened %d connections, want 3", n)
	}
}

// TestBodiesWithoutLength: a body that ends when the server closes (HTTP/1.0 style)
// is read whole, and its connection is not reused.
func TestBodiesWithoutLength(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
				}
			}()
		}
	}()
	tr, _ := newTransport(t, Options{})
	for range 2 {
		_, got := roundTrip(t, tr, request(t, context.Background(), "GET", "http://"+ln.Addr().String()+"/", nil))
		if string(got) != "until the end" {
			t.Errorf("body %q", got)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// streamServer answers a POST with one server-sent event, then the next ones only when
// told to; a GET with "ok".
type streamServer struct {
	next chan struct{}
	gone chan struct{}
}

func newStreamServer() *streamServer {
	return &streamServer{next: make(chan struct{}), gone: make(chan struct{}, 1)}
}

func (s *streamServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == "GET" {
		_, _ = io.WriteString(w, "ok")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for i := 0; ; i++ {
		_, _ = fmt.Fprintf(w, "data: %d\n\n", i)
		w.(http.Flusher).Flush()
		if i == 2 {
			_, _ = io.WriteString(w, "data: [DONE]\n\n")
			return
		}
		select {
		case <-s.next:
		case <-r.Context().Done():
			s.gone <- struct{}{}
			return
		}
	}
}

// TestStreamIsReadIncrementally: each event can be read as soon as the server flushed
// it, before the server sends the next.
func TestStreamIsReadIncrementally(t *testing.T) {
	ss := newStreamServer()
	srv := startServer(t, ss, false, nil)
	tr, _ := newTransport(t, Options{})
	resp, err := tr.RoundTrip(request(t, context.Background(), "POST", srv.URL+"/v1/chat/completions", []byte(`{"stream":true}`)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("data: %d\n", i); line != want {
			t.Fatalf("event %d: %q, want %q", i, line, want)
		}
		_, _ = br.ReadString('\n')
		if i < 2 {
			ss.next <- struct{}{} // blocks unless the server waits for it, i.e. the event came alone
		}
	}
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "data: [DONE]\n\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
	// Read to its end, the stream's connection is reused.
	roundTrip(t, tr, request(t, context.Background(), "GET", srv.URL+"/", nil))
	if n := srv.opened.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestEarlyClose: closing a stream's body before its end closes the connection (the
// server sees the client go) instead of reading the rest, and the next request works.
func TestEarlyClose(t *testing.T) {
	ss, srv, tr, resp := startStream(t, context.Background())
	start := time.Now()
	_ = resp.Body.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %s", d)
	}
	ss.waitGone(t)
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Error("read after Close succeeded")
	}
	go func() { ss.next <- struct{}{}; ss.next <- struct{}{} }()
	_, got := roundTrip(t, tr, request(t, context.Background(), "POST", srv.URL+"/", []byte("{}")))
	if !strings.HasSuffix(string(got), "data: [DONE]\n\n") {
		t.Errorf("second stream %q", got)
	}
	if n := srv.opened.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestCancelMidStream: cancelling the request's context ends a blocked body read at
// once with the context's error, and the server sees the client go.
func TestCancelMidStream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ss, _, _, resp := startStream(t, ctx)
	defer resp.Body.Close()
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := resp.Body.Read(make([]byte, 64))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("read ended with %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the read took %s to notice the cancellation", d)
	}
	ss.waitGone(t)
}

// startStream starts a streamServer and a stream from it whose first event was read.
func startStream(t *testing.T, ctx context.Context) (*streamServer, *server, *Transport, *http.Response) {
	t.Helper()
	ss := newStreamServer()
	srv := startServer(t, ss, false, nil)
	tr, _ := newTransport(t, Options{})
	resp, err := tr.RoundTrip(request(t, ctx, "POST", srv.URL+"/", []byte("{}")))
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len("data: 0\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "data: 0\n\n" {
		t.Fatalf("first event %q, %v", first, err)
	}
	return ss, srv, tr, resp
}

// waitGone waits until the server saw its client go.
func (s *streamServer) waitGone(t *testing.T) {
	t.Helper()
	select {
	case <-s.gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not see the connection close")
	}
}

// TestTimeouts: a deadline on the request's context bounds the wait for the response
// headers; the connection is not reused.
func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		echo(w, r)
	}), false, nil)
	tr, _ := newTransport(t, Options{})
	roundTrip(t, tr, request(t, context.Background(), "GET", srv.URL+"/fast", nil))

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := tr.RoundTrip(request(t, ctx, "POST", srv.URL+"/slow", []byte("{}")))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timed out after %s, want about 50ms", d)
	}
	_, got := roundTrip(t, tr, request(t, context.Background(), "GET", srv.URL+"/fast", nil))
	if string(got) != "GET /fast " {
		t.Errorf("after a timeout: %q", got)
	}
	if n := srv.opened.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the timed-out one is not reused)", n)
	}

	// A context that is already done sends nothing.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := tr.RoundTrip(request(t, ctx, "GET", srv.URL+"/fast", nil)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestIdleConnectionsExpire: idle connections are closed after IdleConnTimeout, and at
// most MaxIdleConnsPerHost are kept.
func TestIdleConnectionsExpire(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(echo), false, nil)
	tr, _ := newTransport(t, Options{IdleConnTimeout: 50 * time.Millisecond, MaxIdleConnsPerHost: 2})
	var resps []*http.Response
	for range 4 { // four connections at once
		resp, err := tr.RoundTrip(request(t, context.Background(), "GET", srv.URL+"/", nil))
		if err != nil {
			t.Fatal(err)
		}
		resps = append(resps, resp)
	}
	for _, resp := range resps {
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	waitFor(t, "2 connections beyond the idle limit to close", func() bool { return srv.closed.Load() == 2 })
	waitFor(t, "the idle connections to expire", func() bool { return srv.closed.Load() == 4 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestLargeBodies: a request body up to MaxBufferedBody is sent by the Transport, a
// larger one (or one not held in memory) by the Fallback; large responses arrive whole.
func TestLargeBodies(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(b)
		// A 4 MiB answer whose bytes depend on the request.
		for range 4 << 10 {
			_, _ = w.Write(bytes.Repeat(sum[:8], 128))
		}
	}), false, nil)
	tr, fb := newTransport(t, Options{})
	for _, tc := range []struct {
		name     string
		size     int
		streamed bool
		fallback int32
	}{
		{"in memory, at the limit", MaxBufferedBody, false, 0},
		{"in memory, over the limit", MaxBufferedBody + 1, false, 1},
		{"streamed", 1000, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fb.calls.Load()
			body := bytes.Repeat([]byte("x"), tc.size)
			req := request(t, context.Background(), "POST", srv.URL+"/", body)
			if tc.streamed {
				req.Body, req.GetBody, req.ContentLength = io.NopCloser(bytes.NewReader(body)), nil, -1
			}
			_, got := roundTrip(t, tr, req)
			sum := sha256.Sum256(body)
			if want := bytes.Repeat(sum[:8], 128*4<<10); !bytes.Equal(got, want) {
				t.Errorf("response of %d bytes differs from the %d expected", len(got), len(want))
			}
			if n := fb.calls.Load() - before; n != tc.fallback {
				t.Errorf("%d requests went to the fallback, want %d", n, tc.fallback)
			}
		})
	}
}

// TestConcurrentUse drives the mock LLM upstream from many goroutines, streams and
// plain answers mixed; run with -race.
func TestConcurrentUse(t *testing.T) {
	mock, err := mockllm.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer mock.Close()
	tr, _ := newTransport(t, Options{})
	direct := map[bool][]byte{}
	for _, stream := range []bool{false, true} {
		resp, err := http.Post(mock.URL+"/v1/chat/completions", "application/json", strings.NewReader(chatRequest(stream)))
		if err != nil {
			t.Fatal(err)
		}
		direct[stream], _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				stream := (g+i)%2 == 0
				req, _ := http.NewRequest("POST", mock.URL+"/v1/chat/completions", strings.NewReader(chatRequest(stream)))
				resp, err := tr.RoundTrip(req)
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err != nil || !bytes.Equal(got, direct[stream]) {
					errs <- fmt.Errorf("goroutine %d request %d: body differs from a direct call (%v)", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func chatRequest(stream bool) string {
	return `{"model":"gpt-4o-mini","stream":` + strconv.FormatBool(stream) + `,"messages":[{"role":"user","content":"Say hello"}]}`
}

// TestErrorsDoNotCarryCredentials: a failed request's error names neither its headers
// nor its query.
func TestErrorsDoNotCarryCredentials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	tr, _ := newTransport(t, Options{})
	const key = "sk-test-secret-key"
	req := request(t, context.Background(), "POST", "http://"+addr+"/v1/chat/completions?api-key="+key, []byte("{}"))
	req.Header.Set("Authorization", "Bearer "+key)
	_, err = tr.RoundTrip(req)
	if err == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	if strings.Contains(err.Error(), key) {
		t.Errorf("error %q carries the key", err)
	}
}

// TestUpgradeGoesToFallback: protocol upgrades (WebSocket) need a connection of their
// own, which http.Transport hands over.
func TestUpgradeGoesToFallback(t *testing.T) {
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
		_ = brw.Flush()
		line, _ := brw.ReadString('\n')
		_, _ = brw.WriteString(line)
		_ = brw.Flush()
	}), false, nil)
	tr, fb := newTransport(t, Options{})
	req := request(t, context.Background(), "GET", srv.URL+"/v1/realtime", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "test")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rw, ok := resp.Body.(io.ReadWriteCloser)
	if resp.StatusCode != http.StatusSwitchingProtocols || !ok || fb.calls.Load() != 1 {
		t.Fatalf("status %d, writable body %v, fallback calls %d", resp.StatusCode, ok, fb.calls.Load())
	}
	_, _ = io.WriteString(rw, "ping\n")
	line, _ := bufio.NewReader(rw).ReadString('\n')
	if line != "ping\n" {
		t.Errorf("echo %q", line)
	}
}
