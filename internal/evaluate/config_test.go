package evaluate

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap/confmaptest"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Refusal.Phrases) < 100 {
		t.Errorf("%d default refusal phrases, want the lists of every language", len(cfg.Refusal.Phrases))
	}
	langs := map[string]bool{}
	for _, l := range DefaultRefusalPhrases {
		langs[l.Language] = true
	}
	for _, want := range []string{"en", "de", "fr", "es", "it", "pt", "nl", "ja", "zh"} {
		if !langs[want] {
			t.Errorf("no default refusal phrases for %s", want)
		}
	}
}

// TestDocumentedExample loads the example configuration of docs/quality.md.
func TestDocumentedExample(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	if err := cm.Unmarshal(&cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Truncation.Weight != 0.4 || !cfg.Truncation.Enabled || cfg.JSONOutput.Enabled || cfg.OutputLength.BudgetTokens != 800 {
		t.Errorf("settings not applied over the defaults: %+v", cfg)
	}
	if len(cfg.Refusal.Phrases) != len(defaultRefusalPhrases()) || len(cfg.Refusal.ExtraPhrases) != 2 {
		t.Errorf("extra_phrases must add to the defaults: %d phrases, %d extra", len(cfg.Refusal.Phrases), len(cfg.Refusal.ExtraPhrases))
	}
	if len(cfg.Custom) != 2 || cfg.Custom[1].Weight == nil || *cfg.Custom[1].Weight != 1 || cfg.Custom[0].Weight != nil {
		t.Errorf("custom evaluators: %+v", cfg.Custom)
	}
	if _, err := New(cfg); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	one := 1.0
	nan, negative := math.NaN(), -0.5
	tests := []struct {
		name   string
		modify func(*Config)
		errors []string // each must appear in the error
	}{
		{"bad emit", func(c *Config) { c.Emit = "some" }, []string{`emit: "some" is not a choice; use "failing" (default) or "all"`}},
		{"negative weight", func(c *Config) { c.Truncation.Weight = -1 }, []string{"truncation.weight: -1; use a number ≥ 0"}},
		{"NaN weight", func(c *Config) { c.OutputLength.Weight = nan }, []string{"output_length.weight: NaN"}},
		{"empty refusal phrase", func(c *Config) { c.Refusal.Phrases = []string{"no way", "", "nope"} }, []string{"refusal.phrases[1]: empty phrase; remove it"}},
		{"blank extra phrase", func(c *Config) { c.Refusal.ExtraPhrases = []string{"  "} }, []string{"refusal.extra_phrases[0]: empty phrase; remove it"}},
		{"negative budget", func(c *Config) { c.OutputLength.BudgetTokens = -10 }, []string{"output_length.budget_tokens: -10 is negative"}},
		{"custom without name and pattern", func(c *Config) { c.Custom = []CustomCheck{{}} }, []string{
			"custom[0].name: empty; name the evaluator", "custom[0]: neither regex nor phrases is set; set one of them"}},
		{"custom with a bad name", func(c *Config) { c.Custom = []CustomCheck{{Name: "Has Spaces", Regex: "x"}} }, []string{`custom[0].name: "Has Spaces" must be lower case`}},
		{"custom named like a built-in", func(c *Config) { c.Custom = []CustomCheck{{Name: "quality", Regex: "x"}} }, []string{`custom[0].name: "quality" is the name of a built-in evaluation`}},
		{"duplicate custom names", func(c *Config) {
			c.Custom = []CustomCheck{{Name: "a", Regex: "x"}, {Name: "a", Regex: "y"}}
		}, []string{`custom[1].name: "a" is already the name of custom[0]`}},
		{"custom with both regex and phrases", func(c *Config) {
			c.Custom = []CustomCheck{{Name: "a", Regex: "x", Phrases: []string{"y"}}}
		}, []string{"custom[0]: both regex and phrases are set; keep one"}},
		{"bad regex", func(c *Config) { c.Custom = []CustomCheck{{Name: "a", Regex: "(unclosed"}} }, []string{"custom[0].regex: error parsing regexp: missing closing ): `(unclosed`; fix the RE2 expression"}},
		{"empty custom phrase", func(c *Config) { c.Custom = []CustomCheck{{Name: "a", Phrases: []string{"x", ""}}} }, []string{"custom[0].phrases[1]: empty phrase; remove it"}},
		{"bad expect", func(c *Config) { c.Custom = []CustomCheck{{Name: "a", Regex: "x", Expect: "missing"}} }, []string{`custom[0].expect: "missing" is not a choice; use "present" (default) or "absent"`}},
		{"score of 1", func(c *Config) { c.Custom = []CustomCheck{{Name: "a", Regex: "x", Score: one}} }, []string{"custom[0].score: 1 is the score when the expectation fails and must be in [0, 1)"}},
		{"negative custom weight", func(c *Config) { c.Custom = []CustomCheck{{Name: "a", Regex: "x", Weight: &negative}} }, []string{"custom[0].weight: -0.5"}},
		{"too many custom evaluators", func(c *Config) {
			for i := range maxCustom + 1 {
				c.Custom = append(c.Custom, CustomCheck{Name: "c" + strings.Repeat("x", i), Regex: "x"})
			}
		}, []string{"custom: 33 evaluators, at most 32 are allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.modify(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.errors {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if _, err := New(cfg); err == nil {
				t.Error("New accepted the configuration")
			}
		})
	}
}

// TestWeightZeroIsAllowed: a weight of 0 reports a result without lowering the combined
// score.
func TestWeightZeroIsAllowed(t *testing.T) {
	cfg := DefaultConfig()
	zero := 0.0
	cfg.Error.Weight = 0
	cfg.Custom = []CustomCheck{{Name: "report_only", Regex: "x", Weight: &zero}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestUserDocumentation keeps docs/quality.md in step with the code: every default phrase,
// evaluator, label and default weight is documented.
func TestUserDocumentation(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "quality.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, phrase := range defaultRefusalPhrases() {
		if !strings.Contains(text, "`"+phrase+"`") {
			t.Errorf("default refusal phrase %q is not documented", phrase)
		}
	}
	cfg := DefaultConfig()
	for _, b := range cfg.builtins() {
		row := fmt.Sprintf("| `%s` |", b.name)
		i := strings.Index(text, row)
		if i < 0 {
			t.Errorf("evaluator %s has no row in the table", b.name)
			continue
		}
		line := text[i : i+strings.Index(text[i:], "\n")]
		if !strings.HasSuffix(line, fmt.Sprintf("| %.1f |", b.check.Weight)) {
			t.Errorf("the row of %s does not end with its default weight %.1f: %s", b.name, b.check.Weight, line)
		}
	}
	for _, label := range []string{LabelPass, LabelFail, LabelError, LabelTimeout, LabelTruncated, LabelFiltered, LabelRefusal,
		LabelEmpty, LabelInvalidJSON, LabelFencedJSON, LabelSchemaInvalid, LabelOverBudget} {
		if !strings.Contains(text, "`"+label+"`") {
			t.Errorf("label %q is not documented", label)
		}
	}
}
