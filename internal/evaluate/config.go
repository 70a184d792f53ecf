package evaluate

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Emit values: which results become span events.
const (
	// EmitFailing writes results with a score below 1, and the combined score always: the
	// rate of a failure is its count over the count of combined scores.
	EmitFailing = "failing"
	// EmitAll writes every result of every evaluator that applied.
	EmitAll = "all"
)

// Expect values of a custom evaluator.
const (
	ExpectPresent = "present"
	ExpectAbsent  = "absent"
)

// maxCustom bounds the custom evaluators, so that Stats stays a fixed-size value.
const maxCustom = 32

// Config selects and weighs the built-in evaluators. Start from DefaultConfig. Nested types
// have no Validate method on purpose: the collector validates every nested struct that has
// one, even when the stage that embeds this configuration is disabled.
type Config struct {
	// Emit is "failing" (default) or "all".
	Emit string `mapstructure:"emit"`

	Error             Check             `mapstructure:"error"`
	Truncation        Check             `mapstructure:"truncation"`
	ContentFilter     Check             `mapstructure:"content_filter"`
	Refusal           RefusalCheck      `mapstructure:"refusal"`
	EmptyOutput       Check             `mapstructure:"empty_output"`
	JSONOutput        Check             `mapstructure:"json_output"`
	ToolCallArguments Check             `mapstructure:"tool_call_arguments"`
	OutputLength      OutputLengthCheck `mapstructure:"output_length"`

	// Custom evaluators: a regex or phrase list that must (or must not) appear in the output.
	Custom []CustomCheck `mapstructure:"custom"`
}

// Check is the setting every built-in evaluator has.
type Check struct {
	Enabled bool `mapstructure:"enabled"`
	// Weight is how much a failure lowers the combined score: a result with score s costs
	// weight × (1 − s).
	Weight float64 `mapstructure:"weight"`
}

// RefusalCheck configures the refusal evaluator.
type RefusalCheck struct {
	Check `mapstructure:",squash"`
	// Phrases replaces the default phrase list; ExtraPhrases adds to it.
	Phrases      []string `mapstructure:"phrases"`
	ExtraPhrases []string `mapstructure:"extra_phrases"`
}

// OutputLengthCheck configures the output length evaluator, which applies only once a
// budget is set.
type OutputLengthCheck struct {
	Check `mapstructure:",squash"`
	// BudgetTokens is the expected maximum of gen_ai.usage.output_tokens; 0 turns the check off.
	BudgetTokens int64 `mapstructure:"budget_tokens"`
}

// CustomCheck is an evaluator defined in configuration.
type CustomCheck struct {
	Name string `mapstructure:"name"`
	// Regex (RE2 syntax) or Phrases (matched like refusal phrases, anywhere in the output).
	Regex   string   `mapstructure:"regex"`
	Phrases []string `mapstructure:"phrases"`
	// Expect is "present" (default) or "absent".
	Expect string `mapstructure:"expect"`
	// Score is the result when the expectation fails (default 0); a match scores 1.
	Score float64 `mapstructure:"score"`
	// Weight in the combined score; default 0.5.
	Weight *float64 `mapstructure:"weight"`
}

// Default weights. Hard failures (the call failed, produced nothing, or was blocked) zero
// the combined score on their own; answers that exist but cannot be used as intended weigh
// 0.8; a truncated answer may still be useful, and a long one usually is.
const (
	DefaultWeightError             = 1.0
	DefaultWeightEmptyOutput       = 1.0
	DefaultWeightContentFilter     = 1.0
	DefaultWeightRefusal           = 0.8
	DefaultWeightJSONOutput        = 0.8
	DefaultWeightToolCallArguments = 0.8
	DefaultWeightTruncation        = 0.5
	DefaultWeightOutputLength      = 0.3
	DefaultWeightCustom            = 0.5
)

// DefaultConfig enables every built-in evaluator with the default weights and phrases;
// output_length waits for a budget.
func DefaultConfig() Config {
	return Config{
		Emit:              EmitFailing,
		Error:             Check{Enabled: true, Weight: DefaultWeightError},
		Truncation:        Check{Enabled: true, Weight: DefaultWeightTruncation},
		ContentFilter:     Check{Enabled: true, Weight: DefaultWeightContentFilter},
		Refusal:           RefusalCheck{Check: Check{Enabled: true, Weight: DefaultWeightRefusal}, Phrases: defaultRefusalPhrases()},
		EmptyOutput:       Check{Enabled: true, Weight: DefaultWeightEmptyOutput},
		JSONOutput:        Check{Enabled: true, Weight: DefaultWeightJSONOutput},
		ToolCallArguments: Check{Enabled: true, Weight: DefaultWeightToolCallArguments},
		OutputLength:      OutputLengthCheck{Check: Check{Enabled: true, Weight: DefaultWeightOutputLength}},
	}
}

// customName is what a custom evaluator's name may look like: it becomes a metric label.
var customName = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// Validate reports every problem, naming the field and the fix.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch c.Emit {
	case EmitFailing, EmitAll:
	default:
		add("emit: %q is not a choice; use %q (default) or %q", c.Emit, EmitFailing, EmitAll)
	}
	for _, ch := range c.builtins() {
		validateWeight(add, ch.name+".weight", ch.check.Weight)
	}
	validatePhrases(add, "refusal.phrases", c.Refusal.Phrases)
	validatePhrases(add, "refusal.extra_phrases", c.Refusal.ExtraPhrases)
	if c.OutputLength.BudgetTokens < 0 {
		add("output_length.budget_tokens: %d is negative; set the expected maximum of output tokens, or 0 to turn the check off", c.OutputLength.BudgetTokens)
	}
	if len(c.Custom) > maxCustom {
		add("custom: %d evaluators, at most %d are allowed; merge some (one regex can test several patterns)", len(c.Custom), maxCustom)
	}
	seen := map[string]int{}
	for i, cc := range c.Custom {
		field := fmt.Sprintf("custom[%d]", i)
		switch {
		case cc.Name == "":
			add("%s.name: empty; name the evaluator, e.g. mentions_competitor", field)
		case !customName.MatchString(cc.Name):
			add("%s.name: %q must be lower case letters, digits, '_', '.' or '-', starting with a letter (it becomes a metric label)", field, cc.Name)
		case builtinName(cc.Name):
			add("%s.name: %q is the name of a built-in evaluation; choose another name", field, cc.Name)
		default:
			if j, dup := seen[cc.Name]; dup {
				add("%s.name: %q is already the name of custom[%d]; names must be unique", field, cc.Name, j)
			}
			seen[cc.Name] = i
		}
		switch {
		case cc.Regex == "" && len(cc.Phrases) == 0:
			add("%s: neither regex nor phrases is set; set one of them", field)
		case cc.Regex != "" && len(cc.Phrases) > 0:
			add("%s: both regex and phrases are set; keep one (a regex can list alternatives with |)", field)
		case cc.Regex != "":
			if _, err := regexp.Compile(cc.Regex); err != nil {
				add("%s.regex: %v; fix the RE2 expression", field, err)
			}
		default:
			validatePhrases(add, field+".phrases", cc.Phrases)
		}
		switch cc.Expect {
		case "", ExpectPresent, ExpectAbsent:
		default:
			add("%s.expect: %q is not a choice; use %q (default) or %q", field, cc.Expect, ExpectPresent, ExpectAbsent)
		}
		if !(cc.Score >= 0 && cc.Score < 1) {
			add("%s.score: %v is the score when the expectation fails and must be in [0, 1); use 0 (default) for a hard failure", field, cc.Score)
		}
		if cc.Weight != nil {
			validateWeight(add, field+".weight", *cc.Weight)
		}
	}
	return errors.Join(errs...)
}

func validateWeight(add func(string, ...any), field string, w float64) {
	if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
		add("%s: %v; use a number ≥ 0 (0 reports the result without lowering the combined score)", field, w)
	}
}

func validatePhrases(add func(string, ...any), field string, phrases []string) {
	for i, p := range phrases {
		if strings.TrimSpace(p) == "" {
			add("%s[%d]: empty phrase; remove it", field, i)
		}
	}
}

func builtinName(name string) bool {
	switch name {
	case genai.EvaluatorTruncation, genai.EvaluatorContentFilter, genai.EvaluatorRefusal, genai.EvaluatorEmptyOutput,
		genai.EvaluatorJSONOutput, genai.EvaluatorToolCallArguments, genai.EvaluatorError, genai.EvaluatorOutputLength,
		genai.EvaluationQuality, genai.EvaluationUserFeedback:
		return true
	}
	return false
}

// namedCheck is a built-in check and the name of its results.
type namedCheck struct {
	name  string
	check Check
}

// builtins lists the built-in checks by id, the order their results are written in.
func (c *Config) builtins() [numBuiltins]namedCheck {
	return [numBuiltins]namedCheck{
		idError:         {genai.EvaluatorError, c.Error},
		idTruncation:    {genai.EvaluatorTruncation, c.Truncation},
		idContentFilter: {genai.EvaluatorContentFilter, c.ContentFilter},
		idRefusal:       {genai.EvaluatorRefusal, c.Refusal.Check},
		idEmptyOutput:   {genai.EvaluatorEmptyOutput, c.EmptyOutput},
		idJSONOutput:    {genai.EvaluatorJSONOutput, c.JSONOutput},
		idToolCallArgs:  {genai.EvaluatorToolCallArguments, c.ToolCallArguments},
		idOutputLength:  {genai.EvaluatorOutputLength, c.OutputLength.Check},
	}
}
