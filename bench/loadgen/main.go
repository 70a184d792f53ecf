// Command loadgen measures what a collector pipeline costs per span: it starts the
// built distribution once per configuration, sends each the same OTLP/HTTP (protobuf)
// chat spans from several concurrent clients, in phases that alternate between the
// configurations, and reads the collector's CPU time from /proc/<pid>/stat around
// every phase. The first configuration is the baseline; every other one is reported
// as a ratio of CPU time per span against it, per round and as the median.
//
// Usage (from the repository root, after make build):
//
//	go run ./bench/loadgen -collector bin/otelcol-llm
//
// See README.md beside this file for the flags and the configurations.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/collectorproc"
)

// configs collects repeated -config name=path flags.
type configs []namedConfig

// namedConfig is a configuration to measure; binary, when set, overrides -collector
// for it (to compare two builds of the distribution in one invocation).
type namedConfig struct{ name, path, binary string }

func (c *configs) String() string {
	var s []string
	for _, n := range *c {
		v := n.name + "=" + n.path
		if n.binary != "" {
			v += "," + n.binary
		}
		s = append(s, v)
	}
	return strings.Join(s, " ")
}

func (c *configs) Set(v string) error {
	name, rest, ok := strings.Cut(v, "=")
	path, binary, _ := strings.Cut(rest, ",")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("-config %q: want name=path[,binary], e.g. -config llm=bench/loadgen/testdata/llm.yaml", v)
	}
	*c = append(*c, namedConfig{name, path, binary})
	return nil
}

type options struct {
	collector  string
	configs    configs
	clients    int
	rate       float64
	duration   time.Duration
	warmup     time.Duration
	rounds     int
	perRequest int
	requests   int
	profileDir string
	logDir     string
	corpus     string
}

func main() {
	var o options
	flag.StringVar(&o.collector, "collector", "bin/otelcol-llm", "collector binary to run")
	flag.Var(&o.configs, "config", "name=path[,binary] of a collector configuration, optionally run by another binary than -collector; repeat it, the first is the baseline (default: baseline and llm from bench/loadgen/testdata)")
	flag.IntVar(&o.clients, "clients", 4, "concurrent clients, one keep-alive connection each")
	flag.Float64Var(&o.rate, "rate", 0, "spans per second in all, spread over the clients; 0 sends as fast as the collector answers")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of one measured phase")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "unmeasured load sent to each collector first")
	flag.IntVar(&o.rounds, "rounds", 3, "measured phases per configuration, interleaved")
	flag.IntVar(&o.perRequest, "spans-per-request", 100, "spans in one export request")
	flag.IntVar(&o.requests, "requests", 64, "distinct requests the clients cycle through")
	flag.StringVar(&o.profileDir, "profile", "", "directory for a CPU profile of each collector during its last phase (the configuration must enable the pprof extension on ${env:LOADGEN_PPROF_PORT})")
	flag.StringVar(&o.corpus, "corpus", corpusChat, "spans to send: chat (unrelated calls), conversations (5 to 10 calls per conversation, each resending the history), unique (one call per conversation, no text repeated) or agents (agent runs with model and tool calls, a few hundred bytes of messages per call)")
	flag.StringVar(&o.logDir, "logs", "", "directory for the collectors' output (default: a temporary directory)")
	flag.Parse()
	if len(o.configs) == 0 {
		o.configs = configs{{name: "baseline", path: "bench/loadgen/testdata/baseline.yaml"}, {name: "llm", path: "bench/loadgen/testdata/llm.yaml"}}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if err := o.validate(); err != nil {
		return err
	}
	c, err := buildCorpus(o.corpus, o.requests, o.perRequest, 42)
	if err != nil {
		return err
	}
	fmt.Printf("corpus %s: %d requests × %d spans, %d bytes of message content per span, %.0f%% of spans with PII or a secret\n",
		o.corpus, len(c.bodies), c.spansPerBody, c.contentBytes, 100*c.piiShare)
	// A store's database grows by gigabytes in a long run: in the default temporary
	// directory it goes when its collector stops; with -logs it stays to be looked at.
	keepData := o.logDir != ""
	if o.logDir == "" {
		if o.logDir, err = os.MkdirTemp("", "loadgen-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(o.logDir, 0o755); err != nil {
		return err
	}
	var cols []*collector
	defer func() {
		for _, col := range cols {
			col.stop()
		}
	}()
	for _, cfg := range o.configs {
		bin := cfg.binary
		if bin == "" {
			bin = o.collector
		}
		col, err := startCollector(ctx, bin, cfg, o.logDir)
		if err != nil {
			return err
		}
		col.keepData = keepData
		cols = append(cols, col)
		fmt.Printf("%s: pid %d, OTLP/HTTP on %s, log %s\n", cfg.name, col.proc.Pid(), col.url, col.log)
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: o.clients,
		DisableCompression:  true,
	}}
	for _, col := range cols {
		if _, err := phase(ctx, client, col, c, o, o.warmup, ""); err != nil {
			return fmt.Errorf("%s warm-up: %w", col.name, err)
		}
	}
	results := make([][]result, len(cols))
	for round := 1; round <= o.rounds; round++ {
		for i, col := range cols {
			profile := ""
			if o.profileDir != "" && round == o.rounds {
				profile = filepath.Join(o.profileDir, col.name+".pprof")
			}
			res, err := phase(ctx, client, col, c, o, o.duration, profile)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", col.name, round, err)
			}
			results[i] = append(results[i], res)
			fmt.Printf("round %d %-10s %s\n", round, col.name, res)
		}
	}
	report(os.Stdout, o, cols, results)
	return nil
}

func (o *options) validate() error {
	switch {
	case o.clients < 1:
		return errors.New("-clients must be at least 1")
	case o.rate < 0:
		return errors.New("-rate must be 0 (as fast as possible) or a positive number of spans per second")
	case o.duration < time.Second:
		return errors.New("-duration must be at least 1s: /proc counts CPU time in 10ms ticks")
	case o.rounds < 1:
		return errors.New("-rounds must be at least 1")
	case o.perRequest < 1 || o.requests < 1:
		return errors.New("-spans-per-request and -requests must be at least 1")
	}
	names := map[string]bool{}
	for _, c := range o.configs {
		if names[c.name] {
			return fmt.Errorf("-config %s: the name is used twice", c.name)
		}
		names[c.name] = true
		if _, err := os.Stat(c.path); err != nil {
			return fmt.Errorf("-config %s: %w", c.name, err)
		}
		bin, flagName := c.binary, "-config "+c.name
		if bin == "" {
			bin, flagName = o.collector, "-collector"
		}
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("%s: %w (build the distribution with make build)", flagName, err)
		}
	}
	return nil
}

// collector is one running distribution.
type collector struct {
	name     string
	proc     *collectorproc.Process
	logFile  *os.File
	url      string // OTLP/HTTP traces endpoint
	pprofURL string
	log      string
	dataDir  string // LOADGEN_DATA_DIR
	keepData bool   // or it is removed when the collector stops
	// sent counts the requests sent over every phase: the index of the next one in the
	// corpus, whose passes must not repeat for this collector.
	sent atomic.Int64
}

// startCollector runs the binary on cfg with free loopback ports in its environment
// (LOADGEN_OTLP_PORT, LOADGEN_METRICS_PORT, LOADGEN_PPROF_PORT, LOADGEN_API_PORT) and a
// data directory of its own (LOADGEN_DATA_DIR, for a store), and waits until its
// OTLP/HTTP receiver listens.
func startCollector(ctx context.Context, bin string, cfg namedConfig, logDir string) (*collector, error) {
	ports, err := collectorproc.FreePorts(4)
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(logDir, cfg.name+"-data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	col := &collector{
		name:     cfg.name,
		url:      fmt.Sprintf("http://127.0.0.1:%d/v1/traces", ports[0]),
		pprofURL: fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile", ports[2]),
		log:      filepath.Join(logDir, cfg.name+".log"),
		dataDir:  dataDir,
	}
	if col.logFile, err = os.Create(col.log); err != nil {
		return nil, err
	}
	col.proc, err = collectorproc.Start(collectorproc.Options{
		Binary: bin,
		Config: cfg.path,
		Env: []string{
			"LOADGEN_OTLP_PORT=" + strconv.Itoa(ports[0]),
			"LOADGEN_METRICS_PORT=" + strconv.Itoa(ports[1]),
			"LOADGEN_PPROF_PORT=" + strconv.Itoa(ports[2]),
			"LOADGEN_API_PORT=" + strconv.Itoa(ports[3]),
			"LOADGEN_DATA_DIR=" + dataDir,
		},
		Output: col.logFile,
	})
	if err != nil {
		col.logFile.Close()
		return nil, fmt.Errorf("%s: %w", cfg.name, err)
	}
	if err := col.proc.WaitPorts(ctx, 60*time.Second, ports[0]); err != nil {
		col.stop()
		return nil, fmt.Errorf("%s: %w; see %s", cfg.name, err, col.log)
	}
	return col, nil
}

func (c *collector) stop() {
	c.proc.Stop()
	c.logFile.Close()
	if !c.keepData {
		_ = os.RemoveAll(c.dataDir)
	}
}

func post(ctx context.Context, client *http.Client, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// result is what one phase measured.
type result struct {
	spans    int64         // spans the collector accepted (HTTP 200)
	refused  int64         // spans in requests answered with another status or an error
	wall     time.Duration // from the first request to the last answer
	cpu      time.Duration // the collector's CPU time over the phase
	rss      int64         // resident set size at the end of the phase
	peak     int64         // peak resident set size of the process so far
	behindBy time.Duration // with -rate: how late the last request was sent
}

func (r result) cpuPerSpan() time.Duration {
	if r.spans == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.spans)
}

func (r result) String() string {
	s := fmt.Sprintf("%9d spans %8.0f spans/s  CPU %6.2fs  %7.2f µs/span  RSS %4d MiB (peak %4d MiB)",
		r.spans, float64(r.spans)/r.wall.Seconds(), r.cpu.Seconds(), float64(r.cpuPerSpan().Nanoseconds())/1e3, r.rss>>20, r.peak>>20)
	if r.refused > 0 {
		s += fmt.Sprintf("  REFUSED %d spans", r.refused)
	}
	if r.behindBy > time.Second {
		s += fmt.Sprintf("  BEHIND the asked rate by %s", r.behindBy.Round(time.Millisecond))
	}
	return s
}

// batchTail is how long the batch processor may still hold data after the last answer
// (its default timeout is 200ms): waited for before the CPU time is read again. An idle
// collector spends nothing measurable in it.
const batchTail = 400 * time.Millisecond

// phase sends load to col for d and measures its CPU time. With profile set, it also
// fetches a CPU profile of the collector covering the phase.
func phase(ctx context.Context, client *http.Client, col *collector, c *corpus, o options, d time.Duration, profile string) (result, error) {
	pid := col.proc.Pid()
	cpu0, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	var profErr chan error
	if profile != "" {
		profErr = make(chan error, 1)
		go func() { profErr <- fetchProfile(ctx, col.pprofURL, d, profile) }()
	}
	var (
		spans, refused atomic.Int64
		behind         atomic.Int64
		wg             sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	perClient := time.Duration(0)
	if o.rate > 0 {
		perClient = time.Duration(float64(time.Second) * float64(c.spansPerBody) * float64(o.clients) / o.rate)
	}
	for k := 0; k < o.clients; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			due := start.Add(time.Duration(k) * perClient / time.Duration(o.clients))
			var body []byte
			for n := 0; ; n++ {
				now := time.Now()
				if perClient > 0 {
					if due.After(now) {
						time.Sleep(due.Sub(now))
						now = time.Now()
					} else if late := now.Sub(due); late > time.Duration(behind.Load()) {
						behind.Store(int64(late))
					}
					due = due.Add(perClient)
				}
				if now.After(end) || ctx.Err() != nil {
					return
				}
				n := int(col.sent.Add(1) - 1)
				body = c.body(body[:0], n)
				status, err := post(ctx, client, col.url, body)
				if err == nil && status == http.StatusOK {
					spans.Add(int64(c.spansIn(n)))
				} else {
					refused.Add(int64(c.spansIn(n)))
				}
			}
		}(k)
	}
	wg.Wait()
	wall := time.Since(start)
	time.Sleep(batchTail)
	cpu1, err := cpuTime(pid)
	if err != nil {
		return result{}, err
	}
	rss, peak, err := memory(pid)
	if err != nil {
		return result{}, err
	}
	if profErr != nil {
		if err := <-profErr; err != nil {
			return result{}, fmt.Errorf("profile: %w", err)
		}
	}
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
	return result{
		spans: spans.Load(), refused: refused.Load(), wall: wall, cpu: cpu1 - cpu0,
		rss: rss, peak: peak, behindBy: time.Duration(behind.Load()),
	}, nil
}

func fetchProfile(ctx context.Context, url string, d time.Duration, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s?seconds=%d", url, int(d.Seconds())), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w (does the configuration enable the pprof extension on ${env:LOADGEN_PPROF_PORT}?)", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// report prints, per configuration, the medians over the rounds, and the ratio of CPU
// time per span against the baseline (the first configuration) computed round by round.
func report(w io.Writer, o options, cols []*collector, results [][]result) {
	rate := "as fast as the collector answers"
	if o.rate > 0 {
		rate = fmt.Sprintf("%.0f spans/s asked", o.rate)
	}
	fmt.Fprintf(w, "\n%d rounds of %s per configuration, interleaved; %d clients, %s; medians over the rounds\n\n",
		o.rounds, o.duration, o.clients, rate)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "configuration\tCPU µs/span\tspans/s\tRSS MiB\tpeak RSS MiB\tCPU ratio to "+cols[0].name+" (min–max)\t")
	for i, col := range cols {
		var cpu, tput, rss, peak, ratio []float64
		for r, res := range results[i] {
			cpu = append(cpu, float64(res.cpuPerSpan().Nanoseconds())/1e3)
			tput = append(tput, float64(res.spans)/res.wall.Seconds())
			rss = append(rss, float64(res.rss>>20))
			peak = append(peak, float64(res.peak>>20))
			if base := results[0][r].cpuPerSpan(); base > 0 {
				ratio = append(ratio, float64(res.cpuPerSpan())/float64(base))
			}
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.0f\t%.0f\t%.0f\t%.2f× (%.2f–%.2f)\t\n", col.name, median(cpu), median(tput), median(rss), median(peak),
			median(ratio), slices.Min(ratio), slices.Max(ratio))
	}
	tw.Flush()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
