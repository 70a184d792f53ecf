package notify

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 8, 27, 10, 0, 0, 0, time.UTC)

func sampleData() *Data {
	return NewData("oncall", `{}/{severity="critical"}:{alertname="LLMErrorRateHigh"}`, map[string]string{"alertname": "LLMErrorRateHigh"}, []Alert{
		{
			Status:       StatusFiring,
			Labels:       map[string]string{"alertname": "LLMErrorRateHigh", "severity": "critical", "service.name": "chat-api", "gen_ai.request.model": "gpt-4o"},
			Annotations:  map[string]string{"summary": "LLM error rate 7.1% > 5% (chat-api, gpt-4o)", "runbook_url": "https://runbooks.example.com/llm-errors"},
			StartsAt:     t0,
			GeneratorURL: "http://otelcol:8989/api/v1/rules/LLMErrorRateHigh",
			Fingerprint:  "1a2b3c4d5e6f7a8b",
		},
		{
			Status:       StatusResolved,
			Labels:       map[string]string{"alertname": "LLMErrorRateHigh", "severity": "critical", "service.name": "chat-api", "gen_ai.request.model": "claude-sonnet-4"},
			Annotations:  map[string]string{"summary": "LLM error rate 6.0% > 5% (chat-api, claude-sonnet-4)", "runbook_url": "https://runbooks.example.com/llm-errors"},
			StartsAt:     t0.Add(-10 * time.Minute),
			EndsAt:       t0.Add(-time.Minute),
			GeneratorURL: "http://otelcol:8989/api/v1/rules/LLMErrorRateHigh",
			Fingerprint:  "0f0e0d0c0b0a0908",
		},
	}, "http://otelcol:8989", "new alerts added")
}

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from golden:\n got: %s\nwant: %s", name, got, want)
	}
}

// sink is an HTTP receiver that records bodies and answers with a scripted status.
type sink struct {
	mu     sync.Mutex
	bodies [][]byte
	status []int // answers in order; the last repeats
	reply  string
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	code := http.StatusOK
	if len(s.status) > 0 {
		code = s.status[0]
		if len(s.status) > 1 {
			s.status = s.status[1:]
		}
	}
	if r.Header.Get("Content-Type") != "application/json" {
		code = http.StatusUnsupportedMediaType
	}
	s.bodies = append(s.bodies, b)
	s.mu.Unlock()
	w.WriteHeader(code)
	_, _ = io.WriteString(w, s.reply)
}

func (s *sink) last(t *testing.T) []byte {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bodies) == 0 {
		t.Fatal("nothing received")
	}
	var v any
	if err := json.Unmarshal(s.bodies[len(s.bodies)-1], &v); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return append(out, '\n')
}

func TestPayloads(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		build func(url string) ReceiverConfig
	}{
		{"webhook.json", "", func(u string) ReceiverConfig {
			return ReceiverConfig{Name: "oncall", Webhooks: []WebhookConfig{{URL: configopaque.String(u)}}}
		}},
		{"slack.json", "ok", func(u string) ReceiverConfig {
			return ReceiverConfig{Name: "oncall", Slack: []SlackConfig{{WebhookURL: configopaque.String(u)}}}
		}},
		{"pagerduty_trigger.json", "", func(u string) ReceiverConfig {
			return ReceiverConfig{Name: "oncall", PagerDuty: []PagerDutyConfig{{RoutingKey: "0123456789abcdef0123456789abcdef", URL: u}}}
		}},
		{"msteams.json", "", func(u string) ReceiverConfig {
			return ReceiverConfig{Name: "oncall", Teams: []TeamsConfig{{WebhookURL: configopaque.String(u)}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sink{reply: tt.reply}
			srv := httptest.NewServer(s)
			defer srv.Close()
			r, err := NewReceiver(tt.build(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Integrations[0].Notify(context.Background(), sampleData()); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, s.last(t))
		})
	}
}

func TestPagerDutyResolveKeepsDedupKey(t *testing.T) {
	d := sampleData()
	trigger := NewPagerDutyEvent(d, "k", "src")
	d.Alerts[0].Status = StatusResolved
	d = NewData(d.Receiver, d.GroupKey, d.GroupLabels, d.Alerts, d.ExternalURL, "all alerts resolved")
	resolve := NewPagerDutyEvent(d, "k", "src")
	b, _ := json.Marshal(resolve)
	want := `{"routing_key":"k","event_action":"resolve","dedup_key":"` + trigger.DedupKey + `"}`
	if string(b) != want || len(trigger.DedupKey) != 64 {
		t.Fatalf("resolve = %s\nwant      %s", b, want)
	}
}

func TestRetryClassification(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(string) ReceiverConfig
		status    []int
		reply     string
		wantCalls int
		wantErr   string
	}{
		{"webhook retries 5xx", webhookCfg, []int{500, 502, 200}, "", 3, ""},
		{"webhook does not retry 4xx", webhookCfg, []int{400}, "", 1, "permanent: unexpected status 400"},
		{"webhook does not retry 429", webhookCfg, []int{429}, "", 1, "permanent"},
		{"pagerduty retries 429", func(u string) ReceiverConfig {
			return ReceiverConfig{Name: "pd", PagerDuty: []PagerDutyConfig{{RoutingKey: "k", URL: u}}}
		}, []int{429, 202}, "", 2, ""},
		{"slack garbage body is a permanent error", func(u string) ReceiverConfig {
			return ReceiverConfig{Name: "s", Slack: []SlackConfig{{WebhookURL: configopaque.String(u)}}}
		}, []int{200}, "<html>login</html>", 1, "instead of ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sink{status: tt.status, reply: tt.reply}
			srv := httptest.NewServer(s)
			defer srv.Close()
			r, err := NewReceiver(tt.cfg(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			b := Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Multiplier: 2}
			attempts, err := Deliver(ctx, r.Integrations[0], sampleData(), b, nil)
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if attempts != tt.wantCalls || len(s.bodies) != tt.wantCalls {
				t.Fatalf("attempts %d, calls %d, want %d", attempts, len(s.bodies), tt.wantCalls)
			}
		})
	}
}

func webhookCfg(u string) ReceiverConfig {
	return ReceiverConfig{Name: "w", Webhooks: []WebhookConfig{{URL: configopaque.String(u)}}}
}

func TestNetworkErrorIsRetriedAndURLNotLeaked(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/services/T000/B000/SECRETTOKEN"
	srv.Close() // nothing listens any more
	r, _ := NewReceiver(ReceiverConfig{Name: "s", Slack: []SlackConfig{{WebhookURL: configopaque.String(url)}}})
	retry, err := r.Integrations[0].Notify(context.Background(), sampleData())
	if !retry || err == nil || strings.Contains(err.Error(), "SECRETTOKEN") {
		t.Fatalf("retry=%v err=%v", retry, err)
	}
}

func TestReceiverValidation(t *testing.T) {
	tests := []struct {
		cfg  ReceiverConfig
		want string
	}{
		{ReceiverConfig{}, "name: every receiver needs a name"},
		{ReceiverConfig{Name: "x"}, "no integration"},
		{ReceiverConfig{Name: "x", Webhooks: []WebhookConfig{{URL: "ftp://secret@host"}}}, `webhook_configs[0].url: not an http(s) URL`},
		{ReceiverConfig{Name: "x", PagerDuty: []PagerDutyConfig{{}}}, "pagerduty_configs[0].routing_key: missing"},
		{ReceiverConfig{Name: "x", Email: []EmailConfig{{To: "a@b.c", From: "x@y.z", Smarthost: "nohost"}}}, "email_configs[0].smarthost"},
		{ReceiverConfig{Name: "x", Email: []EmailConfig{{To: "not an address", From: "x@y.z", Smarthost: "h:25"}}}, "email_configs[0].to"},
	}
	for _, tt := range tests {
		_, err := NewReceiver(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.cfg, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the URL: %v", err)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(20, 2)
	start := time.Now()
	for range 4 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// 2 immediate (burst), 2 more at 20/s: ≥ ~100 ms
	if el := time.Since(start); el < 80*time.Millisecond {
		t.Fatalf("4 tokens at 20/s with burst 2 took %s", el)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := NewLimiter(0.001, 1)
	_ = slow.Wait(ctx)
	if err := slow.Wait(ctx); err == nil {
		t.Fatal("Wait ignored a cancelled context")
	}
}

func TestAlertmanagerPush(t *testing.T) {
	ok, bad := &sink{}, &sink{status: []int{400}, reply: `{"message":"invalid label set"}`}
	okSrv, badSrv := httptest.NewServer(ok), httptest.NewServer(bad)
	defer okSrv.Close()
	defer badSrv.Close()
	alerts := []PostableAlert{{
		Labels:       map[string]string{"alertname": "LLMErrorRateHigh", "service.name": "chat-api", "severity": "critical"},
		Annotations:  map[string]string{"summary": "LLM error rate 7.1% > 5%"},
		StartsAt:     t0,
		EndsAt:       t0.Add(4 * time.Minute),
		GeneratorURL: "http://otelcol:8989/api/v1/rules?name=LLMErrorRateHigh",
	}}
	c := NewAlertmanagerClient(AlertmanagerConfig{Endpoints: []string{okSrv.URL, badSrv.URL}})
	err := c.Push(context.Background(), alerts)
	var partial *PartialError
	if !errors.As(err, &partial) || !strings.Contains(err.Error(), "invalid label set") {
		t.Fatalf("err = %v, want a partial error", err)
	}
	golden(t, "alertmanager_push.json", ok.last(t))
	if alerts[0].Labels["service.name"] != "chat-api" {
		t.Fatal("Push modified its input")
	}
	utf8 := NewAlertmanagerClient(AlertmanagerConfig{Endpoints: []string{okSrv.URL}, LabelNames: LabelNamesUTF8})
	if err := utf8.Push(context.Background(), alerts); err != nil || !strings.Contains(string(ok.last(t)), `"service.name"`) {
		t.Fatalf("utf8 names: %v %s", err, ok.last(t))
	}
	down := NewAlertmanagerClient(AlertmanagerConfig{Endpoints: []string{"http://127.0.0.1:1"}})
	if err := down.Push(context.Background(), alerts); err == nil || errors.As(err, &partial) {
		t.Fatalf("all members down: %v", err)
	}
}
