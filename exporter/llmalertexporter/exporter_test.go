package llmalertexporter

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap/zaptest"

	"github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/route"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/rules"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// host serves the extensions the exporter looks up.
type host struct {
	exts map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.exts }

// webhookSink records Alertmanager-format messages.
type webhookSink struct {
	mu   sync.Mutex
	msgs []notify.WebhookMessage
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m notify.WebhookMessage
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
}

func (s *webhookSink) statuses() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		out = append(out, m.Status)
	}
	return strings.Join(out, ",")
}

// traffic generates cumulative request and error counters every 15 s.
type traffic struct {
	requests, errors float64
	start            time.Time
}

func (tr *traffic) advance(ts time.Time, reqs, errs float64) pmetric.Metrics {
	tr.requests += reqs
	tr.errors += errs
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr(genai.ServiceName, "chat-api")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	for name, v := range map[string]float64{genai.MetricRequests: tr.requests, genai.MetricErrors: tr.errors} {
		m := ms.AppendEmpty()
		m.SetName(name)
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp := sum.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(tr.start))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr(genai.RequestModel, "gpt-4o")
	}
	return md
}

// clock is the harness' time, read by the exporter's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

type harness struct {
	t     *testing.T
	clock *clock
	exp   *alertExporter
	comp  component.Component
	hook  *webhookSink
	store component.Component
}

// startHarness starts the exporter with one webhook receiver and file_storage; configure
// may change the config and add extensions to the host.
func startHarness(t *testing.T, dir string, hookURL string, now time.Time, configure ...func(*Config, map[component.ID]component.Component)) *harness {
	t.Helper()
	ctx := context.Background()
	sf := filestorage.NewFactory()
	scfg := sf.CreateDefaultConfig().(*filestorage.Config)
	scfg.Directory = dir
	ext, err := sf.Create(ctx, extensiontest.NewNopSettings(sf.Type()), scfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(ctx, host{}); err != nil {
		t.Fatal(err)
	}
	storageID := component.NewID(sf.Type())

	cfg := createDefaultConfig().(*Config)
	cfg.EvaluationInterval = time.Hour // cycles are driven by the test
	cfg.DefaultRules = false
	cfg.Rules = []rules.Config{{Alert: "LLMErrorRateHigh", Severity: rules.SeverityCritical,
		Expr:        "sum by (service.name) (rate(otelcol_llm.errors[2m])) / sum by (service.name) (rate(otelcol_llm.requests[2m])) > 0.05",
		Annotations: map[string]string{"summary": "error rate {{ humanizePercentage $value }}"}}}
	zero := time.Duration(0)
	cfg.Route = route.Config{Receiver: "hook", GroupWait: &zero, GroupBy: []string{"alertname"}}
	cfg.Receivers = []notify.ReceiverConfig{{Name: "hook", Webhooks: []notify.WebhookConfig{{URL: configopaque.String(hookURL)}}}}
	cfg.API.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Storage = &storageID
	exts := map[component.ID]component.Component{storageID: ext}
	for _, f := range configure {
		f(cfg, exts)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	set := exportertest.NewNopSettings(metadata.Type)
	set.Logger = zaptest.NewLogger(t)
	set.ID = component.NewID(metadata.Type) // the same identity across restarts
	exp, err := newAlertExporter(cfg, set)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clock: &clock{t: now}, exp: exp, store: ext}
	exp.now = h.clock.Now
	if err := exp.start(ctx, host{exts: exts}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) stop() {
	ctx := context.Background()
	if err := h.exp.shutdown(ctx); err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.Shutdown(ctx); err != nil {
		h.t.Fatal(err)
	}
}

// run feeds 15 s samples for d and evaluates every minute. The groups due after a cycle
// are flushed at that cycle's time, as the dispatcher's goroutine does at once when the
// cycle wakes it; left to that goroutine, a flush could run late, at a later time of the
// harness' clock, and see a later state of the alerts.
func (h *harness) run(tr *traffic, d time.Duration, errRatio float64) {
	for step := time.Duration(0); step < d; step += 15 * time.Second {
		now := h.clock.Add(15 * time.Second)
		_ = h.exp.consume(context.Background(), tr.advance(now, 150, 150*errRatio))
		if now.Sub(tr.start)%time.Minute == 0 {
			h.exp.cycle(context.Background(), now)
			h.exp.disp.Flush()
			h.exp.disp.Wait()
		}
	}
}

func (h *harness) api(method, path string, body any) (int, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+h.exp.apiAddr+path, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFiresNotifiesPersistsAndResolvesAfterRestart(t *testing.T) {
	hook := &webhookSink{}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	dir := t.TempDir()
	start := time.Now().Truncate(time.Minute)
	tr := &traffic{start: start}

	h := startHarness(t, dir, srv.URL, start)
	h.run(tr, 3*time.Minute, 0.10)
	waitFor(t, "firing notification", func() bool { return hook.statuses() == "firing" })

	code, body := h.api("GET", "/api/v1/alerts", nil)
	var alerts []APIAlert
	if err := json.Unmarshal(body, &alerts); code != 200 || err != nil || len(alerts) != 1 {
		t.Fatalf("alerts: %d %s", code, body)
	}
	a := alerts[0]
	if a.State != "firing" || a.Labels["service.name"] != "chat-api" || a.Annotations["summary"] != "error rate 10%" {
		t.Fatalf("alert = %+v", a)
	}
	if code, body := h.api("POST", "/api/v1/alerts/"+a.ID+"/ack", map[string]string{"by": "alice"}); code != 200 {
		t.Fatalf("ack: %d %s", code, body)
	}
	if code, _ := h.api("POST", "/api/v1/alerts/0000000000000000/ack", map[string]string{"by": "alice"}); code != 404 {
		t.Fatalf("ack of an unknown alert: %d", code)
	}
	code, body = h.api("POST", "/api/v1/silences", map[string]any{"matchers": []map[string]any{{"name": "model", "value": "x", "isRegex": false}},
		"endsAt": h.clock.Now().Add(time.Hour), "createdBy": "bob", "comment": "test"})
	if code != 200 {
		t.Fatalf("silence: %d %s", code, body)
	}
	var sil struct{ SilenceID string }
	_ = json.Unmarshal(body, &sil)
	if code, body := h.api("POST", "/api/v1/silences", map[string]any{"matchers": []any{}}); code != 400 || !strings.Contains(string(body), "at least one matcher") {
		t.Fatalf("bad silence: %d %s", code, body)
	}
	if code, _ := h.api("DELETE", "/api/v1/silences/"+sil.SilenceID, nil); code != 200 {
		t.Fatalf("expire: %d", code)
	}
	code, body = h.api("GET", "/api/v1/rules", nil)
	if code != 200 || !strings.Contains(string(body), `"health":"ok"`) {
		t.Fatalf("rules: %d %s", code, body)
	}

	h.stop() // the state is in file_storage now

	h2 := startHarness(t, dir, srv.URL, h.clock.Now())
	code, body = h2.api("GET", "/api/v1/alerts", nil)
	if !strings.Contains(string(body), `"state":"firing"`) || !strings.Contains(string(body), `"by":"alice"`) {
		t.Fatalf("state after restart: %d %s", code, body)
	}
	h2.run(tr, 2*time.Minute, 0.10)
	if got := hook.statuses(); got != "firing" {
		t.Fatalf("after restart the alert was notified again: %s", got)
	}
	h2.run(tr, 6*time.Minute, 0)
	waitFor(t, "resolution", func() bool { return hook.statuses() == "firing,resolved" })
	h2.stop()
}

func TestRuleErrorIsReportedAndOthersGoOn(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.EvaluationInterval = time.Hour
	cfg.API.NetAddr.Endpoint = ""
	cfg.DefaultRules = false
	cfg.Rules = []rules.Config{
		{Alert: "Broken", Severity: "info", Expr: "histogram_quantile(0.9, rate(custom.counter[5m])) > 1"},
		{Alert: "Works", Severity: "info", Expr: "rate(custom.counter[5m]) > 0"},
	}
	exp, err := newAlertExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	exp.now = func() time.Time { return now }
	if err := exp.start(context.Background(), host{}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = exp.shutdown(context.Background()) }()
	tr := &traffic{start: now.Add(-time.Minute)}
	for i := range 3 {
		md := tr.advance(now.Add(time.Duration(i-2)*15*time.Second), 10, 1)
		md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).SetName("custom.counter")
		_ = exp.consume(context.Background(), md)
	}
	exp.cycle(context.Background(), now)
	st := map[string]rules.RuleStatus{}
	for _, rs := range exp.manager().Rules() {
		st[rs.Config.Alert] = rs
	}
	if !strings.Contains(st["Broken"].Health.LastError, "is not a histogram") {
		t.Fatalf("Broken: %+v", st["Broken"].Health)
	}
	if st["Works"].Health.LastError != "" || st["Works"].Active != 1 {
		t.Fatalf("Works: %+v", st["Works"])
	}
}

func TestRulesFileReload(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/rules.yaml"
	write := func(body string, mtime time.Time) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("rules:\n  - alert: First\n    expr: x > 1\n    severity: info\n", time.Now().Add(-time.Hour))
	cfg := createDefaultConfig().(*Config)
	cfg.EvaluationInterval = time.Hour
	cfg.API.NetAddr.Endpoint = ""
	cfg.DefaultRules = false
	cfg.RuleFiles = []string{path}
	exp, err := newAlertExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.start(context.Background(), host{}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = exp.shutdown(context.Background()) }()
	names := func() string {
		var out []string
		for _, r := range exp.manager().Rules() {
			out = append(out, r.Config.Alert)
		}
		return strings.Join(out, ",")
	}
	exp.cycle(context.Background(), time.Now())
	if got := names(); got != "First" {
		t.Fatalf("rules = %s", got)
	}
	write("rules:\n  - alert: First\n    expr: x > 1\n    severity: info\n  - alert: Second\n    expr: y > 1\n    severity: info\n", time.Now())
	exp.cycle(context.Background(), time.Now())
	if got := names(); got != "First,Second" {
		t.Fatalf("after reload: %s", got)
	}
	write("rules:\n  - alert: Broken\n    expr: rate(y) > 1\n    severity: info\n", time.Now().Add(time.Minute))
	exp.cycle(context.Background(), time.Now())
	if got := names(); got != "First,Second" {
		t.Fatalf("an invalid file replaced the running rules: %s", got)
	}
}
