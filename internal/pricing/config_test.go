package pricing

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

func TestValidate(t *testing.T) {
	one, neg := 1.0, -1.0
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"default", DefaultConfig(), ""},
		{"model required", Config{Prices: []ModelPrice{{Model: "a", PriceSpec: PriceSpec{Input: &one}}, {PriceSpec: PriceSpec{Input: &one}}}},
			"prices[1].model: required"},
		{"no price", Config{Prices: []ModelPrice{{Model: "a"}}},
			"prices[0] (a): needs at least input or output (USD per million tokens)"},
		{"negative", Config{Prices: []ModelPrice{{Model: "a", PriceSpec: PriceSpec{Input: &one, CacheRead: &neg}}}},
			"prices[0] (a).cache_read: must be a finite price >= 0, got -1"},
		{"tier threshold", Config{Prices: []ModelPrice{{Model: "a", PriceSpec: PriceSpec{Input: &one}, Tiers: []TierSpec{{PriceSpec: PriceSpec{Input: &one}}}}}},
			"prices[0] (a).tiers[0].above_input_tokens: must be > 0, got 0"},
		{"tier without price", Config{Prices: []ModelPrice{{Model: "a", PriceSpec: PriceSpec{Input: &one}, Tiers: []TierSpec{{AboveInputTokens: 5}}}}},
			"prices[0] (a).tiers[0]: needs at least one price"},
		{"format", Config{Files: []PriceFile{{Path: "p.json", Format: "x"}}},
			`files[0].format: must be genai-prices or litellm, got "x"`},
		{"path", Config{Files: []PriceFile{{Format: FormatLiteLLM}}}, "files[0].path: required"},
		{"alias", Config{Aliases: map[string]string{"prod": " "}}, "aliases.prod: model required"},
		{"alias case", Config{Aliases: map[string]string{"Prod": "gpt-4o", "prod": "gpt-4o-mini"}},
			`aliases: "Prod" and "prod" are the same name (aliases ignore case)`},
		{"duplicate price", Config{Prices: []ModelPrice{{Model: "gpt-4o", PriceSpec: PriceSpec{Input: &one}}, {Model: "GPT-4o", PriceSpec: PriceSpec{Input: &one}}}},
			"prices[1]: same model and provider as prices[0] (GPT-4o)"},
		{"interval", Config{ReloadInterval: -time.Second}, "reload_interval: must be >= 0 (0 turns reloading off), got -1s"},
		{"nothing left", Config{DisableEmbedded: true}, "disable_embedded: no prices would be left; add prices or files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestUnmarshal reads the config as the collector does, from YAML-shaped maps.
func TestUnmarshal(t *testing.T) {
	conf := confmap.NewFromStringMap(map[string]any{
		"prices": []any{
			map[string]any{"model": "gpt-4o", "provider": "azure.ai.openai", "input": 2.0, "output": 8, "cache_read": 1,
				"tiers": []any{map[string]any{"above_input_tokens": 128000, "input": 4}}},
		},
		"files":           []any{map[string]any{"path": "/etc/prices.json", "format": "litellm"}},
		"aliases":         map[string]any{"prod-chat": "gpt-4o-mini"},
		"reload_interval": "1m",
	})
	cfg := DefaultConfig()
	if err := conf.Unmarshal(&cfg); err != nil {
		t.Fatal(err)
	}
	mp := cfg.Prices[0]
	if mp.Model != "gpt-4o" || mp.Provider != "azure.ai.openai" || *mp.Input != 2 || *mp.Output != 8 || *mp.CacheRead != 1 ||
		mp.CacheWrite != nil || len(mp.Tiers) != 1 || mp.Tiers[0].AboveInputTokens != 128000 || *mp.Tiers[0].Input != 4 {
		t.Fatalf("prices[0] = %+v", mp)
	}
	if cfg.Files[0] != (PriceFile{Path: "/etc/prices.json", Format: FormatLiteLLM}) || cfg.Aliases["prod-chat"] != "gpt-4o-mini" ||
		cfg.ReloadInterval != time.Minute || cfg.CacheSize != DefaultConfig().CacheSize {
		t.Fatalf("cfg = %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := confmap.NewFromStringMap(map[string]any{"prices": []any{map[string]any{"model": "x", "inptu": 1}}}).Unmarshal(&cfg); err == nil ||
		!strings.Contains(err.Error(), "inptu") {
		t.Fatalf("a misspelt key is not reported: %v", err)
	}
}
