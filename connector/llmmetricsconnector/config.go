package llmmetricsconnector

import (
	"errors"
	"fmt"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Temporality values.
const (
	TemporalityCumulative = "cumulative"
	TemporalityDelta      = "delta"
)

// Config is the llmmetrics connector configuration. Every field has a working default.
type Config struct {
	// Dimensions are span attributes added to the GenAI operation metrics, for example
	// user.id or gen_ai.conversation.id. Each value is a new series: keep cardinality_limit
	// in mind.
	Dimensions []string `mapstructure:"dimensions"`
	// ResourceDimensions are resource attributes added to every metric except the
	// dependency edges.
	ResourceDimensions []string `mapstructure:"resource_dimensions"`
	// Temporality is cumulative (for Prometheus) or delta.
	Temporality string `mapstructure:"temporality"`
	// FlushInterval is how often metrics are emitted.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// CardinalityLimit is the number of attribute sets per metric family; points of new
	// attribute sets over the limit go to one series with otel.metric.overflow=true.
	CardinalityLimit int `mapstructure:"cardinality_limit"`
	// SeriesExpiration forgets a series that has had no observation for this long; 0
	// keeps series for the life of the collector.
	SeriesExpiration time.Duration `mapstructure:"series_expiration"`
	// Exemplars attach trace and span IDs of recent spans to data points.
	Exemplars ExemplarsConfig `mapstructure:"exemplars"`

	_ struct{}
}

// ExemplarsConfig configures exemplars.
type ExemplarsConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// MaxPerDataPoint is the number of exemplars per data point and flush interval.
	MaxPerDataPoint int `mapstructure:"max_per_data_point"`

	_ struct{}
}

func createDefaultConfig() *Config {
	return &Config{
		ResourceDimensions: []string{genai.ServiceName},
		Temporality:        TemporalityCumulative,
		FlushInterval:      15 * time.Second,
		CardinalityLimit:   5000,
		SeriesExpiration:   5 * time.Minute,
		Exemplars:          ExemplarsConfig{MaxPerDataPoint: 5},
	}
}

// builtinDimensions are the attributes every GenAI operation metric already has.
var builtinDimensions = []string{
	genai.OperationName, genai.ProviderName, genai.RequestModel, genai.ResponseModel,
	genai.ServerAddress, genai.ServerPort, genai.ErrorType, genai.TokenType,
}

// Validate reports every configuration error, each naming its field and the fix.
func (c *Config) Validate() error {
	var errs []error
	seen := map[string]string{}
	check := func(field string, names []string) {
		for i, name := range names {
			at := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case name == "":
				errs = append(errs, fmt.Errorf("%s: attribute name is empty; remove the entry or name an attribute", at))
			case seen[name] != "":
				errs = append(errs, fmt.Errorf("%s: %q is already listed at %s; list each attribute once", at, name, seen[name]))
			default:
				for _, b := range builtinDimensions {
					if name == b {
						errs = append(errs, fmt.Errorf("%s: %q is always a dimension of the GenAI metrics; remove it", at, name))
					}
				}
				seen[name] = at
			}
		}
	}
	check("resource_dimensions", c.ResourceDimensions)
	check("dimensions", c.Dimensions)

	if c.Temporality != TemporalityCumulative && c.Temporality != TemporalityDelta {
		errs = append(errs, fmt.Errorf("temporality: %q is not supported; use %q or %q", c.Temporality, TemporalityCumulative, TemporalityDelta))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("flush_interval: must be positive, got %s", c.FlushInterval))
	}
	if c.CardinalityLimit < 1 {
		errs = append(errs, fmt.Errorf("cardinality_limit: must be at least 1, got %d", c.CardinalityLimit))
	}
	switch {
	case c.SeriesExpiration < 0:
		errs = append(errs, fmt.Errorf("series_expiration: must not be negative, got %s; use 0 to keep series", c.SeriesExpiration))
	case c.SeriesExpiration > 0 && c.FlushInterval > 0 && c.SeriesExpiration < c.FlushInterval:
		errs = append(errs, fmt.Errorf("series_expiration: %s is shorter than flush_interval %s, so series would expire before they are emitted; raise it or use 0",
			c.SeriesExpiration, c.FlushInterval))
	}
	if c.Exemplars.Enabled && c.Exemplars.MaxPerDataPoint < 1 {
		errs = append(errs, fmt.Errorf("exemplars.max_per_data_point: must be at least 1 when exemplars are enabled, got %d", c.Exemplars.MaxPerDataPoint))
	}
	return errors.Join(errs...)
}
