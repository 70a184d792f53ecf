package llmproxyreceiver

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/loadgen"
)

// The load benchmarks measure what the proxy adds to a call, against the mock upstream
// called directly in the same run: requests alternate between the targets on one
// open-loop schedule (internal/loadgen), so machine noise hits them alike.
//
//	go test -run '^$' -bench 'AddedLatency|AddedTTFB' -benchtime 1x ./receiver/llmproxyreceiver/
//
// LLMPROXY_LOAD_SECONDS sets the duration (default 5 s), LLMPROXY_LOAD_RATE the requests
// per second sent to each target (default 1,000). LLMPROXY_PORTKEY_URL adds a running
// @portkey-ai/gateway (see bench/portkey) in front of the same mock. LLMPROXY_LOAD_FLOOR=1
// adds reference hops that show where the proxy's time goes: a TCP relay that parses
// nothing, a bare httputil.ReverseProxy (what any net/http proxy pays), and the same
// proxy handler served by a plain http.Server instead of the collector's confighttp
// server stack (client info, otelhttp instrumentation, decompression, body limit).

func loadDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("LLMPROXY_LOAD_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 5 * time.Second
}

func loadRate() int {
	if n, err := strconv.Atoi(os.Getenv("LLMPROXY_LOAD_RATE")); err == nil && n > 0 {
		return n
	}
	return 1000
}

func runLoad(b *testing.B, body string, ttfb bool) {
	mock := startMock(b)
	p := startProxy(b, mock, nil)
	auth := http.Header{"Authorization": {"Bearer " + testKey}}
	const path = "/v1/chat/completions"
	targets := []loadgen.Target{
		{Name: "direct", URL: mock.URL + path, Header: auth},
		{Name: "llmproxy", URL: p.URL + path, Header: auth},
	}
	if os.Getenv("LLMPROXY_LOAD_FLOOR") != "" {
		targets = append(targets,
			loadgen.Target{Name: "tcprelay", URL: startTCPRelay(b, mock.URL) + path, Header: auth},
			loadgen.Target{Name: "reverseproxy", URL: startReverseProxy(b, mock.URL) + path, Header: auth},
			loadgen.Target{Name: "plainserver", URL: startPlainServer(b, p.rcv.handler) + path, Header: auth})
	}
	if pk := os.Getenv("LLMPROXY_PORTKEY_URL"); pk != "" {
		h := auth.Clone()
		h.Set("X-Portkey-Provider", "openai")
		h.Set("X-Portkey-Custom-Host", mock.URL+"/v1")
		targets = append(targets, loadgen.Target{Name: "portkey", URL: pk + path, Header: h})
	}
	const warmup = 200
	b.ResetTimer()
	rep, err := loadgen.Run(loadgen.Options{
		Targets: targets, Rate: loadRate(), Duration: loadDuration(), Body: []byte(body), Warmup: warmup,
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	direct := rep.Results[0]
	pick := func(r loadgen.Result) []time.Duration {
		if ttfb {
			return r.TTFB
		}
		return r.Total
	}
	for _, r := range rep.Results {
		for _, q := range []struct {
			name string
			p    float64
		}{{"p50", 0.50}, {"p99", 0.99}} {
			v := loadgen.Percentile(pick(r), q.p)
			b.ReportMetric(float64(v.Microseconds()), r.Name+"-"+q.name+"-µs")
			if r.Name != direct.Name {
				b.ReportMetric(float64((v - loadgen.Percentile(pick(direct), q.p)).Microseconds()), r.Name+"-added-"+q.name+"-µs")
			}
		}
		b.ReportMetric(float64(len(r.Total)), r.Name+"-requests")
		if r.Errors > 0 {
			b.Errorf("%s: %d requests failed, last: %v", r.Name, r.Errors, r.LastError)
		}
	}
	b.ReportMetric(float64(loadgen.Percentile(rep.Lag, 0.99).Microseconds()), "schedule-lag-p99-µs")
	b.ReportMetric(100*rep.HostBusy, "host-busy-%")
	b.ReportMetric(rep.LoadBefore, "loadavg-before")
	b.ReportMetric(rep.LoadAfter, "loadavg-after")
	b.ReportMetric(100*rep.ProcessCPU.Seconds()/loadDuration().Seconds()/float64(rep.CPUs), "process-cpu-%")
	// Every proxied call must have become a span, also under load.
	spans := 0
	for _, r := range rep.Results {
		if r.Name == "llmproxy" || r.Name == "plainserver" {
			spans += len(r.Total) + r.Errors + warmup
		}
	}
	p.waitSpans(b, spans)
}

// BenchmarkAddedLatency: non-streamed chat completions.
func BenchmarkAddedLatency(b *testing.B) { runLoad(b, chatBody, false) }

// BenchmarkAddedTTFB: streamed chat completions, time to the first byte of the body.
func BenchmarkAddedTTFB(b *testing.B) { runLoad(b, streamBody, true) }

// startTCPRelay starts a relay that copies bytes between the client and upstream: the
// least any hop can add.
func startTCPRelay(tb testing.TB, upstream string) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ln.Close() })
	addr := strings.TrimPrefix(upstream, "http://")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer u.Close()
				go func() { _, _ = io.Copy(u, c); _ = u.(*net.TCPConn).CloseWrite() }()
				_, _ = io.Copy(c, u)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// startPlainServer serves h with a plain http.Server.
func startPlainServer(tb testing.TB, h http.Handler) string {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// startReverseProxy starts a bare net/http reverse proxy: the least an HTTP-aware hop
// built on the standard library adds.
func startReverseProxy(tb testing.TB, upstream string) string {
	tb.Helper()
	u, _ := url.Parse(upstream)
	rp := httputil.NewSingleHostReverseProxy(u)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 512
	rp.Transport = tr
	srv := httptest.NewServer(rp)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// BenchmarkRoundTrip is the sequential cost of one call, direct and proxied, for CPU
// and allocation profiles. Client, mock and proxy share the process, so every figure
// counts all three; the proxy's share is proxied minus direct.
func BenchmarkRoundTrip(b *testing.B) {
	mock := startMock(b)
	p := startProxy(b, mock, nil)
	auth := http.Header{"Authorization": {"Bearer " + testKey}}
	for _, tc := range []struct{ name, url, body string }{
		{"direct/chat", mock.URL, chatBody},
		{"proxied/chat", p.URL, chatBody},
		{"direct/stream", mock.URL, streamBody},
		{"proxied/stream", p.URL, streamBody},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, err := loadgen.NewClient(loadgen.Target{Name: tc.name, URL: tc.url + "/v1/chat/completions", Header: auth}, []byte(tc.body))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				if _, _, err := c.Do(); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time, unlike wall time, does not grow with the machine's other load:
			// proxied minus direct is what the proxy costs per call.
			b.ReportMetric(float64((cputime.Process()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
