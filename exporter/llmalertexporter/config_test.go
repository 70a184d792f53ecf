package llmalertexporter

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-llm/otelcol-llm/exporter/llmalertexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := createDefaultConfig().(*Config)
	sub, err := cm.Sub(component.MustNewIDWithName(metadata.Type.String(), name).String())
	if err != nil {
		t.Fatal(err)
	}
	if name == "" {
		sub, _ = cm.Sub(metadata.Type.String())
	}
	if err := sub.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	if cfg.EvaluationInterval != time.Minute || !cfg.DefaultRules || cfg.API.NetAddr.Endpoint != "localhost:8989" {
		t.Fatalf("defaults: %+v", cfg)
	}
	cfg, err = loadConfig(t, "full")
	if err != nil {
		t.Fatalf("full config: %v", err)
	}
	if len(cfg.Rules) != 3 || len(cfg.Receivers) != 3 || *cfg.Route.GroupWait != 0 || cfg.Storage.String() != "file_storage" ||
		cfg.API.Store.String() != "llmstore/ui" || cfg.API.NetAddr.Endpoint != "localhost:8990" {
		t.Fatalf("full: %+v", cfg)
	}
	if got := string(cfg.Receivers[2].Email[0].AuthPassword); got != "hunter2" {
		t.Fatalf("password = %q", got)
	}
	if s := cfg.Receivers[0].Slack[0].WebhookURL.String(); strings.Contains(s, "XXXX") {
		t.Fatalf("secret printed: %s", s)
	}
	resolved, err := cfg.ruleSet().Resolve()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, r := range resolved {
		names = append(names, r.Alert)
	}
	if got := strings.Join(names, ","); got != "LLMLatencyP99High,LLMErrorRateHigh,LLMQualityScoreLow,LLMTokenSpike,LLMAvailability" {
		t.Fatalf("rules = %s", got)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := map[string]string{
		"bad_quantile":  "rules: rules[0] (Broken): expr: histogram_quantile(...): otelcol_llm.requests is a counter, not a histogram",
		"bad_route":     `route.receiver: no receiver named "pager"`,
		"bad_slack":     `receivers[0]: receiver "slack": slack_configs[0].webhook_url: not an http(s) URL`,
		"bad_severity":  `severity: "page" is not one of critical, high, warning, info`,
		"bad_api_store": `api.store: "file_storage" is not an llmstore extension; name the llmstore extension (e.g. llmstore) whose UI should show alerts`,
	}
	for name, want := range tests {
		_, err := loadConfig(t, name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v\nwant %q", name, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error leaks a secret: %v", name, err)
		}
	}
}
