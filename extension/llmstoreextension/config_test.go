package llmstoreextension

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := createDefaultConfig()
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestConfigDefaults(t *testing.T) {
	cfg := loadConfig(t, "")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.NetAddr.Endpoint != "localhost:8686" || cfg.Path != "data/llmstore.db" || cfg.MaxSizeMiB != 1024 {
		t.Errorf("defaults: %+v", cfg)
	}
	r := cfg.Retention
	if r.Traces != 30*24*time.Hour || r.Logs != 90*24*time.Hour || r.Metrics != 365*24*time.Hour ||
		r.Alerts != 90*24*time.Hour || r.Content != 7*24*time.Hour || r.CheckInterval != 5*time.Minute {
		t.Errorf("default retention: %+v", r)
	}
}

func TestConfigCustom(t *testing.T) {
	cfg := loadConfig(t, "custom")
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	p := cfg.policy()
	if cfg.NetAddr.Endpoint != "127.0.0.1:9999" || p.Traces != 168*time.Hour || p.Metrics != 0 ||
		p.Content != 24*time.Hour || p.MaxSizeBytes != 256<<20 || cfg.Retention.CheckInterval != time.Minute {
		t.Errorf("custom: %+v %+v", cfg, p)
	}
}

func TestConfigInvalid(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "invalid"))
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{
		"endpoint must not be empty",
		"path must not be empty",
		"retention.traces is -1h0m0s: must be 0 (keep forever) or positive",
		"retention.content is -5m0s",
		"retention.check_interval is 0s: must be positive",
		"max_size_mib is -1",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
