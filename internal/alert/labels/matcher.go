package labels

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MatchType is one of the four Alertmanager/PromQL matcher operators.
type MatchType int

const (
	MatchEqual MatchType = iota
	MatchNotEqual
	MatchRegexp
	MatchNotRegexp
)

func (t MatchType) String() string {
	return [...]string{"=", "!=", "=~", "!~"}[t]
}

// Matcher tests one label. Regexps are anchored on both ends, as in Alertmanager.
type Matcher struct {
	Type  MatchType
	Name  string
	Value string
	re    *regexp.Regexp
}

// NewMatcher compiles a matcher.
func NewMatcher(t MatchType, name, value string) (*Matcher, error) {
	m := &Matcher{Type: t, Name: name, Value: value}
	if t == MatchRegexp || t == MatchNotRegexp {
		re, err := regexp.Compile("^(?:" + value + ")$")
		if err != nil {
			return nil, fmt.Errorf("matcher %s%s%q: invalid regexp: %w", name, t, value, err)
		}
		m.re = re
	}
	return m, nil
}

// Matches tests a label value ("" when the label is absent).
func (m *Matcher) Matches(v string) bool {
	switch m.Type {
	case MatchEqual:
		return v == m.Value
	case MatchNotEqual:
		return v != m.Value
	case MatchRegexp:
		return m.re.MatchString(v)
	default:
		return !m.re.MatchString(v)
	}
}

func (m *Matcher) String() string {
	return m.Name + m.Type.String() + strconv.Quote(m.Value)
}

// Matchers is a conjunction.
type Matchers []*Matcher

// Matches reports whether every matcher holds on ls.
func (ms Matchers) Matches(ls Labels) bool {
	for _, m := range ms {
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}

func (ms Matchers) String() string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// ParseMatcher parses `name OP value` as written in Alertmanager route `matchers`:
// the value may be double-quoted or bare.
func ParseMatcher(s string) (*Matcher, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "=!")
	if i <= 0 {
		return nil, fmt.Errorf("matcher %q: want name, operator (=, !=, =~, !~) and value, e.g. severity=\"critical\"", s)
	}
	name := strings.TrimSpace(s[:i])
	rest := s[i:]
	var t MatchType
	switch {
	case strings.HasPrefix(rest, "=~"):
		t, rest = MatchRegexp, rest[2:]
	case strings.HasPrefix(rest, "!~"):
		t, rest = MatchNotRegexp, rest[2:]
	case strings.HasPrefix(rest, "!="):
		t, rest = MatchNotEqual, rest[2:]
	case strings.HasPrefix(rest, "="):
		t, rest = MatchEqual, rest[1:]
	default:
		return nil, fmt.Errorf("matcher %q: unknown operator; use =, !=, =~ or !~", s)
	}
	if !validName(name) {
		return nil, fmt.Errorf("matcher %q: invalid label name %q", s, name)
	}
	value := strings.TrimSpace(rest)
	if strings.HasPrefix(value, `"`) {
		uq, err := strconv.Unquote(value)
		if err != nil {
			return nil, fmt.Errorf("matcher %q: bad quoted value: %w", s, err)
		}
		value = uq
	}
	return NewMatcher(t, name, value)
}

// ParseMatchers parses a list of matcher strings.
func ParseMatchers(ss []string) (Matchers, error) {
	out := make(Matchers, 0, len(ss))
	for _, s := range ss {
		m, err := ParseMatcher(s)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// validName accepts Prometheus label names plus the dots of OpenTelemetry attribute names.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// ValidName reports whether s can be a label name here.
func ValidName(s string) bool { return validName(s) }
