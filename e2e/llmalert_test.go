package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// alertWebhook records Alertmanager-format webhook messages (from our exporter or from
// Alertmanager); failing makes it answer 500, as a receiver in an outage.
type alertWebhook struct {
	URL     string
	mu      sync.Mutex
	msgs    []alertMessage
	failing atomic.Bool
	refused atomic.Int64
}

type alertMessage struct {
	Status string `json:"status"`
	Alerts []struct {
		Status string            `json:"status"`
		Labels map[string]string `json:"labels"`
	} `json:"alerts"`
	Received time.Time `json:"-"`
}

func newAlertWebhook(t *testing.T) *alertWebhook {
	t.Helper()
	h := &alertWebhook{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if h.failing.Load() {
			h.refused.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var m alertMessage
		if err := json.Unmarshal(b, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		m.Received = time.Now()
		h.mu.Lock()
		h.msgs = append(h.msgs, m)
		h.mu.Unlock()
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	h.URL = "http://" + l.Addr().String()
	return h
}

// statuses is the sequence of (alertname:status) of every alert in every message.
func (h *alertWebhook) statuses() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.msgs {
		for _, a := range m.Alerts {
			out = append(out, a.Labels["alertname"]+":"+a.Status)
		}
	}
	return out
}

func (h *alertWebhook) count(s string) int {
	n := 0
	for _, x := range h.statuses() {
		if x == s {
			n++
		}
	}
	return n
}

// genAITraffic posts GenAI chat spans over OTLP/HTTP every 200 ms; errorRatio (per mille)
// decides how many of the 10 spans of each batch fail.
type genAITraffic struct {
	errorPerMille atomic.Int64
	stop          chan struct{}
	done          chan struct{}
}

func startGenAITraffic(t *testing.T, otlpPorts ...int) *genAITraffic {
	t.Helper()
	g := &genAITraffic{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(g.done)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-g.stop:
				return
			case <-tick.C:
			}
			body := genAISpans(10, int(g.errorPerMille.Load()*10/1000))
			for _, p := range otlpPorts {
				resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/v1/traces", p), "application/x-protobuf", bytes.NewReader(body))
				if err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	t.Cleanup(g.Stop)
	return g
}

func (g *genAITraffic) Stop() {
	select {
	case <-g.stop:
	default:
		close(g.stop)
		<-g.done
	}
}

func genAISpans(n, failed int) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "chat-api")
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	now := time.Now()
	for i := range n {
		s := ss.AppendEmpty()
		var tid [16]byte
		var sid [8]byte
		_, _ = rand.Read(tid[:])
		_, _ = rand.Read(sid[:])
		s.SetTraceID(pcommon.TraceID(tid))
		s.SetSpanID(pcommon.SpanID(sid))
		s.SetName("chat gpt-4o")
		s.SetKind(ptrace.SpanKindClient)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-800 * time.Millisecond)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
		a := s.Attributes()
		a.PutStr("gen_ai.operation.name", "chat")
		a.PutStr("gen_ai.provider.name", "openai")
		a.PutStr("gen_ai.request.model", "gpt-4o")
		a.PutInt("gen_ai.usage.input_tokens", 100)
		a.PutInt("gen_ai.usage.output_tokens", 20)
		if i < failed {
			s.Status().SetCode(ptrace.StatusCodeError)
			a.PutStr("error.type", "rate_limit_exceeded")
		}
	}
	b, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	return b
}

// alertmanagerBinary finds Alertmanager: upstream name first, then the Debian package's.
func alertmanagerBinary(t *testing.T) string {
	if p, err := exec.LookPath("alertmanager"); err == nil {
		return p
	}
	return requireTool(t, "prometheus-alertmanager")
}

// amProcess is one Alertmanager started by a test.
type amProcess struct {
	URL    string
	Gossip string
	cmd    *exec.Cmd
	out    *syncBuffer
	done   chan struct{}
}

// startAlertmanager starts an Alertmanager that forwards to webhookURL with group_wait 1s.
// With peers, it joins a gossip cluster on loopback.
func startAlertmanager(t *testing.T, webhookURL string, gossipPort int, peers ...string) *amProcess {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %s
        send_resolved: true
`, webhookURL)
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	args := []string{"--config.file=" + filepath.Join(dir, "am.yml"), "--storage.path=" + filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port)}
	p := &amProcess{URL: fmt.Sprintf("http://127.0.0.1:%d", port), out: &syncBuffer{}, done: make(chan struct{})}
	if gossipPort == 0 {
		args = append(args, "--cluster.listen-address=")
	} else {
		p.Gossip = fmt.Sprintf("127.0.0.1:%d", gossipPort)
		args = append(args, "--cluster.listen-address="+p.Gossip, "--cluster.advertise-address="+p.Gossip,
			"--cluster.peer-timeout=3s", "--cluster.gossip-interval=100ms", "--cluster.pushpull-interval=1s", "--cluster.settle-timeout=2s")
		for _, peer := range peers {
			args = append(args, "--cluster.peer="+peer)
		}
	}
	p.cmd = exec.Command(alertmanagerBinary(t), args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("alertmanager %s output:\n%s", p.URL, p.out.String())
		}
	})
	waitForPort(t, port, 30*time.Second)
	return p
}

func (p *amProcess) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// alertCollectorConfig is a pipeline spans → llmmetrics → llmalert; sink is the alertmanager
// or route/receivers section of the exporter.
func alertCollectorConfig(otlpPort, apiPort int, storageDir, sink string) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
connectors:
  llmmetrics:
    flush_interval: 500ms
extensions:
  file_storage:
    directory: %s
exporters:
  llmalert:
    evaluation_interval: 1s
    lookback: 15s
    default_rules: false
    rules:
      - alert: LLMErrorRateHigh
        expr: sum by (service.name) (rate(otelcol_llm.errors[5s])) / sum by (service.name) (rate(otelcol_llm.requests[5s])) > 0.05
        severity: critical
        annotations:
          summary: 'LLM error rate {{ humanizePercentage $value }} ({{ index $labels "service.name" }})'
%s
    api:
      endpoint: 127.0.0.1:%d
    storage: file_storage
service:
  extensions: [file_storage]
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [llmmetrics]
    metrics:
      receivers: [llmmetrics]
      exporters: [llmalert]
`, otlpPort, storageDir, sink, apiPort)
}

func alertmanagerSink(ams ...*amProcess) string {
	var urls []string
	for _, a := range ams {
		urls = append(urls, a.URL)
	}
	return fmt.Sprintf("    alertmanager:\n      endpoints: [%s]\n      resend_delay: 2s", strings.Join(urls, ", "))
}

func webhookSink(url string) string {
	return fmt.Sprintf(`    route:
      receiver: hook
      group_by: [alertname]
      group_wait: 0s
      group_interval: 1s
      repeat_interval: 1h
    receivers:
      - name: hook
        webhook_configs:
          - url: %s`, url)
}

// TestLLMAlertPushesToAlertmanager: failing model calls breach the error-rate rule; a real
// Alertmanager receives the alert and notifies its webhook, and later the resolution.
func TestLLMAlertPushesToAlertmanager(t *testing.T) {
	hook := newAlertWebhook(t)
	am := startAlertmanager(t, hook.URL, 0)
	otlp, api := freePort(t), freePort(t)
	StartCollector(t, alertCollectorConfig(otlp, api, t.TempDir(), alertmanagerSink(am)), otlp, api)
	traffic := startGenAITraffic(t, otlp)
	traffic.errorPerMille.Store(300)
	Eventually(t, 60*time.Second, "Alertmanager to notify the firing alert", func() bool { return hook.count("LLMErrorRateHigh:firing") > 0 })
	traffic.errorPerMille.Store(0)
	Eventually(t, 60*time.Second, "Alertmanager to notify the resolution", func() bool { return hook.count("LLMErrorRateHigh:resolved") > 0 })
}

// TestLLMAlertRestartNeitherRepagesNorForgets kills the collector with SIGKILL while the
// alert fires; the restarted collector must not notify it again and must still send its
// resolution.
func TestLLMAlertRestartNeitherRepagesNorForgets(t *testing.T) {
	hook := newAlertWebhook(t)
	otlp, api, dir := freePort(t), freePort(t), t.TempDir()
	cfg := alertCollectorConfig(otlp, api, dir, webhookSink(hook.URL))
	c := StartCollector(t, cfg, otlp, api)
	traffic := startGenAITraffic(t, otlp)
	traffic.errorPerMille.Store(300)
	Eventually(t, 60*time.Second, "the firing notification", func() bool { return hook.count("LLMErrorRateHigh:firing") > 0 })
	time.Sleep(1500 * time.Millisecond) // let the notification log reach file_storage
	c.Kill()
	StartCollector(t, cfg, otlp, api)
	time.Sleep(8 * time.Second) // still failing: firing, several evaluations and flushes
	if n := hook.count("LLMErrorRateHigh:firing"); n != 1 {
		t.Fatalf("the alert was notified %d times across the restart, want once: %v", n, hook.statuses())
	}
	traffic.errorPerMille.Store(0)
	Eventually(t, 60*time.Second, "the resolution after the restart", func() bool { return hook.count("LLMErrorRateHigh:resolved") == 1 })
}

// TestLLMAlertHighAvailability runs two collectors with the same rules pushing to an
// Alertmanager cluster of two; the webhook behind it gets one notification per alert, and
// notifications still arrive after one collector and one Alertmanager stop.
func TestLLMAlertHighAvailability(t *testing.T) {
	hook := newAlertWebhook(t)
	g1, g2 := freePort(t), freePort(t)
	am1 := startAlertmanager(t, hook.URL, g1)
	am2 := startAlertmanager(t, hook.URL, g2, fmt.Sprintf("127.0.0.1:%d", g1))
	otlp1, api1, otlp2, api2 := freePort(t), freePort(t), freePort(t), freePort(t)
	c1 := StartCollector(t, alertCollectorConfig(otlp1, api1, t.TempDir(), alertmanagerSink(am1, am2)), otlp1, api1)
	StartCollector(t, alertCollectorConfig(otlp2, api2, t.TempDir(), alertmanagerSink(am1, am2)), otlp2, api2)
	traffic := startGenAITraffic(t, otlp1, otlp2)
	traffic.errorPerMille.Store(300)
	Eventually(t, 60*time.Second, "the firing notification", func() bool { return hook.count("LLMErrorRateHigh:firing") > 0 })
	time.Sleep(8 * time.Second) // both collectors keep pushing; both Alertmanagers see the alert
	if n := hook.count("LLMErrorRateHigh:firing"); n != 1 {
		t.Fatalf("%d firing notifications behind the cluster, want exactly 1: %v", n, hook.statuses())
	}
	c1.Kill()
	am1.Stop()
	traffic.errorPerMille.Store(0)
	Eventually(t, 60*time.Second, "the resolution with one collector and one Alertmanager left", func() bool {
		return hook.count("LLMErrorRateHigh:resolved") > 0
	})
	time.Sleep(3 * time.Second)
	if n := hook.count("LLMErrorRateHigh:resolved"); n != 1 {
		t.Fatalf("%d resolved notifications, want 1: %v", n, hook.statuses())
	}
}

// TestLLMAlertReceiverOutage: the webhook answers 500 while the alert fires and resolves;
// after it recovers, both notifications are delivered.
func TestLLMAlertReceiverOutage(t *testing.T) {
	hook := newAlertWebhook(t)
	hook.failing.Store(true)
	otlp, api := freePort(t), freePort(t)
	StartCollector(t, alertCollectorConfig(otlp, api, t.TempDir(), webhookSink(hook.URL)), otlp, api)
	traffic := startGenAITraffic(t, otlp)
	traffic.errorPerMille.Store(300)
	Eventually(t, 60*time.Second, "delivery attempts during the outage", func() bool { return hook.refused.Load() >= 3 })
	time.Sleep(3 * time.Second)
	hook.failing.Store(false)
	Eventually(t, 30*time.Second, "the firing notification after recovery", func() bool { return hook.count("LLMErrorRateHigh:firing") == 1 })
	hook.failing.Store(true)
	traffic.errorPerMille.Store(0)
	refused := hook.refused.Load()
	Eventually(t, 60*time.Second, "failed resolution attempts", func() bool { return hook.refused.Load() >= refused+3 })
	hook.failing.Store(false)
	Eventually(t, 30*time.Second, "the resolution after recovery", func() bool { return hook.count("LLMErrorRateHigh:resolved") == 1 })
}
