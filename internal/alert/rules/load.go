package rules

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"
)

// File is the shape of a rules file: the same rule fields as in the collector config.
type File struct {
	Rules []Config `mapstructure:"rules"`
}

// LoadFile reads and decodes a rules file. Unknown fields are errors, so a typo such as
// `keep_firing` is reported instead of ignored.
func LoadFile(path string) ([]Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFile(b)
}

// ParseFile decodes the contents of a rules file.
func ParseFile(b []byte) ([]Config, error) {
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if raw == nil {
		return nil, errors.New("empty rules file; expected a top-level `rules:` list")
	}
	var f File
	if err := confmap.NewFromStringMap(raw).Unmarshal(&f); err != nil {
		return nil, err
	}
	return f.Rules, nil
}

// Set is where rules come from: the built-in defaults, rules files and inline rules.
type Set struct {
	// DefaultRules includes the built-in rules (default true).
	DefaultRules bool
	// Disable removes rules by name (typically defaults).
	Disable []string
	// Files are rules files, read in order.
	Files []string
	// Inline rules from the collector config.
	Inline []Config
}

// Resolve merges the set into one list: a rule named like an earlier one replaces it
// (a user rule overrides a default of the same name); disabled names are removed.
// Every rule is validated; the error names the source and the rule.
func (s Set) Resolve() ([]Config, error) {
	var out []Config
	index := map[string]int{}
	add := func(origin string, cfgs []Config) error {
		seen := map[string]bool{}
		for i := range cfgs {
			c := &cfgs[i]
			if err := c.Validate(Catalog); err != nil {
				return fmt.Errorf("%s: rules[%d] (%s): %w", origin, i, c.Alert, err)
			}
			if seen[c.Alert] {
				return fmt.Errorf("%s: rule %q is defined twice", origin, c.Alert)
			}
			seen[c.Alert] = true
			if j, ok := index[c.Alert]; ok {
				out[j] = *c
				continue
			}
			index[c.Alert] = len(out)
			out = append(out, *c)
		}
		return nil
	}
	if s.DefaultRules {
		if err := add("default rules", Defaults()); err != nil {
			return nil, err
		}
	}
	for _, path := range s.Files {
		cfgs, err := LoadFile(path)
		if err != nil {
			return nil, fmt.Errorf("rules file %s: %w", path, err)
		}
		if err := add("rules file "+path, cfgs); err != nil {
			return nil, err
		}
	}
	if err := add("rules", s.Inline); err != nil {
		return nil, err
	}
	for _, name := range s.Disable {
		i, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("disable: no rule named %q", name)
		}
		out[i].Alert = ""
	}
	out = slices.DeleteFunc(out, func(c Config) bool { return c.Alert == "" })
	return out, nil
}
