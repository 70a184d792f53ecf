package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/route"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/rules"
)

// startAlertExporter runs a real llmalert exporter evaluating every 50 ms with one rule
// that fires on a gauge above 1, and returns its API address.
func startAlertExporter(t *testing.T) string {
	t.Helper()
	addr := freeAddr(t)
	f := llmalertexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*llmalertexporter.Config)
	cfg.EvaluationInterval = 50 * time.Millisecond
	cfg.DefaultRules = false
	cfg.Rules = []rules.Config{{Alert: "QueueTooLong", Expr: "queue.length > 1", Severity: rules.SeverityHigh}}
	cfg.API.NetAddr.Endpoint = addr
	long := time.Hour
	cfg.Route = route.Config{Receiver: "nowhere", GroupWait: &long}
	cfg.Receivers = []notify.ReceiverConfig{{Name: "nowhere", Webhooks: []notify.WebhookConfig{{URL: configopaque.String("http://127.0.0.1:1/")}}}}
	exp, err := f.CreateMetrics(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("queue.length")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	dp.SetDoubleValue(7)
	dp.Attributes().PutStr("queue", "inference")
	if err := exp.ConsumeMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

func llmctl(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestAlertsAndSilenceCommands(t *testing.T) {
	api := startAlertExporter(t)
	var out string
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out, "firing") {
		if time.Now().After(deadline) {
			t.Fatalf("alert never fired: %q", out)
		}
		time.Sleep(20 * time.Millisecond)
		_, out, _ = llmctl("alerts", "--api", api)
	}
	if !regexp.MustCompile(`(?m)^[0-9a-f]{16}\s+QueueTooLong\s+firing\s+high\s+7\s+\S+\s+queue=inference\s*$`).MatchString(out) {
		t.Fatalf("alerts table:\n%s", out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if code, out, errOut := llmctl("alerts", "--api", api, "--by", "alice", "ack", id); code != 0 || out != id+" acknowledged\n" {
		t.Fatalf("ack: %d %q %q", code, out, errOut)
	}
	if _, out, _ := llmctl("alerts", "--api", api); !strings.Contains(out, "acked by alice") {
		t.Fatalf("after ack:\n%s", out)
	}
	if code, _, errOut := llmctl("alerts", "--api", api, "--by", "bob", "ack", "0000000000000000"); code != 1 || !strings.Contains(errOut, "no firing alert") {
		t.Fatalf("ack unknown: %d %q", code, errOut)
	}
	code, sid, errOut := llmctl("silence", "add", "--api", api, "--author", "bob", "--comment", "deploy", "queue=inference")
	sid = strings.TrimSpace(sid)
	if code != 0 || len(sid) != 32 {
		t.Fatalf("silence add: %d %q %q", code, sid, errOut)
	}
	if _, out, _ := llmctl("alerts", "--api", api); !strings.Contains(out, "silenced") {
		t.Fatalf("alert not shown silenced:\n%s", out)
	}
	if _, out, _ := llmctl("silence", "list", "--api", api); !strings.Contains(out, sid+"  active") || !strings.Contains(out, "queue=inference") {
		t.Fatalf("silence list:\n%s", out)
	}
	if code, out, _ := llmctl("silence", "expire", "--api", api, sid); code != 0 || out != sid+" expired\n" {
		t.Fatalf("expire: %d %q", code, out)
	}
	if code, _, errOut := llmctl("silence", "add", "--api", api, "--comment", "x", "bad matcher"); code != 2 || !strings.Contains(errOut, "want name=value") {
		t.Fatalf("bad matcher: %d %q", code, errOut)
	}
	if code, _, errOut := llmctl("alerts", "--api", "http://127.0.0.1:1"); code != 1 || !strings.Contains(errOut, "cannot reach the llmalert API") {
		t.Fatalf("unreachable: %d %q", code, errOut)
	}
}
