package llmalertexporter

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/route"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/rules"
)

// BenchmarkFiringToNotification measures, with group_wait 0, the time from the start of
// the evaluation cycle that fires an alert to the webhook receiving it over HTTP.
func BenchmarkFiringToNotification(b *testing.B) {
	got := make(chan time.Time, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got <- time.Now() }))
	defer srv.Close()
	cfg := createDefaultConfig().(*Config)
	cfg.EvaluationInterval = time.Hour
	cfg.API.NetAddr.Endpoint = ""
	cfg.DefaultRules = false
	cfg.Rules = []rules.Config{{Alert: "Hot", Expr: "temperature > 100", Severity: rules.SeverityCritical}}
	zero := time.Duration(0)
	cfg.Route = route.Config{Receiver: "hook", GroupWait: &zero, GroupBy: []string{"..."}}
	cfg.Receivers = []notify.ReceiverConfig{{Name: "hook", Webhooks: []notify.WebhookConfig{{URL: configopaque.String(srv.URL)}}}}
	e, err := newAlertExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	if err := e.start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = e.shutdown(context.Background()) }()
	var total time.Duration
	i := 0
	for b.Loop() {
		i++
		now := time.Now()
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("temperature")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(now))
		dp.SetDoubleValue(120)
		dp.Attributes().PutStr("sensor", fmt.Sprint(i)) // a new alert, a new group
		_ = e.consume(context.Background(), md)
		start := time.Now()
		e.cycle(context.Background(), now)
		select {
		case at := <-got:
			total += at.Sub(start)
		case <-time.After(5 * time.Second):
			b.Fatal("no notification within 5s")
		}
	}
	b.ReportMetric(float64(total.Microseconds())/float64(i)/1000, "ms/notification")
}
