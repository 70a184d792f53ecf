package llmprocessor

import (
	"errors"

	"github.com/otelcol-llm/otelcol-llm/internal/evaluate"
	"github.com/otelcol-llm/otelcol-llm/internal/judge"
	"github.com/otelcol-llm/otelcol-llm/internal/normalize"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
	"github.com/otelcol-llm/otelcol-llm/internal/redact"
)

// Config configures the stages of the llm processor. Each stage can be turned off on its
// own; the zero-configuration processor (`llm:`) runs normalization, pricing, the built-in
// evaluators and redaction with defaults. The model-graded judge is opt-in.
//
// The collector validates every nested struct that has a Validate method. Each stage
// therefore embeds its library's settings as a defined type without methods, and the
// stage's own Validate checks them only when the stage is enabled, so that an error is
// reported once, as "pricing: prices[0].model: required".
type Config struct {
	Normalize  NormalizeConfig  `mapstructure:"normalize"`
	Pricing    PricingConfig    `mapstructure:"pricing"`
	Evaluation EvaluationConfig `mapstructure:"evaluation"`
	Redaction  RedactionConfig  `mapstructure:"redaction"`
	Judge      JudgeConfig      `mapstructure:"judge"`
	// EvaluationJoin gives evaluations that arrive apart from their call (user feedback,
	// judge results, evaluation log records) the call's dimensions.
	EvaluationJoin EvaluationJoinConfig `mapstructure:"evaluation_join"`
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

// EvaluationSettings are the built-in evaluators' options (see internal/evaluate).
type EvaluationSettings evaluate.Config

// EvaluationConfig is the stage of deterministic quality checks, run on raw content
// before redaction.
type EvaluationConfig struct {
	Enabled            bool `mapstructure:"enabled"`
	EvaluationSettings `mapstructure:",squash"`
}

// Validate checks the stage's settings when it is enabled.
func (c *EvaluationConfig) Validate() error {
	if !c.Enabled {
		return nil
	}
	return c.library().Validate()
}

func (c *EvaluationConfig) library() *evaluate.Config {
	return (*evaluate.Config)(&c.EvaluationSettings)
}

// JudgeSettings are the model-graded evaluation options (see internal/judge).
type JudgeSettings judge.Config

// JudgeConfig is model-graded evaluation of a sample of calls, after redaction.
type JudgeConfig struct {
	Enabled       bool `mapstructure:"enabled"`
	JudgeSettings `mapstructure:",squash"`
}

// Validate checks the judge's settings when it is enabled.
func (c *JudgeConfig) Validate() error {
	if !c.Enabled {
		return nil
	}
	return c.library().Validate()
}

func (c *JudgeConfig) library() *judge.Config { return (*judge.Config)(&c.JudgeSettings) }

// EvaluationJoinConfig sizes the memory of recent calls that evaluations are joined to.
type EvaluationJoinConfig struct {
	// MaxCalls is how many recent calls are remembered (about 30 bytes each); 0 turns the
	// join off.
	MaxCalls int `mapstructure:"max_calls"`
}

// Validate rejects a negative size.
func (c *EvaluationJoinConfig) Validate() error {
	if c.MaxCalls < 0 {
		return errors.New("max_calls: negative; set 0 to turn the join off, or a number of calls such as 100000")
	}
	return nil
}

func createDefaultConfig() *Config {
	return &Config{
		Normalize:  NormalizeConfig{Enabled: true, NormalizeSettings: NormalizeSettings(normalize.DefaultConfig())},
		Pricing:    PricingConfig{Enabled: true, PricingSettings: PricingSettings(pricing.DefaultConfig())},
		Evaluation: EvaluationConfig{Enabled: true, EvaluationSettings: EvaluationSettings(evaluate.DefaultConfig())},
		Redaction:  RedactionConfig{Enabled: true, RedactionSettings: RedactionSettings(redact.DefaultConfig())},
		Judge:      JudgeConfig{JudgeSettings: JudgeSettings(judge.DefaultConfig())},

		EvaluationJoin: EvaluationJoinConfig{MaxCalls: 100_000},
	}
}
