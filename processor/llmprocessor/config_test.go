package llmprocessor

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-llm/otelcol-llm/internal/evaluate"
	"github.com/otelcol-llm/otelcol-llm/internal/judge"
	"github.com/otelcol-llm/otelcol-llm/internal/normalize"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
	"github.com/otelcol-llm/otelcol-llm/internal/redact"
	"github.com/otelcol-llm/otelcol-llm/processor/llmprocessor/internal/metadata"
)

func loadConfig(t *testing.T, file, id string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(file)
	if err != nil {
		t.Fatal(err)
	}
	if id != "" {
		if cm, err = cm.Sub(id); err != nil {
			t.Fatal(err)
		}
	}
	cfg := createDefaultConfig()
	if err := cm.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	custom := createDefaultConfig()
	custom.Normalize.KeepOriginals = false
	custom.Normalize.Sources.Langfuse = false
	custom.Normalize.CustomMappings = []normalize.Mapping{{From: "app.model", To: "gen_ai.request.model"}}
	custom.Pricing.ReloadInterval = time.Minute
	custom.Pricing.Aliases = map[string]string{"prod-gpt4o": "gpt-4o"}
	input, output := 3.0, 12.0
	custom.Pricing.Prices = []pricing.ModelPrice{{Model: "my-finetune", PriceSpec: pricing.PriceSpec{Input: &input, Output: &output}}}
	custom.Evaluation.Emit = evaluate.EmitAll
	custom.Evaluation.Refusal.ExtraPhrases = []string{"I'm not able to share that"}
	custom.Evaluation.OutputLength.BudgetTokens = 2000
	custom.Judge.Enabled = true
	custom.Judge.Endpoint = "http://localhost:11434/v1"
	custom.Judge.Model = "llama3.1"
	custom.Judge.SampleRate = 0.05
	custom.Judge.MaxPerMinute = 10
	custom.Judge.Rubrics = []judge.Rubric{{Name: "relevance"}, {Name: "brand_voice", Prompt: "1 = sounds like our support team; 0 = does not."}}
	custom.EvaluationJoin.MaxCalls = 5000
	custom.Redaction.Actions = map[string]redact.Action{"EMAIL": redact.ActionHash}
	custom.Redaction.HashKey = "0123456789abcdef0123456789abcdef"
	custom.Redaction.Content.Default = "truncate:200"

	off := createDefaultConfig()
	off.Normalize.Enabled = false
	off.Pricing.Enabled = false
	off.Evaluation.Enabled = false
	off.EvaluationJoin.MaxCalls = 0
	off.Redaction.Enabled = false

	tests := []struct {
		id   component.ID
		want *Config
	}{
		{component.NewID(metadata.Type), createDefaultConfig()},
		{component.NewIDWithName(metadata.Type, "custom"), custom},
		{component.NewIDWithName(metadata.Type, "off"), off},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			got, err := loadConfig(t, filepath.Join("testdata", "config.yaml"), tt.id.String())
			if err != nil {
				t.Fatalf("valid config rejected: %v", err)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// TestInvalidConfig pins the messages users see: each names the stage and the field, and
// says what to do.
func TestInvalidConfig(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of the error, in order; nil means the config is valid
	}{
		{"custom_mapping_without_target", []string{"normalize: custom_mappings[0].to: empty; set the target attribute name"}},
		{"price_without_model", []string{"pricing: prices[0].model: required"}},
		{"unknown_price_file_format", []string{`pricing: files[0].format: must be genai-prices or litellm, got "csv"`}},
		{"disabled_stage_is_not_validated", nil},
		{"two_stages", []string{"normalize: custom_mappings[0].from: empty", "pricing: prices[0].model: required"}},
		{"judge_without_model", []string{"judge: model: empty; set the judge model", "sample_rate: 2 is outside (0, 1]"}},
		{"negative_join", []string{"evaluation_join: max_calls: negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := loadConfig(t, filepath.Join("testdata", "invalid", tt.file+".yaml"), "")
			if tt.want == nil {
				if err != nil {
					t.Fatalf("config rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("config accepted, want an error containing %q", tt.want)
			}
			msg := err.Error()
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error\n  %s\ndoes not contain\n  %s", msg, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}
