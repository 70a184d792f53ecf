package llmprocessor

import (
	"github.com/otelcol-llm/otelcol-llm/internal/normalize"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
	"github.com/otelcol-llm/otelcol-llm/internal/redact"
)

// Config configures the three stages of the llm processor. Each stage can be turned off
// on its own; the zero-configuration processor (`llm:`) runs all three with defaults.
//
// The collector validates every nested struct that has a Validate method. Each stage
// therefore embeds its library's settings as a defined type without methods, and the
// stage's own Validate checks them only when the stage is enabled, so that an error is
// reported once, as "pricing: prices[0].model: required".
type Config struct {
	Normalize NormalizeConfig `mapstructure:"normalize"`
	Pricing   PricingConfig   `mapstructure:"pricing"`
	Redaction RedactionConfig `mapstructure:"redaction"`
}

// NormalizeSettings are the normalization options (see internal/normalize).
type NormalizeSettings normalize.Config

// NormalizeConfig is the normalization stage: every source convention to GenAI semconv.
type NormalizeConfig struct {
	Enabled           bool `mapstructure:"enabled"`
	NormalizeSettings `mapstructure:",squash"`
}

// Validate checks the stage's settings when it is enabled.
func (c *NormalizeConfig) Validate() error {
	if !c.Enabled {
		return nil
	}
	return c.library().Validate()
}

func (c *NormalizeConfig) library() *normalize.Config {
	return (*normalize.Config)(&c.NormalizeSettings)
}

// PricingSettings are the price catalog options (see internal/pricing).
type PricingSettings pricing.Config

// PricingConfig is the enrichment stage: cost in USD from the price catalog.
type PricingConfig struct {
	Enabled         bool `mapstructure:"enabled"`
	PricingSettings `mapstructure:",squash"`
}

// Validate checks the stage's settings when it is enabled.
func (c *PricingConfig) Validate() error {
	if !c.Enabled {
		return nil
	}
	return c.library().Validate()
}

func (c *PricingConfig) library() *pricing.Config { return (*pricing.Config)(&c.PricingSettings) }

// RedactionSettings are the PII and secret redaction options (see internal/redact).
type RedactionSettings redact.Config

// RedactionConfig is the last stage: PII and secrets removed before data leaves.
type RedactionConfig struct {
	Enabled           bool `mapstructure:"enabled"`
	RedactionSettings `mapstructure:",squash"`
}

// Validate checks the stage's settings when it is enabled.
func (c *RedactionConfig) Validate() error {
	if !c.Enabled {
		return nil
	}
	return c.library().Validate()
}

func (c *RedactionConfig) library() *redact.Config { return (*redact.Config)(&c.RedactionSettings) }

func createDefaultConfig() *Config {
	return &Config{
		Normalize: NormalizeConfig{Enabled: true, NormalizeSettings: NormalizeSettings(normalize.DefaultConfig())},
		Pricing:   PricingConfig{Enabled: true, PricingSettings: PricingSettings(pricing.DefaultConfig())},
		Redaction: RedactionConfig{Enabled: true, RedactionSettings: RedactionSettings(redact.DefaultConfig())},
	}
}
