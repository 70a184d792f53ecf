package llmalertexporter

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/otelcol-llm/otelcol-llm/extension/llmstoreextension"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/route"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/rules"
)

// Config is the llmalert exporter configuration.
type Config struct {
	// EvaluationInterval is how often every rule is evaluated (default 1m).
	EvaluationInterval time.Duration `mapstructure:"evaluation_interval"`
	// Lookback is how old the newest point of a series may be for an instant selector
	// (default 5m, Prometheus' lookback delta).
	Lookback time.Duration `mapstructure:"lookback"`
	// MaxClockSkew rejects points stamped further in the future (default 5m).
	MaxClockSkew time.Duration `mapstructure:"max_clock_skew"`
	// ExternalURL is linked from notifications ($externalURL); default the API address.
	ExternalURL string `mapstructure:"external_url"`
	// ExternalLabels are added to every alert (e.g. cluster), as in Prometheus.
	ExternalLabels map[string]string `mapstructure:"external_labels"`

	// DefaultRules includes the built-in rules (default true).
	DefaultRules bool `mapstructure:"default_rules"`
	// DisableRules removes rules by name, typically defaults.
	DisableRules []string `mapstructure:"disable_rules"`
	// RuleFiles are rules files; they are reloaded when they change.
	RuleFiles []string `mapstructure:"rule_files"`
	// Rules are inline rules; a rule named like a default replaces it.
	Rules []rules.Config `mapstructure:"rules"`

	Route        route.Config            `mapstructure:"route"`
	InhibitRules []route.InhibitConfig   `mapstructure:"inhibit_rules"`
	Receivers    []notify.ReceiverConfig `mapstructure:"receivers"`
	// Retry is the delivery backoff; each delivery is bounded by its route's group_interval.
	Retry notify.Backoff `mapstructure:"retry"`

	// Alertmanager pushes alerts to an Alertmanager cluster with Prometheus semantics.
	Alertmanager notify.AlertmanagerConfig `mapstructure:"alertmanager"`

	// API serves alerts, silences and rules (default localhost:8989; empty endpoint disables).
	API APIConfig `mapstructure:"api"`

	// Storage is a storage extension (file_storage) that keeps alert state, silences,
	// acknowledgements, the notification log and anomaly baselines across restarts.
	Storage *component.ID `mapstructure:"storage"`
}

// APIConfig is the alerts API's own server, and optionally an llmstore extension that
// serves the same API beside its web UI, whose Alerts page calls it on the same origin.
type APIConfig struct {
	confighttp.ServerConfig `mapstructure:",squash"`
	// Store names an llmstore extension; its server also serves the alerts API.
	Store *component.ID `mapstructure:"store"`
}

var _ component.Config = (*Config)(nil)

// Validate checks everything that can be checked before start: rule syntax and kinds,
// receivers, the routing tree, inhibition rules.
func (c *Config) Validate() error {
	if c.EvaluationInterval <= 0 {
		return errors.New("evaluation_interval: must be positive, e.g. 1m")
	}
	if c.Lookback <= 0 {
		return errors.New("lookback: must be positive, e.g. 5m")
	}
	if c.MaxClockSkew < 0 {
		return errors.New("max_clock_skew: must not be negative")
	}
	if c.ExternalURL != "" {
		if u, err := url.Parse(c.ExternalURL); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("external_url: %q is not an absolute URL", c.ExternalURL)
		}
	}
	if c.API.Store != nil && c.API.Store.Type() != llmstoreextension.NewFactory().Type() {
		return fmt.Errorf("api.store: %q is not an llmstore extension; name the llmstore extension (e.g. llmstore) whose UI should show alerts", c.API.Store)
	}
	if _, err := c.ruleSet().Resolve(); err != nil {
		return err
	}
	if _, err := c.dispatcher(notify.Backoff{}, route.Options{}); err != nil {
		return err
	}
	if err := c.Alertmanager.Validate(); err != nil {
		return err
	}
	return nil
}

func (c *Config) ruleSet() rules.Set {
	return rules.Set{DefaultRules: c.DefaultRules, Disable: c.DisableRules, Files: c.RuleFiles, Inline: c.Rules}
}

// dispatcher builds the receivers and the routing tree; nil without receivers.
func (c *Config) dispatcher(b notify.Backoff, opts route.Options) (*route.Dispatcher, error) {
	if len(c.Receivers) == 0 {
		if c.Route.Receiver != "" || len(c.Route.Routes) > 0 {
			return nil, errors.New("route: routes need receivers; add a receivers list")
		}
		return nil, nil
	}
	rs := map[string]*notify.Receiver{}
	for i, rc := range c.Receivers {
		r, err := notify.NewReceiver(rc)
		if err != nil {
			return nil, fmt.Errorf("receivers[%d]: %w", i, err)
		}
		if _, dup := rs[r.Name]; dup {
			return nil, fmt.Errorf("receivers[%d]: receiver %q is defined twice", i, r.Name)
		}
		rs[r.Name] = r
	}
	opts.Backoff = b
	return route.New(route.DispatchConfig{Route: c.Route, Inhibit: c.InhibitRules}, rs, opts)
}
