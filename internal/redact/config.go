package redact

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// Action is what happens to a sensitive value.
type Action string

// Actions.
const (
	// ActionRedact replaces the value by a typed placeholder such as <EMAIL>.
	ActionRedact Action = "redact"
	// ActionMask keeps the last four letters or digits (a card's last 4), or the first
	// letter and the domain of an email, and stars the rest.
	ActionMask Action = "mask"
	// ActionHash replaces the value by a keyed HMAC-SHA256 pseudonym such as
	// <EMAIL:3f9a1c2b7d>: equal values give equal pseudonyms for the same hash_key.
	ActionHash Action = "hash"
	// ActionDrop removes the whole attribute that holds the value.
	ActionDrop Action = "drop"
	// ActionKeep leaves the value as it is; it is still counted.
	ActionKeep Action = "keep"
)

func (a Action) valid() bool {
	switch a {
	case ActionRedact, ActionMask, ActionHash, ActionDrop, ActionKeep:
		return true
	}
	return false
}

// Config is the `redaction:` section of the llm processor, also read by `llmctl redact`.
// Start from DefaultConfig; zero limits and an empty default_action take their defaults.
type Config struct {
	// Detectors turns built-in detectors off (or back on) per entity type, e.g.
	// {IP_ADDRESS: false}. Every built-in detector is on unless listed as false.
	Detectors map[string]bool `mapstructure:"detectors"`
	// DefaultAction applies to every entity type without an entry in Actions.
	DefaultAction Action `mapstructure:"default_action"`
	// Actions per entity type, e.g. {CREDIT_CARD: mask, EMAIL: hash}.
	Actions map[string]Action `mapstructure:"actions"`
	// KeyActions apply to the whole value of the attribute with exactly that key,
	// whatever the value holds, e.g. {user.id: hash, http.request.header.cookie: drop}.
	KeyActions map[string]Action `mapstructure:"key_actions"`
	// SecretKeys are extra key names (matched like the built-in ones: the last
	// dot-separated segment, case-insensitive, equal or as a suffix) whose values are
	// always redacted as SECRET, in attributes and in JSON objects.
	SecretKeys []string `mapstructure:"secret_keys"`
	// AllowedKeys are attribute keys whose values are never scanned or changed.
	AllowedKeys []string `mapstructure:"allowed_keys"`
	// AllowedValues are values that are never redacted even when a detector matches
	// them (e.g. the company's support address). Case-insensitive; a leading '*'
	// matches any value ending with the rest ("*@example.com").
	AllowedValues []string `mapstructure:"allowed_values"`
	// CustomDetectors add entity types found by a regular expression.
	CustomDetectors []CustomDetector `mapstructure:"custom_detectors"`
	// Content is the content capture policy for GenAI message content.
	Content ContentPolicy `mapstructure:"content"`
	// FailClosed replaces a value that cannot be processed (invalid UTF-8, larger than
	// limits.max_value_bytes, over limits.time_budget, JSON nested deeper than
	// limits.max_json_depth) by <UNPROCESSED> instead of passing it on.
	FailClosed bool `mapstructure:"fail_closed"`
	// HashKey is the HMAC key of the hash action. Required (at least 32 bytes) when
	// any action is hash; keep it stable so pseudonyms stay stable across restarts.
	HashKey configopaque.String `mapstructure:"hash_key"`
	// Limits bound the work per value.
	Limits Limits `mapstructure:"limits"`
	// ScanCacheEntries sizes the scan cache: what the detectors found in texts seen
	// before, as fingerprints and the positions and types of the findings (never
	// content), rounded down to a power of two times 8; 0 turns it off. Default 65536
	// (4.2 MiB).
	ScanCacheEntries int `mapstructure:"scan_cache_entries"`
}

// CustomDetector is a user-defined entity type.
type CustomDetector struct {
	// Name is the entity type reported and used in placeholders, e.g. EMPLOYEE_ID.
	Name string `mapstructure:"name"`
	// Regex is a Go (RE2) regular expression; the whole match is the value.
	Regex string `mapstructure:"regex"`
	// Keywords, when set, let the regex run only on text that contains one of them
	// (case-insensitive). Without keywords the regex runs on every value that contains
	// its literal prefix, or on every value when it has none.
	Keywords []string `mapstructure:"keywords"`
	// Validator checks a match before it counts: luhn, mod97 (IBAN-style) or empty.
	Validator string `mapstructure:"validator"`
	// MinEntropy, when set, rejects matches whose Shannon entropy (bits per
	// character) is lower.
	MinEntropy float64 `mapstructure:"min_entropy"`
}

// ContentPolicy selects how much GenAI message content is kept. Each policy is
// "full" (redacted content kept), "none" (text removed; roles, part types, lengths and
// structure kept) or "truncate: N" (text cut to N characters). When a service and an
// operation both have a policy, the stricter one applies.
type ContentPolicy struct {
	// Default applies to every span or log record; "full" when empty.
	Default string `mapstructure:"default"`
	// Services maps a service.name to a policy.
	Services map[string]string `mapstructure:"services"`
	// Operations maps a gen_ai.operation.name (chat, embeddings, execute_tool, ...) to
	// a policy.
	Operations map[string]string `mapstructure:"operations"`
}

// Limits bound the work spent on one value.
type Limits struct {
	// MaxValueBytes is the largest string value scanned. Default 4 MiB.
	MaxValueBytes int `mapstructure:"max_value_bytes"`
	// MaxJSONDepth is the deepest JSON nesting walked (double-encoded JSON counts its
	// outer levels). Default 64.
	MaxJSONDepth int `mapstructure:"max_json_depth"`
	// TimeBudget is the most time spent on one value. Default 100ms.
	TimeBudget time.Duration `mapstructure:"time_budget"`
}

// DefaultConfig returns the configuration of an empty `redaction:` section: every
// built-in detector on with the redact action, secret keys always redacted, content
// kept in full (after redaction), failing closed, with a scan cache of 65536 entries.
func DefaultConfig() Config {
	return Config{
		DefaultAction: ActionRedact,
		Content:       ContentPolicy{Default: "full"},
		FailClosed:    true,
		Limits: Limits{
			MaxValueBytes: 4 << 20,
			MaxJSONDepth:  64,
			TimeBudget:    100 * time.Millisecond,
		},
		ScanCacheEntries: DefaultScanCacheEntries,
	}
}

// Custom regex limits: RE2 has no backtracking, so these bound compile size and the
// per-byte cost of a pattern rather than protect against exponential time.
const (
	maxCustomRegexLen    = 1024
	maxCustomRepeat      = 256
	maxCustomProgramSize = 5000
	minHashKeyLen        = 32
)

// Validate reports every configuration error, each naming the field and the fix.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	custom := map[string]bool{}
	for i, d := range c.CustomDetectors {
		field := fmt.Sprintf("custom_detectors[%d]", i)
		if err := d.validate(); err != nil {
			add("%s: %w", field, err)
		}
		if custom[d.Name] {
			add("%s.name: %q is used twice; give each custom detector its own name", field, d.Name)
		}
		custom[d.Name] = true
	}
	known := func(e string) bool { return pii.IsBuiltIn(pii.Entity(e)) || custom[e] }

	for _, e := range sortedKeys(c.Detectors) {
		if !pii.IsBuiltIn(pii.Entity(e)) {
			add("detectors.%s: unknown entity type; use one of %s", e, builtInList())
		}
	}
	if c.DefaultAction != "" && !c.DefaultAction.valid() {
		add("default_action: %q is not an action; use redact, mask, hash, drop or keep", c.DefaultAction)
	}
	usesHash := c.DefaultAction == ActionHash
	for _, e := range sortedKeys(c.Actions) {
		a := c.Actions[e]
		if !known(e) {
			add("actions.%s: unknown entity type; use one of %s or a custom detector's name", e, builtInList())
		}
		if !a.valid() {
			add("actions.%s: %q is not an action; use redact, mask, hash, drop or keep", e, a)
		}
		usesHash = usesHash || a == ActionHash
	}
	for _, k := range sortedKeys(c.KeyActions) {
		a := c.KeyActions[k]
		switch {
		case a == ActionKeep:
			add("key_actions.%s: keep is what allowed_keys is for; move %q to allowed_keys", k, k)
		case !a.valid():
			add("key_actions.%s: %q is not an action; use redact, mask, hash or drop", k, a)
		}
		usesHash = usesHash || a == ActionHash
	}
	for i, k := range c.SecretKeys {
		if strings.TrimSpace(k) == "" {
			add("secret_keys[%d]: empty key name; remove it", i)
		}
	}
	for i, v := range c.AllowedValues {
		if strings.TrimPrefix(v, "*") == "" {
			add("allowed_values[%d]: %q would allow every value; remove it or write the value", i, v)
		}
	}
	if usesHash && len(c.HashKey) < minHashKeyLen {
		add("hash_key: the hash action needs a secret key of at least %d bytes (have %d); set hash_key, e.g. from ${env:REDACTION_HASH_KEY}", minHashKeyLen, len(c.HashKey))
	}
	if _, err := parsePolicy(c.Content.Default); err != nil {
		add("content.default: %w", err)
	}
	for _, s := range sortedKeys(c.Content.Services) {
		if _, err := parsePolicy(c.Content.Services[s]); err != nil {
			add("content.services.%s: %w", s, err)
		}
	}
	for _, o := range sortedKeys(c.Content.Operations) {
		if _, err := parsePolicy(c.Content.Operations[o]); err != nil {
			add("content.operations.%s: %w", o, err)
		}
	}
	if c.Limits.MaxValueBytes < 0 {
		add("limits.max_value_bytes: must be positive (or 0 for the default 4 MiB)")
	}
	if c.Limits.MaxJSONDepth < 0 {
		add("limits.max_json_depth: must be positive (or 0 for the default 64)")
	}
	if c.Limits.TimeBudget < 0 {
		add("limits.time_budget: must be positive (or 0 for the default 100ms)")
	}
	if n := c.ScanCacheEntries; n != 0 && (n < cacheWays || n > maxScanCacheEntries) {
		add("scan_cache_entries: %d is out of range; use 0 to turn the cache off, or %d to %d entries (default %d)", n, cacheWays, maxScanCacheEntries, DefaultScanCacheEntries)
	}
	return errors.Join(errs...)
}

func (d CustomDetector) validate() error {
	var errs []error
	if d.Name == "" {
		errs = append(errs, errors.New("name: required; e.g. EMPLOYEE_ID"))
	} else if pii.IsBuiltIn(pii.Entity(d.Name)) {
		errs = append(errs, fmt.Errorf("name: %q is a built-in entity type; choose another name", d.Name))
	} else if !validEntityName(d.Name) {
		errs = append(errs, fmt.Errorf("name: %q must be letters, digits and underscores (it appears in placeholders), e.g. EMPLOYEE_ID", d.Name))
	}
	if _, err := compileCustomRegex(d.Regex); err != nil {
		errs = append(errs, fmt.Errorf("regex: %w", err))
	}
	switch d.Validator {
	case "", "luhn", "mod97":
	default:
		errs = append(errs, fmt.Errorf("validator: %q is unknown; use luhn, mod97 or leave it empty", d.Validator))
	}
	if d.MinEntropy < 0 || d.MinEntropy > 8 {
		errs = append(errs, fmt.Errorf("min_entropy: %v is outside 0..8 bits per character", d.MinEntropy))
	}
	for i, k := range d.Keywords {
		if k == "" {
			errs = append(errs, fmt.Errorf("keywords[%d]: empty keyword would match everything; remove it", i))
		}
	}
	return errors.Join(errs...)
}

// compileCustomRegex compiles a user pattern and rejects patterns that would cost too
// much or match everywhere.
func compileCustomRegex(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, errors.New("required")
	}
	if len(expr) > maxCustomRegexLen {
		return nil, fmt.Errorf("pattern is %d characters long; keep it under %d", len(expr), maxCustomRegexLen)
	}
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("does not compile: %w", err)
	}
	if n := maxRepeat(parsed); n > maxCustomRepeat {
		return nil, fmt.Errorf("repetition count %d is larger than %d; use + or * or a smaller bound", n, maxCustomRepeat)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, fmt.Errorf("does not compile: %w", err)
	}
	if len(prog.Inst) > maxCustomProgramSize {
		return nil, fmt.Errorf("pattern compiles to %d instructions (limit %d); simplify nested repetitions", len(prog.Inst), maxCustomProgramSize)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("does not compile: %w", err)
	}
	if re.MatchString("") {
		return nil, errors.New("pattern matches the empty string, so it would match everywhere; require at least one character (use + instead of *)")
	}
	return re, nil
}

func maxRepeat(re *syntax.Regexp) int {
	m := 0
	if re.Op == syntax.OpRepeat {
		m = max(re.Min, re.Max)
	}
	for _, s := range re.Sub {
		m = max(m, maxRepeat(s))
	}
	return m
}

func validEntityName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return s != ""
}

func builtInList() string {
	names := make([]string, len(pii.BuiltIn))
	for i, e := range pii.BuiltIn {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// policy is a parsed content capture policy. truncate < 0 means full, 0 means none.
type policy struct{ truncate int }

var (
	policyFull = policy{truncate: -1}
	policyNone = policy{truncate: 0}
)

func parsePolicy(s string) (policy, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	switch t {
	case "", "full":
		return policyFull, nil
	case "none":
		return policyNone, nil
	}
	if rest, ok := strings.CutPrefix(t, "truncate:"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(rest))
		if err != nil || n <= 0 {
			return policy{}, fmt.Errorf("%q: N in \"truncate: N\" must be a positive number of characters", s)
		}
		return policy{truncate: n}, nil
	}
	return policy{}, fmt.Errorf("%q is not a content policy; use full, none or \"truncate: N\" (quoted in YAML)", s)
}

// stricter returns the policy that keeps less content.
func stricter(a, b policy) policy {
	switch {
	case a.truncate < 0:
		return b
	case b.truncate < 0:
		return a
	case a.truncate < b.truncate:
		return a
	}
	return b
}
