package llmproxyreceiver

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-llm/otelcol-llm/receiver/llmproxyreceiver/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(component.MustNewIDWithName(metadata.Type.String(), name).String())
	if err != nil {
		t.Fatal(err)
	}
	cfg := createDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cfg
}

func TestLoadConfig(t *testing.T) {
	def := loadConfig(t, "")
	if def.NetAddr.Endpoint != "localhost:4000" || !def.CaptureContent || def.MaxCaptureSize != 4<<20 || def.ShutdownTimeout != 30*time.Second {
		t.Errorf("defaults: %+v", def)
	}
	if def.WriteTimeout != 0 {
		t.Errorf("write_timeout default %s would cut streams", def.WriteTimeout)
	}
	ups := def.upstreams()
	if ups["openai"].Endpoint != "https://api.openai.com" || ups["anthropic"].Endpoint != "https://api.anthropic.com" {
		t.Errorf("built-in upstreams: %+v", ups)
	}
	if name, _ := def.defaultUpstream(); name != "openai" {
		t.Errorf("default upstream %q", name)
	}

	c := loadConfig(t, "custom")
	if c.NetAddr.Endpoint != "0.0.0.0:4100" || c.MaxRequestBodySize != 1<<20 || c.CaptureContent || c.MaxCaptureSize != 65536 || c.ShutdownTimeout != 5*time.Second {
		t.Errorf("custom: %+v", c)
	}
	if len(c.Upstreams) != 3 {
		t.Fatalf("upstreams: %v", c.Upstreams)
	}
	az := c.Upstreams["azure"]
	if az.provider("azure") != "azure.ai.openai" || az.Timeout != 2*time.Minute {
		t.Errorf("azure: %+v", az)
	}
	if p := c.Upstreams["anthropic"].provider("anthropic"); p != "anthropic" {
		t.Errorf("anthropic provider defaults from its name, got %q", p)
	}
	if p := c.Upstreams["ollama"].provider("ollama"); p != "ollama" {
		t.Errorf("ollama provider %q", p)
	}
	if c.Upstreams["anthropic"].TLS.MinVersion != "1.3" {
		t.Errorf("tls settings lost: %+v", c.Upstreams["anthropic"].TLS)
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"no endpoint", func(c *Config) { c.Upstreams = map[string]UpstreamConfig{"openai": {}} }, "upstreams::openai: endpoint is required"},
		{"relative endpoint", func(c *Config) { c.Upstreams = map[string]UpstreamConfig{"openai": upstreamAt("api.openai.com", "")} }, `endpoint "api.openai.com" must be an absolute http or https URL`},
		{"endpoint with query", func(c *Config) {
			c.Upstreams = map[string]UpstreamConfig{"openai": upstreamAt("https://x.example/?key=1", "")}
		}, "must not have a query"},
		{"unknown provider name", func(c *Config) {
			c.Upstreams = map[string]UpstreamConfig{"vllm": upstreamAt("http://localhost:8000", "")}
		}, `upstreams::vllm: provider is required`},
		{"bad name", func(c *Config) {
			c.Upstreams = map[string]UpstreamConfig{"v1": upstreamAt("http://localhost:8000", "openai")}
		}, `name "v1" cannot be a path segment`},
		{"default not an upstream", func(c *Config) { c.DefaultUpstream = "azure" }, `default_upstream "azure" is not among the upstreams`},
		{"ambiguous default", func(c *Config) {
			c.Upstreams = map[string]UpstreamConfig{"a": upstreamAt("http://a", "openai"), "b": upstreamAt("http://b", "openai")}
		}, "default_upstream is required"},
		{"capture size", func(c *Config) { c.MaxCaptureSize = 0 }, "max_capture_size must be positive"},
		{"shutdown timeout", func(c *Config) { c.ShutdownTimeout = -time.Second }, "shutdown_timeout must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tc.mutate(cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestFactoryCreatesAWorkingReceiver(t *testing.T) {
	f := NewFactory()
	if f.Type().String() != "llmproxy" {
		t.Fatalf("type %q", f.Type())
	}
	cfg := f.CreateDefaultConfig().(*Config)
	if err := cfg.Validate(); err != nil {
		t.Fatalf("default config does not validate: %v", err)
	}
	cfg.NetAddr.Endpoint = "127.0.0.1:" + strconv.Itoa(freePort(t))
	rcv, err := f.CreateTraces(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := rcv.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	if err := rcv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
