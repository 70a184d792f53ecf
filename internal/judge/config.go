package judge

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
)

// Config configures model-graded evaluation.
type Config struct {
	// ClientConfig is the OpenAI-compatible endpoint (base URL up to /v1), timeout, TLS
	// and headers of the judge model's API.
	confighttp.ClientConfig `mapstructure:",squash"`
	// APIKey is sent as a bearer token.
	APIKey configopaque.String `mapstructure:"api_key"`
	// Model is the judge model, e.g. gpt-4o-mini.
	Model string `mapstructure:"model"`
	// SampleRate is the fraction of eligible calls graded, decided from the trace ID so that
	// every collector in a chain takes the same decision.
	SampleRate float64 `mapstructure:"sample_rate"`
	// MaxPerMinute is the budget: judge requests per minute. Sampled calls over it are
	// counted and skipped, never queued for later.
	MaxPerMinute int `mapstructure:"max_per_minute"`
	// Concurrency is the number of judge requests in flight.
	Concurrency int `mapstructure:"concurrency"`
	// QueueSize bounds the calls waiting for a worker; a full queue drops (and counts).
	QueueSize int `mapstructure:"queue_size"`
	// MaxContentChars truncates the conversation sent to the judge.
	MaxContentChars int `mapstructure:"max_content_chars"`
	// Rubrics are what the judge grades, each a 0–1 score. Built-in names (relevance,
	// faithfulness, toxicity) need no prompt.
	Rubrics []Rubric `mapstructure:"rubrics"`
}

// Rubric is one graded criterion.
type Rubric struct {
	Name string `mapstructure:"name"`
	// Prompt tells the judge what a score of 1 and of 0 mean. Empty for a built-in name.
	Prompt string `mapstructure:"prompt"`
}

// DefaultConfig grades one call in ten for relevance, at most 30 a minute.
func DefaultConfig() Config {
	client := confighttp.NewDefaultClientConfig()
	client.Endpoint = "https://api.openai.com/v1"
	client.Timeout = 30 * time.Second
	return Config{
		ClientConfig:    client,
		Model:           "gpt-4o-mini",
		SampleRate:      0.1,
		MaxPerMinute:    30,
		Concurrency:     2,
		QueueSize:       64,
		MaxContentChars: 8000,
		Rubrics:         []Rubric{{Name: RubricRelevance}},
	}
}

// Validate reports every bad setting, naming it and the fix.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.Endpoint); c.Endpoint == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("endpoint: %q is not an http(s) URL; set the judge API's base URL, e.g. https://api.openai.com/v1", c.Endpoint))
	}
	if strings.TrimSpace(c.Model) == "" {
		errs = append(errs, errors.New("model: empty; set the judge model, e.g. gpt-4o-mini"))
	}
	if c.SampleRate <= 0 || c.SampleRate > 1 {
		errs = append(errs, fmt.Errorf("sample_rate: %v is outside (0, 1]; e.g. 0.1 grades one call in ten", c.SampleRate))
	}
	if c.MaxPerMinute <= 0 {
		errs = append(errs, fmt.Errorf("max_per_minute: %d; set a positive budget of judge requests per minute", c.MaxPerMinute))
	}
	if c.Concurrency <= 0 {
		errs = append(errs, fmt.Errorf("concurrency: %d; set at least 1", c.Concurrency))
	}
	if c.QueueSize <= 0 {
		errs = append(errs, fmt.Errorf("queue_size: %d; set at least 1", c.QueueSize))
	}
	if c.MaxContentChars < 100 {
		errs = append(errs, fmt.Errorf("max_content_chars: %d; set at least 100", c.MaxContentChars))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: %v; set a positive request timeout, e.g. 30s", c.Timeout))
	}
	if len(c.Rubrics) == 0 {
		errs = append(errs, errors.New("rubrics: empty; list at least one, e.g. [{name: relevance}]"))
	}
	seen := map[string]bool{}
	for i, r := range c.Rubrics {
		switch {
		case strings.TrimSpace(r.Name) == "" || strings.ContainsAny(r.Name, " \t\n\""):
			errs = append(errs, fmt.Errorf("rubrics[%d].name: %q; use a name without spaces or quotes, e.g. relevance", i, r.Name))
		case seen[r.Name]:
			errs = append(errs, fmt.Errorf("rubrics[%d].name: %q is listed twice; keep one", i, r.Name))
		case r.Prompt == "" && builtinPrompts[r.Name] == "":
			errs = append(errs, fmt.Errorf("rubrics[%d].prompt: empty, and %q is not a built-in rubric (%s); write the grading instruction", i, r.Name, strings.Join(BuiltinRubrics(), ", ")))
		}
		seen[r.Name] = true
	}
	return errors.Join(errs...)
}
