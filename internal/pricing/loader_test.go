package pricing

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

func fileConfig(path, format string) Config {
	cfg := DefaultConfig()
	cfg.Files = []PriceFile{{Path: path, Format: format}}
	return cfg
}

type totalCase struct {
	name, provider, model string
	u                     genai.Usage
	want                  float64
}

// checkTotals prices each case and expects the total from the given catalog.
func checkTotals(t *testing.T, p *Pricer, catalog string, cases []totalCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := p.Cost(tt.provider, tt.model, tt.u)
			if !ok {
				t.Fatalf("Cost(%q, %q): unpriced", tt.provider, tt.model)
			}
			if !near(c.Total, tt.want) || c.Catalog != catalog {
				t.Fatalf("total %v from %q, want %v from %q", c.Total, c.Catalog, tt.want, catalog)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestGenAIPricesFile(t *testing.T) {
	path := filepath.Join("testdata", "genai-prices.json")
	p, err := New(fileConfig(path, FormatGenAIPrices), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, p, path, []totalCase{
		// The file's gpt-4o ($2 / $8) wins over the embedded one: 1M × 2 + 1M × 8 = 10.
		{"file wins over embedded", "openai", "gpt-4o-2024-08-06", usage(1_000_000, 1_000_000, 0, 0, 0), 10},
		// Cache reads at $1: 500k × 2 + 500k × 1 = 1.5.
		{"cache read", "openai", "gpt-4o", usage(1_000_000, 0, 500_000, 0, 0), 1.5},
		// Regex match; above 100k input the cliff tier $2 / $6: 200k × 2/1e6 + 100k × 6/1e6 = 1.
		{"regex and tier", "openai", "big-context-2026-01-02", usage(200_000, 100_000, 0, 0, 0), 1},
		// Below the tier: 100k × 1/1e6 + 100k × 4/1e6 = 0.5.
		{"below tier", "openai", "big-context", usage(100_000, 100_000, 0, 0, 0), 0.5},
		// A host the file does not list gets the vendor's rule-matched price.
		{"vendor fallback", "openrouter", "openai/big-context", usage(100_000, 100_000, 0, 0, 0), 0.5},
		// The price that started 2025-01-01 ($5 / $10); the 2999 one is not in force yet.
		{"start date", "openai", "repriced", usage(1_000_000, 1_000_000, 0, 0, 0), 15},
		// Reasoning at its own $3: 1M reasoning of 1M output = 3.
		{"reasoning price", "openai", "thinker-v2", usage(0, 1_000_000, 0, 0, 1_000_000), 3},
		// Bedrock entry through a contains rule and through the canonical id.
		{"contains rule", "aws.bedrock", "eu.acme.widget-pro-v2:0", usage(1_000_000, 1_000_000, 0, 0, 0), 2},
		{"bedrock id", "aws.bedrock", "us.acme.widget-v1:0", usage(1_000_000, 1_000_000, 0, 0, 0), 2},
	})
	// Time-of-day prices: $0.40 / $0.80 from 00:30 to 16:30 UTC, else $0.20 / $0.40.
	e, ok := p.Lookup("deepseek", "deepseek-chat")
	if !ok {
		t.Fatal("deepseek-chat unpriced")
	}
	for _, tc := range []struct {
		at   string
		want float64
	}{{"12:00", 1.2}, {"00:30", 1.2}, {"16:30", 0.6}, {"20:00", 0.6}, {"00:29", 0.6}} {
		at, _ := time.Parse("2006-01-02 15:04", "2026-11-28 "+tc.at)
		if got := e.ComputeAt(usage(1_000_000, 1_000_000, 0, 0, 0), at).Total; !near(got, tc.want) {
			t.Errorf("deepseek-chat at %s UTC: total %v, want %v", tc.at, got, tc.want)
		}
	}
	// A model priced only per request has no token price: the embedded catalog does not
	// know it either, so it stays unpriced.
	if _, ok := p.Lookup("openai", "image-gen"); ok {
		t.Fatal("per-request-only model priced")
	}
}

func TestLiteLLMFile(t *testing.T) {
	path := filepath.Join("testdata", "litellm.json")
	p, err := New(fileConfig(path, FormatLiteLLM), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, p, path, []totalCase{
		// $2 / $8 per million from 2e-06 / 8e-06 per token.
		{"per token to per million", "openai", "gpt-4o", usage(1_000_000, 1_000_000, 0, 0, 0), 10},
		// Azure's own key ($2.20 / $8.80); the regional "azure/eu/" duplicate does not win.
		{"host key", "azure.ai.openai", "gpt-4o", usage(1_000_000, 1_000_000, 0, 0, 0), 11},
		// 100k uncached × 3 + 50k read × 0.3 + 50k written × 3.75 + 10k out × 15, per 1e6:
		// 0.3 + 0.015 + 0.1875 + 0.15 = 0.6525.
		{"cache kinds", "anthropic", "claude-long", usage(200_000, 10_000, 50_000, 50_000, 0), 0.6525},
		// Above 200k every kind takes its _above_200k_tokens price: 100k × 6 + 100k × 0.6 +
		// 100k × 7.5 + 10k × 22.5, per 1e6: 0.6 + 0.06 + 0.75 + 0.225 = 1.635.
		{"above 200k", "anthropic", "claude-long", usage(300_000, 10_000, 100_000, 100_000, 0), 1.635},
		{"bedrock key", "aws.bedrock", "us.acme.widget-v1:0", usage(1_000_000, 1_000_000, 0, 0, 0), 2},
		// 1M reasoning × 3 = 3.
		{"reasoning", "openai", "thinker-1", usage(0, 1_000_000, 0, 0, 1_000_000), 3},
		{"vertex", "gcp.vertex_ai", "gemini-x", usage(1_000_000, 1_000_000, 0, 0, 0), 0.5},
	})
	if e, ok := p.Lookup("openai", "dall-e-3"); ok && e.Catalog == path {
		t.Fatal("image model priced per token from the file")
	}
}

// TestBadFile: a price file that cannot be used stops the start with an error that names
// the file and the problem.
func TestBadFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, format, content, want string
	}{
		{"genai-prices object", FormatGenAIPrices, `{"id": "openai"}`,
			"not a genai-prices file: want a JSON array of providers"},
		{"genai-prices truncated", FormatGenAIPrices, `[{"id": "openai", "models": [`,
			"invalid JSON: unexpected end of JSON input"},
		{"genai-prices negative", FormatGenAIPrices, `[{"id": "openai", "models": [{"id": "gpt-x", "prices": {"input_mtok": -1}}]}]`,
			"providers[0] (openai).models[0] (gpt-x).prices: input: must be a finite price >= 0, got -1"},
		{"genai-prices bad regex", FormatGenAIPrices, `[{"id": "openai", "models": [{"id": "gpt-x", "match": {"regex": "gpt-(4"}, "prices": {"input_mtok": 1}}]}]`,
			"providers[0] (openai).models[0] (gpt-x).match: regex: error parsing regexp: missing closing ): `gpt-(4`"},
		{"genai-prices unknown clause", FormatGenAIPrices, `[{"id": "openai", "models": [{"id": "gpt-x", "match": {"or": [{"glob": "gpt-*"}]}, "prices": {"input_mtok": 1}}]}]`,
			`providers[0] (openai).models[0] (gpt-x).match: or[0].unknown clause "glob"`},
		{"genai-prices bad tier", FormatGenAIPrices, `[{"id": "openai", "models": [{"id": "gpt-x", "prices": {"input_mtok": {"tiers": []}}}]}]`,
			"providers[0] (openai).models[0] (gpt-x).prices.input_mtok: want a number or {base, tiers}"},
		{"genai-prices empty", FormatGenAIPrices, `[]`, "no token prices found"},
		{"genai-prices bad time", FormatGenAIPrices, `[{"id": "deepseek", "models": [{"id": "d", "prices": [{"prices": {"input_mtok": 1}}, {"constraint": {"start_time": "4pm", "end_time": "18:00:00Z"}, "prices": {"input_mtok": 2}}]}]}]`,
			`providers[0] (deepseek).models[0] (d).prices[1].constraint.start_time: want HH:MM:SS with a zone, got "4pm"`},
		{"genai-prices missing prices", FormatGenAIPrices, `[{"id": "openai", "models": [{"id": "gpt-x"}]}]`,
			"providers[0] (openai).models[0] (gpt-x).prices: required"},
		{"litellm array", FormatLiteLLM, `[1, 2]`, "not a LiteLLM file: want a JSON object keyed by model name"},
		{"litellm string price", FormatLiteLLM, `{"gpt-x": {"input_cost_per_token": "cheap"}}`,
			`"gpt-x".input_cost_per_token: want a number, got "cheap"`},
		{"litellm entry not object", FormatLiteLLM, `{"gpt-x": 3}`, `"gpt-x": want an object`},
		{"litellm negative", FormatLiteLLM, `{"gpt-x": {"input_cost_per_token": -1e-06}}`,
			`"gpt-x": input: must be a finite price >= 0, got -1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(fileConfig(path, tt.format), nil)
			if err == nil {
				t.Fatal("New accepted a bad price file")
			}
			prefix := "price file " + path + " (" + tt.format + "): "
			if !strings.HasPrefix(err.Error(), prefix) || !strings.HasPrefix(strings.TrimPrefix(err.Error(), prefix), tt.want) {
				t.Fatalf("error:\n  %s\nwant:\n  %s%s", err, prefix, tt.want)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(dir, "absent.json")
		_, err := New(fileConfig(path, FormatLiteLLM), nil)
		if err == nil || err.Error() != "price file "+path+": stat "+path+": no such file or directory" {
			t.Fatalf("error = %v", err)
		}
	})
}

// TestEmbeddedCatalogLoads guards the shipped catalog: it parses, has a version, and every
// provider the catalog promises is in it.
func TestEmbeddedCatalogLoads(t *testing.T) {
	c, err := embedded()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.DateOnly, c.version); err != nil {
		t.Fatalf("version %q is not a date: %v", c.version, err)
	}
	seen := map[string]int{}
	for _, es := range c.layer.byName {
		for _, e := range es {
			seen[e.Provider]++
		}
	}
	for _, p := range []string{genai.ProviderOpenAI, genai.ProviderAnthropic, genai.ProviderGCPGemini, genai.ProviderGCPVertexAI,
		genai.ProviderMistralAI, genai.ProviderCohere, genai.ProviderAWSBedrock, genai.ProviderAzureAIOpenAI,
		genai.ProviderDeepSeek, genai.ProviderXAI, genai.ProviderGroq} {
		if seen[p] == 0 {
			t.Errorf("no models for provider %s", p)
		}
	}
}
