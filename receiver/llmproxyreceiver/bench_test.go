package llmproxyreceiver

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The load benchmarks measure what the proxy adds to a call, against the mock upstream
// called directly in the same run: requests alternate between the two targets on one
// open-loop schedule, so machine noise hits both alike.
//
//	go test -run '^$' -bench 'AddedLatency|AddedTTFB' -benchtime 1x ./receiver/llmproxyreceiver/
//
// LLMPROXY_LOAD_SECONDS sets the duration (default 5 s), LLMPROXY_LOAD_RATE the requests
// per second sent to each target (default 1,000 for non-streamed calls, 500 for streams).

func loadDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("LLMPROXY_LOAD_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 5 * time.Second
}

func loadRate(def int) int {
	if n, err := strconv.Atoi(os.Getenv("LLMPROXY_LOAD_RATE")); err == nil && n > 0 {
		return n
	}
	return def
}

func loadClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 512
	return &http.Client{Transport: tr}
}

// measure sends one request and returns the time to the first body byte and to the end.
func measure(c *http.Client, url, body string, header http.Header) (ttfb, total time.Duration, err error) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var one [1]byte
	if _, err := io.ReadFull(resp.Body, one[:]); err != nil {
		return 0, 0, err
	}
	ttfb = time.Since(start)
	_, err = io.Copy(io.Discard, resp.Body)
	return ttfb, time.Since(start), err
}

// target is one way to reach the mock's /v1/chat/completions.
type target struct {
	name   string
	url    string
	header http.Header
	mu     sync.Mutex
	lat    []time.Duration
	errs   int
	err    error
}

func (t *target) add(d time.Duration, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.errs++
		t.err = err
		return
	}
	t.lat = append(t.lat, d)
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// runLoad fires rate requests per second at each target, interleaved, for the load
// duration. With LLMPROXY_PORTKEY_URL set (a running @portkey-ai/gateway, see
// bench/portkey), Portkey is a third target in front of the same mock.
func runLoad(b *testing.B, rate int, body string, useTTFB bool) {
	mock := startMock(b)
	p := startProxy(b, mock, nil)
	client := loadClient()
	targets := []*target{
		{name: "direct", url: mock.URL + "/v1/chat/completions"},
		{name: "llmproxy", url: p.URL + "/v1/chat/completions"},
	}
	if pk := os.Getenv("LLMPROXY_PORTKEY_URL"); pk != "" {
		targets = append(targets, &target{name: "portkey", url: pk + "/v1/chat/completions", header: http.Header{
			"X-Portkey-Provider":    {"openai"},
			"X-Portkey-Custom-Host": {mock.URL + "/v1"},
		}})
	}
	const warmup = 200
	for range warmup {
		for _, t := range targets {
			if _, _, err := measure(client, t.url, body, t.header); err != nil {
				b.Fatalf("%s: %v", t.name, err)
			}
		}
	}
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(len(targets)*rate)
	start := time.Now()
	total := int(loadDuration() / interval)
	b.ResetTimer()
	for i := range total {
		// Open loop: each request has its due time; one that is late (the machine was
		// busy) goes at once, so the asked rate holds on average.
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		t := targets[i%len(targets)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			ttfb, total, err := measure(client, t.url, body, t.header)
			if useTTFB {
				total = ttfb
			}
			t.add(total, err)
		}()
	}
	wg.Wait()
	b.StopTimer()
	direct := targets[0]
	for _, t := range targets {
		for _, q := range []struct {
			name string
			p    float64
		}{{"p50", 0.50}, {"p99", 0.99}} {
			v := pct(t.lat, q.p)
			b.ReportMetric(float64(v.Microseconds()), t.name+"-"+q.name+"-µs")
			if t != direct {
				b.ReportMetric(float64((v - pct(direct.lat, q.p)).Microseconds()), t.name+"-added-"+q.name+"-µs")
			}
		}
		b.ReportMetric(float64(len(t.lat)), t.name+"-requests")
		if t.errs > 0 {
			b.Errorf("%s: %d requests failed, last: %v", t.name, t.errs, t.err)
		}
	}
	// Every proxied call must have become a span, also under load.
	p.waitSpans(b, len(targets[1].lat)+targets[1].errs+warmup)
}

// BenchmarkAddedLatency: non-streamed chat completions.
func BenchmarkAddedLatency(b *testing.B) {
	runLoad(b, loadRate(1000), chatBody, false)
}

// BenchmarkAddedTTFB: streamed chat completions, time to the first byte.
func BenchmarkAddedTTFB(b *testing.B) {
	runLoad(b, loadRate(500), streamBody, true)
}

// processCPU is the CPU time the test process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRoundTrip is the sequential cost of one call, direct and proxied, for CPU
// and allocation profiles. Client, mock and proxy share the process, so every figure
// counts all three; the proxy's share is proxied minus direct.
func BenchmarkRoundTrip(b *testing.B) {
	mock := startMock(b)
	p := startProxy(b, mock, nil)
	client := loadClient()
	for _, tc := range []struct{ name, url, body string }{
		{"direct/chat", mock.URL, chatBody},
		{"proxied/chat", p.URL, chatBody},
		{"direct/stream", mock.URL, streamBody},
		{"proxied/stream", p.URL, streamBody},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if _, _, err := measure(client, tc.url+"/v1/chat/completions", tc.body, nil); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time, unlike wall time, does not grow with the machine's other load:
			// proxied minus direct is what the proxy costs per call.
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
