package llmproxyreceiver

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Config configures the llmproxy receiver.
type Config struct {
	// ServerConfig is where applications send their requests (default localhost:4000).
	confighttp.ServerConfig `mapstructure:",squash"`

	// Upstreams are the providers requests are forwarded to, by name. A request whose
	// path starts with /<name>/ goes to that upstream (the prefix is removed). When
	// empty, "openai" (https://api.openai.com) and "anthropic" (https://api.anthropic.com)
	// are used.
	Upstreams map[string]UpstreamConfig `mapstructure:"upstreams"`

	// DefaultUpstream receives requests that carry no /<name>/ prefix (Anthropic
	// requests go to the anthropic upstream, if there is one). Default: "openai" when
	// configured, else the only upstream.
	DefaultUpstream string `mapstructure:"default_upstream"`

	// CaptureContent records prompts, completions, system instructions and tool
	// definitions on spans (the llm processor redacts them). Default true.
	CaptureContent bool `mapstructure:"capture_content"`

	// MaxCaptureSize bounds the bytes of one response kept to describe the call: a
	// non-streamed response body, or the accumulated text of a stream. A larger
	// response still reaches the client whole; the span then lacks its details.
	MaxCaptureSize int `mapstructure:"max_capture_size"`

	// ServiceName is the resource service.name of proxied calls whose request does not
	// carry an X-Llm-Service-Name header. Default "llmproxy".
	ServiceName string `mapstructure:"service_name"`

	// ShutdownTimeout is how long in-flight requests (streams, mostly) may take to
	// finish when the collector stops, before their connections are closed.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`

	_ struct{}
}

// UpstreamConfig is one provider endpoint.
type UpstreamConfig struct {
	// ClientConfig holds the endpoint (base URL) and the client settings: tls,
	// proxy_url, headers, keepalive, max_conns_per_host... Its timeout bounds the wait
	// for the upstream's response headers only, so that long streams are not cut.
	confighttp.ClientConfig `mapstructure:",squash"`

	// Provider is the gen_ai.provider.name recorded for calls to this upstream (openai,
	// anthropic, azure.ai.openai, or any name, e.g. ollama). Defaults to the upstream
	// name when that is a known provider.
	Provider string `mapstructure:"provider"`

	_ struct{}
}

const (
	defaultEndpoint        = "localhost:4000"
	defaultMaxCaptureSize  = 4 << 20
	defaultShutdownTimeout = 30 * time.Second
	defaultHeaderTimeout   = 10 * time.Minute
	openAIEndpoint         = "https://api.openai.com"
	anthropicEndpoint      = "https://api.anthropic.com"
)

var _ component.Config = (*Config)(nil)

// Validate checks the configuration at load time.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.MaxCaptureSize <= 0 {
		errs = append(errs, fmt.Errorf("max_capture_size must be positive, got %d (default %d)", cfg.MaxCaptureSize, defaultMaxCaptureSize))
	}
	if cfg.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("shutdown_timeout must not be negative, got %s", cfg.ShutdownTimeout))
	}
	ups := cfg.upstreams()
	for _, name := range sortedNames(ups) {
		if err := validateUpstream(name, ups[name]); err != nil {
			errs = append(errs, fmt.Errorf("upstreams::%s: %w", name, err))
		}
	}
	if _, err := cfg.defaultUpstream(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validateUpstream(name string, up UpstreamConfig) error {
	if name == "" || strings.ContainsAny(name, "/?#%") || name == "v1" {
		return fmt.Errorf("name %q cannot be a path segment: use letters, digits, '-', '_' or '.', and not v1", name)
	}
	if up.Endpoint == "" {
		return errors.New("endpoint is required: the provider's base URL, e.g. https://api.openai.com")
	}
	u, err := url.Parse(up.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint %q must be an absolute http or https URL, e.g. https://api.openai.com", up.Endpoint)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("endpoint %q must not have a query or fragment: clients send their own", up.Endpoint)
	}
	if up.provider(name) == "" {
		return fmt.Errorf("provider is required because %q is not a known provider name: set gen_ai.provider.name, e.g. openai, anthropic, azure.ai.openai or ollama", name)
	}
	if up.Timeout < 0 {
		return fmt.Errorf("timeout must not be negative, got %s", up.Timeout)
	}
	return up.ClientConfig.Validate()
}

// provider is the gen_ai.provider.name of the upstream.
func (up UpstreamConfig) provider(name string) string {
	if up.Provider != "" {
		p, _ := genai.NormalizeProvider(up.Provider)
		return p
	}
	if p, ok := genai.NormalizeProvider(name); ok {
		return p
	}
	return ""
}

// upstreams returns the configured upstreams, or the built-in ones when none are.
func (cfg *Config) upstreams() map[string]UpstreamConfig {
	if len(cfg.Upstreams) > 0 {
		return cfg.Upstreams
	}
	openai, anthropic := confighttp.NewDefaultClientConfig(), confighttp.NewDefaultClientConfig()
	openai.Endpoint, anthropic.Endpoint = openAIEndpoint, anthropicEndpoint
	openai.Timeout, anthropic.Timeout = defaultHeaderTimeout, defaultHeaderTimeout
	return map[string]UpstreamConfig{
		"openai":    {ClientConfig: openai, Provider: genai.ProviderOpenAI},
		"anthropic": {ClientConfig: anthropic, Provider: genai.ProviderAnthropic},
	}
}

func (cfg *Config) defaultUpstream() (string, error) {
	ups := cfg.upstreams()
	names := sortedNames(ups)
	switch {
	case cfg.DefaultUpstream != "":
		if _, ok := ups[cfg.DefaultUpstream]; !ok {
			return "", fmt.Errorf("default_upstream %q is not among the upstreams %q", cfg.DefaultUpstream, names)
		}
		return cfg.DefaultUpstream, nil
	case len(ups) == 1:
		return names[0], nil
	}
	if _, ok := ups["openai"]; ok {
		return "openai", nil
	}
	return "", fmt.Errorf("default_upstream is required with several upstreams and none named openai: set it to one of %q (it receives requests without a /<name>/ path prefix)", names)
}

func sortedNames(m map[string]UpstreamConfig) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
