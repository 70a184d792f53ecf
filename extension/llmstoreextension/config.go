package llmstoreextension

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

// Config is the llmstore extension's configuration.
type Config struct {
	// ServerConfig is where the API and web UI listen (default localhost:8686), with TLS
	// and auth (for example bearertokenauth) as for any collector HTTP server.
	confighttp.ServerConfig `mapstructure:",squash"`

	// Path is the database file; its directory is created if missing.
	Path string `mapstructure:"path"`

	Retention RetentionConfig `mapstructure:"retention"`

	// MaxSizeMiB caps the database; over it the oldest data of every signal is evicted
	// first. 0 disables the cap.
	MaxSizeMiB int64 `mapstructure:"max_size_mib"`
}

// RetentionConfig says how long each signal is kept; 0 keeps it forever.
type RetentionConfig struct {
	Traces  time.Duration `mapstructure:"traces"`
	Logs    time.Duration `mapstructure:"logs"`
	Metrics time.Duration `mapstructure:"metrics"`
	Alerts  time.Duration `mapstructure:"alerts"`
	// Content is how long prompts, completions and tool arguments/results are kept; the
	// spans and log records stay, without content, until their own retention.
	Content time.Duration `mapstructure:"content"`
	// CheckInterval is how often the retention job runs.
	CheckInterval time.Duration `mapstructure:"check_interval"`
}

func createDefaultConfig() *Config {
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = "localhost:8686"
	p := store.DefaultPolicy()
	return &Config{
		ServerConfig: server,
		Path:         "data/llmstore.db",
		Retention: RetentionConfig{
			Traces: p.Traces, Logs: p.Logs, Metrics: p.Metrics, Alerts: p.Alerts, Content: p.Content,
			CheckInterval: 5 * time.Minute,
		},
		MaxSizeMiB: p.MaxSizeBytes >> 20,
	}
}

// Validate reports every invalid option with the field and the fix.
func (c *Config) Validate() error {
	var errs []error
	if c.NetAddr.Endpoint == "" {
		errs = append(errs, errors.New(`endpoint must not be empty: set it to "localhost:8686" or another host:port`))
	}
	if c.Path == "" {
		errs = append(errs, errors.New(`path must not be empty: set it to the database file, e.g. "data/llmstore.db"`))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"traces", c.Retention.Traces}, {"logs", c.Retention.Logs}, {"metrics", c.Retention.Metrics},
		{"alerts", c.Retention.Alerts}, {"content", c.Retention.Content},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("retention.%s is %s: must be 0 (keep forever) or positive, e.g. 720h", d.name, d.v))
		}
	}
	if c.Retention.CheckInterval <= 0 {
		errs = append(errs, fmt.Errorf("retention.check_interval is %s: must be positive, e.g. 5m", c.Retention.CheckInterval))
	}
	if c.MaxSizeMiB < 0 {
		errs = append(errs, fmt.Errorf("max_size_mib is %d: must be 0 (no cap) or positive", c.MaxSizeMiB))
	}
	return errors.Join(errs...)
}

// policy converts the configuration into the store's retention policy.
func (c *Config) policy() store.Policy {
	return store.Policy{
		Traces: c.Retention.Traces, Logs: c.Retention.Logs, Metrics: c.Retention.Metrics,
		Alerts: c.Retention.Alerts, Content: c.Retention.Content, MaxSizeBytes: c.MaxSizeMiB << 20,
	}
}
