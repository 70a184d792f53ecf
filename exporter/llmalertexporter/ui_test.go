package llmalertexporter

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter/internal/metadata"
	"github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/route"
	"github.com/otelcol-llm/otelcol-llm/internal/ui/uitest"
)

// startStore starts an llmstore extension on a free loopback port.
func startStore(t *testing.T) (extension.Extension, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := ln.Addr().String()
	ln.Close()
	f := llmstoreextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*llmstoreextension.Config)
	cfg.NetAddr.Endpoint = endpoint
	cfg.Path = filepath.Join(t.TempDir(), "llm.db")
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ext.Shutdown(context.Background()) })
	return ext, "http://" + endpoint
}

// TestAlertsInStoreUI mounts the API on the llmstore (api.store) and works a firing
// alert from the web UI in headless Chromium: list, acknowledge, silence, expire.
func TestAlertsInStoreUI(t *testing.T) {
	hook := &webhookSink{}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	store, ui := startStore(t)
	storeID := component.MustNewIDWithName("llmstore", "ui")
	start := time.Now().Truncate(time.Minute)
	tr := &traffic{start: start}
	h := startHarness(t, t.TempDir(), srv.URL, start, func(cfg *Config, exts map[component.ID]component.Component) {
		cfg.API.Store = &storeID
		exts[storeID] = store
	})
	defer h.stop()
	h.run(tr, 3*time.Minute, 0.10)
	waitFor(t, "firing notification", func() bool { return hook.statuses() == "firing" })

	b := uitest.New(t)
	b.Do(chromedp.Navigate(ui+"/#/alerts"), chromedp.WaitVisible("#alert-list"))
	if n := b.Count("#alert-list tr[data-alert]"); n != 1 {
		t.Fatalf("alert list shows %d alerts, want 1", n)
	}
	row := b.Text("#alert-list tr[data-alert]")
	for _, want := range []string{"LLMErrorRateHigh", "firing", "critical", "service.name=chat-api", "0.1"} {
		if !strings.Contains(row, want) {
			t.Errorf("alert row lacks %q:\n%s", want, row)
		}
	}
	// The rules being evaluated, with the firing one's active count.
	if rule := b.Text(`#rule-list tr[data-rule="LLMErrorRateHigh"]`); !strings.Contains(rule, "threshold") ||
		!strings.Contains(rule, "critical") || !strings.Contains(rule, "ok") || !strings.Contains(rule, "\t1\t") {
		t.Errorf("rule row: %q", rule)
	}

	alerts := func() []APIAlert {
		_, body := h.api("GET", "/api/v1/alerts", nil)
		var out []APIAlert
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("alerts: %v: %s", err, body)
		}
		return out
	}
	b.Do(chromedp.Click("#alert-list button.ack"))
	waitFor(t, "acknowledgement", func() bool { a := alerts(); return len(a) == 1 && a[0].Ack != nil && a[0].Ack.By == "web UI" })
	b.Do(chromedp.WaitVisible("#alert-list .badge.ack"))

	b.Do(chromedp.Click("#alert-list button.silence"), chromedp.WaitVisible("form.silence-form"),
		chromedp.SendKeys("form.silence-form input[name=comment]", "rolling back the deploy"),
		chromedp.Click("form.silence-form button[type=submit]"), chromedp.WaitVisible("#silence-list tr[data-silence]"))
	list := b.Text("#silence-list")
	for _, want := range []string{"active", "alertname=LLMErrorRateHigh", "service.name=chat-api", "web UI", "rolling back the deploy"} {
		if !strings.Contains(list, want) {
			t.Errorf("silence list lacks %q:\n%s", want, list)
		}
	}
	if a := alerts(); len(a) != 1 || !a[0].Silenced {
		t.Errorf("the alert is not silenced: %+v", a)
	}

	b.Do(chromedp.Click("#silence-list button.expire"))
	waitFor(t, "expired silence", func() bool {
		_, body := h.api("GET", "/api/v1/silences", nil)
		var ss []route.Silence
		return json.Unmarshal(body, &ss) == nil && len(ss) == 1 && ss[0].Status.State == "expired"
	})
	b.Screenshot(t.ArtifactDir(), "alerts.png")

	cfg := createDefaultConfig().(*Config)
	cfg.API.NetAddr.Endpoint = ""
	cfg.API.Store = &storeID
	second, err := newAlertExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		t.Fatal(err)
	}
	err = second.start(context.Background(), host{exts: map[component.ID]component.Component{storeID: store}})
	if err == nil || !strings.Contains(err.Error(), `api.store: extension "llmstore/ui" already serves an alerts API; only one llmalert exporter can name it`) {
		t.Fatalf("a second exporter on the same store: %v", err)
	}
}

type notAStore struct {
	component.StartFunc
	component.ShutdownFunc
}

func TestAPIStoreMustBeAnLLMStore(t *testing.T) {
	fileStorage := component.MustNewID("file_storage")
	missing := component.MustNewID("llmstore")
	for name, tc := range map[string]struct {
		id   component.ID
		want string
	}{
		"missing":     {missing, `api.store: extension "llmstore" not found; add it under extensions and service.extensions`},
		"not a store": {fileStorage, `api.store: extension "file_storage" is not an llmstore extension`},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.API.NetAddr.Endpoint = ""
			cfg.API.Store = &tc.id
			exp, err := newAlertExporter(cfg, exportertest.NewNopSettings(metadata.Type))
			if err != nil {
				t.Fatal(err)
			}
			err = exp.start(context.Background(), host{exts: map[component.ID]component.Component{fileStorage: notAStore{}}})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("start: %v\nwant %s", err, tc.want)
			}
		})
	}
}
