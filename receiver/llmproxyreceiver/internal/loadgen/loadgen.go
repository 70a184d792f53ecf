// Package loadgen measures what a hop in front of an HTTP server adds to its latency:
// it sends the same request to several targets (the server itself, and proxies in
// front of it) on one open-loop schedule, interleaved, so that the noise of a shared
// machine hits every target alike.
//
// The client is deliberately cheap, since it competes with the server and the proxy
// for the same cores: each worker owns one keep-alive HTTP/1.1 connection, writes a
// request prepared once in a single write, and reads the response with a minimal
// parser that allocates nothing. It understands what the targets answer (a
// Content-Length or chunked body), not all of HTTP.
package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
)

// Target is one way to reach the server.
type Target struct {
	Name string
	// URL is an http:// URL, path included.
	URL string
	// Header is sent in addition to Host, Content-Type and Content-Length.
	Header http.Header
}

// Options describe a run.
type Options struct {
	Targets []Target
	// Rate is the requests per second sent to each target.
	Rate     int
	Duration time.Duration
	// Body is POSTed as application/json.
	Body []byte
	// Warmup requests are sent to each target, one at a time, before the run.
	Warmup int
}

// Result is what one target showed.
type Result struct {
	Name string
	// Total is the time from writing the request to reading the last response byte;
	// TTFB to the first byte of the body. Both are sorted.
	Total, TTFB []time.Duration
	Errors      int
	LastError   error
}

// Report is the outcome of a run.
type Report struct {
	Results []Result
	// Lag is the delay of each request after its due time (sorted): large values mean
	// the machine could not keep the schedule.
	Lag []time.Duration
	// LoadBefore and LoadAfter are the host's 1-minute load averages.
	LoadBefore, LoadAfter float64
	// HostBusy is the share of all host CPUs that were busy during the run (every
	// process, not only this one), from /proc/stat; -1 when unknown.
	HostBusy float64
	// ProcessCPU is the CPU time (user + system) this process used during the run.
	ProcessCPU time.Duration
	CPUs       int
}

// Percentile returns the p-quantile (0 < p < 1) of sorted durations.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]
}

// Run sends Rate requests per second to each target for Duration. Request i is due at
// start + i/(Rate·len(Targets)) and goes to target i mod len(Targets); a request whose
// worker is still busy when it is due goes as soon as the worker is free (its lag is
// reported), so the schedule does not wait for slow answers.
func Run(opts Options) (*Report, error) {
	nt := len(opts.Targets)
	if nt == 0 || opts.Rate <= 0 || opts.Duration <= 0 {
		return nil, errors.New("loadgen: targets, rate and duration are required")
	}
	// Enough workers per target that each has ~50 ms between its requests: a worker is
	// only late when a response takes that long.
	perTarget := max(1, opts.Rate/20)
	workers := make([]*worker, perTarget*nt)
	for i := range workers {
		c, err := NewClient(opts.Targets[i%nt], opts.Body)
		if err != nil {
			return nil, err
		}
		workers[i] = &worker{Client: c}
	}
	defer func() {
		for _, w := range workers {
			w.Close()
		}
	}()
	for range opts.Warmup {
		for t := range nt {
			if _, _, err := workers[t].Do(); err != nil {
				return nil, fmt.Errorf("loadgen: warmup of %s: %w", opts.Targets[t].Name, err)
			}
		}
	}

	interval := time.Second / time.Duration(opts.Rate*nt)
	total := int(opts.Duration / interval)
	for _, w := range workers {
		w.total = make([]time.Duration, 0, total/len(workers)+1)
		w.ttfb = make([]time.Duration, 0, total/len(workers)+1)
		w.lag = make([]time.Duration, 0, total/len(workers)+1)
	}

	report := &Report{LoadBefore: loadAverage(), CPUs: runtime.NumCPU()}
	busy0, all0 := hostCPU()
	cpu0 := cputime.Process()
	start := time.Now().Add(10 * time.Millisecond)
	var wg sync.WaitGroup
	for k, w := range workers {
		wg.Go(func() {
			for i := k; i < total; i += len(workers) {
				due := start.Add(time.Duration(i) * interval)
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				w.lag = append(w.lag, time.Since(due))
				ttfb, tot, err := w.Do()
				if err != nil {
					w.errors++
					w.lastErr = err
					continue
				}
				w.ttfb = append(w.ttfb, ttfb)
				w.total = append(w.total, tot)
			}
		})
	}
	wg.Wait()
	report.ProcessCPU = cputime.Process() - cpu0
	busy1, all1 := hostCPU()
	report.HostBusy = -1
	if all1 > all0 {
		report.HostBusy = float64(busy1-busy0) / float64(all1-all0)
	}
	report.LoadAfter = loadAverage()

	for t, target := range opts.Targets {
		r := Result{Name: target.Name}
		for k := t; k < len(workers); k += nt {
			w := workers[k]
			r.Total = append(r.Total, w.total...)
			r.TTFB = append(r.TTFB, w.ttfb...)
			r.Errors += w.errors
			if w.lastErr != nil {
				r.LastError = w.lastErr
			}
		}
		slices.Sort(r.Total)
		slices.Sort(r.TTFB)
		report.Results = append(report.Results, r)
	}
	for _, w := range workers {
		report.Lag = append(report.Lag, w.lag...)
	}
	slices.Sort(report.Lag)
	return report, nil
}

func buildRequest(u *url.URL, header http.Header, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n")
	b.WriteString("Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n")
	_ = header.Write(&b)
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

type worker struct {
	*Client
	total, ttfb, lag []time.Duration
	errors           int
	lastErr          error
}

// Client sends one prepared request to one target over a keep-alive connection. It is
// not safe for concurrent use.
type Client struct {
	addr    string
	request []byte
	conn    net.Conn
	r       *bufio.Reader
}

// NewClient prepares a client that POSTs body to the target.
func NewClient(t Target, body []byte) (*Client, error) {
	u, err := url.Parse(t.URL)
	if err != nil || u.Scheme != "http" {
		return nil, fmt.Errorf("loadgen: target %s: URL %q must be http://host:port/path", t.Name, t.URL)
	}
	return &Client{addr: u.Host, request: buildRequest(u, t.Header, body)}, nil
}

// Close closes the connection.
func (c *Client) Close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// Do sends the request and reads the whole response; a status other than 200 is an
// error.
func (c *Client) Do() (ttfb, total time.Duration, err error) {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, 0, err
		}
		c.conn = conn
		if c.r == nil {
			c.r = bufio.NewReaderSize(conn, 64<<10)
		} else {
			c.r.Reset(conn)
		}
	}
	start := time.Now()
	if _, err := c.conn.Write(c.request); err != nil {
		c.Close()
		return 0, 0, err
	}
	ttfb, keep, err := readResponse(c.r, start)
	total = time.Since(start)
	if err != nil || !keep {
		c.Close()
	}
	return ttfb, total, err
}

// readResponse reads one response and reports the time from start to the first byte
// of its body, and whether the connection can carry another request.
func readResponse(r *bufio.Reader, start time.Time) (ttfb time.Duration, keep bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	status := 0
	if len(line) >= 12 && bytes.HasPrefix(line, []byte("HTTP/1.")) {
		status, _ = strconv.Atoi(string(line[9:12]))
	}
	if status == 0 {
		return 0, false, fmt.Errorf("malformed status line %q", line)
	}
	length, chunked, keep := int64(-1), false, true
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			length, err = strconv.ParseInt(string(value), 10, 64)
			if err != nil {
				return 0, false, fmt.Errorf("malformed Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	if length != 0 {
		if _, err := r.Peek(1); err != nil {
			return 0, false, err
		}
	}
	ttfb = time.Since(start)
	switch {
	case chunked:
		err = discardChunked(r)
	case length >= 0:
		_, err = r.Discard(int(length))
	default:
		_, err = io.Copy(io.Discard, r)
		keep = false
	}
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("HTTP %d", status)
	}
	return ttfb, keep && err == nil, err
}

func discardChunked(r *bufio.Reader) error {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return err
		}
		sizeHex, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		size, err := strconv.ParseInt(string(sizeHex), 16, 64)
		if err != nil {
			return fmt.Errorf("malformed chunk size %q", sizeHex)
		}
		if size == 0 {
			for { // trailers, then the final empty line
				line, err := r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if _, err := r.Discard(int(size) + 2); err != nil {
			return err
		}
	}
}

func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		return -1
	}
	return v
}

// hostCPU returns the busy and total jiffies of all CPUs of the host.
func hostCPU() (busy, total uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0
	}
	// user nice system idle iowait irq softirq steal; guest time is already in user.
	for i, f := range fields[1:min(len(fields), 9)] {
		v, _ := strconv.ParseUint(f, 10, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}
