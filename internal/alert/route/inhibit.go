package route

import (
	"fmt"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// InhibitConfig mutes target alerts while a matching source alert fires with the same
// values of the equal labels (a critical alert inhibits the warning of the same labels).
type InhibitConfig struct {
	Name           string   `mapstructure:"name"`
	SourceMatchers []string `mapstructure:"source_matchers"`
	TargetMatchers []string `mapstructure:"target_matchers"`
	Equal          []string `mapstructure:"equal"`
}

type inhibitRule struct {
	source, target labels.Matchers
	equal          []string
}

func newInhibitRule(i int, c InhibitConfig) (*inhibitRule, error) {
	src, err := labels.ParseMatchers(c.SourceMatchers)
	if err != nil {
		return nil, fmt.Errorf("inhibit_rules[%d].source_matchers: %w", i, err)
	}
	tgt, err := labels.ParseMatchers(c.TargetMatchers)
	if err != nil {
		return nil, fmt.Errorf("inhibit_rules[%d].target_matchers: %w", i, err)
	}
	if len(src) == 0 || len(tgt) == 0 {
		return nil, fmt.Errorf("inhibit_rules[%d]: needs source_matchers and target_matchers", i)
	}
	return &inhibitRule{source: src, target: tgt, equal: c.Equal}, nil
}

// inhibits reports whether a firing source alert mutes target. A missing label equals an
// empty one; an alert matching both sides is not inhibited by one that also does.
func (r *inhibitRule) inhibits(source, target labels.Labels) bool {
	if !r.source.Matches(source) || !r.target.Matches(target) {
		return false
	}
	if source.Fingerprint() == target.Fingerprint() {
		return false
	}
	for _, l := range r.equal {
		if source.Get(l) != target.Get(l) {
			return false
		}
	}
	if r.source.Matches(target) && r.target.Matches(source) {
		return false
	}
	return true
}
