package normalize

import (
	"errors"
	"fmt"
	"strings"
)

// Config selects what the normalizer does. The zero value is not useful; start from
// DefaultConfig.
type Config struct {
	// KeepOriginals keeps the source attributes (and folded span events and log records)
	// next to the semconv ones. Default true: backends that read the source convention
	// keep working.
	KeepOriginals bool `mapstructure:"keep_originals"`
	// Sources enables or disables each source convention.
	Sources SourcesConfig `mapstructure:"sources"`
	// CustomMappings copy attributes before any convention is mapped, so a custom
	// attribute can feed the standard pipeline (for example into gen_ai.request.model).
	CustomMappings []Mapping `mapstructure:"custom_mappings"`
}

// SourcesConfig enables or disables each source convention. All default to true.
type SourcesConfig struct {
	SemconvLegacy bool `mapstructure:"semconv_legacy"`
	OpenInference bool `mapstructure:"openinference"`
	OpenLLMetry   bool `mapstructure:"openllmetry"`
	Vercel        bool `mapstructure:"vercel"`
	Langfuse      bool `mapstructure:"langfuse"`
	OpenAIJS      bool `mapstructure:"openai_js"`
	Feedback      bool `mapstructure:"feedback"`
}

// Mapping copies the attribute From to To when To is absent. The value keeps its type.
type Mapping struct {
	From string `mapstructure:"from"`
	To   string `mapstructure:"to"`
}

// DefaultConfig keeps originals and enables every convention.
func DefaultConfig() Config {
	return Config{
		KeepOriginals: true,
		Sources: SourcesConfig{
			SemconvLegacy: true, OpenInference: true, OpenLLMetry: true,
			Vercel: true, Langfuse: true, OpenAIJS: true, Feedback: true,
		},
	}
}

// Validate reports every bad custom mapping, naming the entry and the fix.
func (c *Config) Validate() error {
	var errs []error
	targets := make(map[string]int, len(c.CustomMappings))
	for i, m := range c.CustomMappings {
		from, to := strings.TrimSpace(m.From), strings.TrimSpace(m.To)
		switch {
		case from == "":
			errs = append(errs, fmt.Errorf("custom_mappings[%d].from: empty; set the source attribute name", i))
		case from != m.From:
			errs = append(errs, fmt.Errorf("custom_mappings[%d].from: %q has surrounding spaces; remove them", i, m.From))
		}
		switch {
		case to == "":
			errs = append(errs, fmt.Errorf("custom_mappings[%d].to: empty; set the target attribute name, e.g. gen_ai.request.model", i))
		case to != m.To:
			errs = append(errs, fmt.Errorf("custom_mappings[%d].to: %q has surrounding spaces; remove them", i, m.To))
		case from == to:
			errs = append(errs, fmt.Errorf("custom_mappings[%d]: from and to are both %q; a mapping must copy to a different attribute", i, m.To))
		}
		if j, dup := targets[m.To]; dup && to != "" {
			errs = append(errs, fmt.Errorf("custom_mappings[%d].to: %q is already the target of custom_mappings[%d]; keep one", i, m.To, j))
		} else {
			targets[m.To] = i
		}
	}
	return errors.Join(errs...)
}

func (s SourcesConfig) enabled() Sources {
	var ss Sources
	for src, on := range map[Source]bool{
		SemconvLegacy: s.SemconvLegacy, OpenInference: s.OpenInference, OpenLLMetry: s.OpenLLMetry,
		Vercel: s.Vercel, Langfuse: s.Langfuse, OpenAIJS: s.OpenAIJS, Feedback: s.Feedback,
	} {
		if on {
			ss = ss.with(src)
		}
	}
	return ss.with(Custom).with(Semconv)
}
