package pricing

import (
	"math"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

func usage(input, output, cacheRead, cacheWrite, reasoning int64) genai.Usage {
	return genai.Usage{
		Input: input, Output: output, CacheRead: cacheRead, CacheWrite: cacheWrite, Reasoning: reasoning,
		HasInput: true, HasOutput: true, HasCacheRead: cacheRead > 0, HasCacheWrite: cacheWrite > 0, HasReasoning: reasoning > 0,
	}
}

// TestCost checks costs against figures worked out by hand from the providers' price
// pages (USD per million tokens; the arithmetic is in each case's comment).
func TestCost(t *testing.T) {
	p := newTestPricer(t, Config{Aliases: map[string]string{"prod-chat-eu": "gpt-4o-mini"}})
	tests := []struct {
		name            string
		provider, model string
		u               genai.Usage
		want            Cost // Model and Catalog are checked separately
	}{{
		// gpt-4o $2.50 in / $10 out: 1,000 × 2.5/1e6 = 0.0025; 500 × 10/1e6 = 0.005.
		name: "plain", provider: "openai", model: "gpt-4o-2024-08-06", u: usage(1000, 500, 0, 0, 0),
		want: Cost{Input: 0.0025, Output: 0.005, Total: 0.0075},
	}, {
		// gpt-4.1-mini $0.40 in / $0.10 cached / $1.60 out; 10,000 input of which 8,000 cached:
		// 2,000 × 0.4/1e6 = 0.0008; 8,000 × 0.1/1e6 = 0.0008; 1,000 × 1.6/1e6 = 0.0016.
		name: "openai cache read", provider: "openai", model: "gpt-4.1-mini", u: usage(10000, 1000, 8000, 0, 0),
		want: Cost{Input: 0.0008, CacheRead: 0.0008, Output: 0.0016, Total: 0.0032},
	}, {
		// claude-sonnet-4-5 $3 in / $0.30 read / $3.75 write / $15 out; 50,000 input =
		// 2,000 uncached + 40,000 read + 8,000 written: 0.006 + 0.012 + 0.03; 1,000 out = 0.015.
		name: "anthropic cache write and read", provider: "anthropic", model: "claude-sonnet-4-5-20250929",
		u:    usage(50000, 1000, 40000, 8000, 0),
		want: Cost{Input: 0.006, CacheRead: 0.012, CacheWrite: 0.03, Output: 0.015, Total: 0.063},
	}, {
		// o3 $2 in / $8 out, reasoning billed as output; 5,000 output of which 4,000 reasoning:
		// 2,000 × 2/1e6 = 0.004; 1,000 × 8/1e6 = 0.008; 4,000 × 8/1e6 = 0.032.
		name: "reasoning", provider: "openai", model: "o3", u: usage(2000, 5000, 0, 0, 4000),
		want: Cost{Input: 0.004, Output: 0.008, Reasoning: 0.032, Total: 0.044},
	}, {
		// gemini-2.5-pro above 200k input: $2.50 in / $0.25 cached / $15 out for every token;
		// 250,000 input, 100,000 cached: 150,000 × 2.5/1e6 = 0.375; 100,000 × 0.25/1e6 = 0.025;
		// 2,000 × 15/1e6 = 0.03.
		name: "tier above threshold", provider: "gcp.gemini", model: "gemini-2.5-pro", u: usage(250000, 2000, 100000, 0, 0),
		want: Cost{Input: 0.375, CacheRead: 0.025, Output: 0.03, Total: 0.43},
	}, {
		// At exactly 200,000 input the base prices apply: 200,000 × 1.25/1e6 = 0.25;
		// 2,000 × 10/1e6 = 0.02.
		name: "tier at threshold", provider: "gcp.gemini", model: "gemini-2.5-pro", u: usage(200000, 2000, 0, 0, 0),
		want: Cost{Input: 0.25, Output: 0.02, Total: 0.27},
	}, {
		// claude-sonnet-4-5 long context (>200k): $6 in / $22.50 out: 300,000 × 6/1e6 = 1.8;
		// 10,000 × 22.5/1e6 = 0.225.
		name: "anthropic long context", provider: "anthropic", model: "claude-sonnet-4-5", u: usage(300000, 10000, 0, 0, 0),
		want: Cost{Input: 1.8, Output: 0.225, Total: 2.025},
	}, {
		// Command R+ on Bedrock $3 / $15: 10,000 × 3/1e6 = 0.03; 2,000 × 15/1e6 = 0.03.
		name: "bedrock host price", provider: "aws.bedrock", model: "cohere.command-r-plus-v1:0", u: usage(10000, 2000, 0, 0, 0),
		want: Cost{Input: 0.03, Output: 0.03, Total: 0.06},
	}, {
		// The same model at Cohere $2.50 / $10: 0.025 + 0.02.
		name: "vendor price", provider: "cohere", model: "command-r-plus-08-2024", u: usage(10000, 2000, 0, 0, 0),
		want: Cost{Input: 0.025, Output: 0.02, Total: 0.045},
	}, {
		// Claude through Bedrock's global profile has no Bedrock entry: Anthropic's $3 / $15:
		// 0.003 + 0.0015.
		name: "bedrock falls back to vendor", provider: "aws.bedrock", model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
		u:    usage(1000, 100, 0, 0, 0),
		want: Cost{Input: 0.003, Output: 0.0015, Total: 0.0045},
	}, {
		// The "us." profile is a regional endpoint: 10% more, $3.30 / $16.50:
		// 1,000 × 3.3/1e6 = 0.0033; 100 × 16.5/1e6 = 0.00165.
		name: "bedrock regional endpoint", provider: "aws.bedrock", model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		u:    usage(1000, 100, 0, 0, 0),
		want: Cost{Input: 0.0033, Output: 0.00165, Total: 0.00495},
	}, {
		// gemini-2.0-flash on Vertex $0.15 / $0.60: 1,000,000 × 0.15/1e6 = 0.15; 100,000 × 0.6/1e6 = 0.06.
		name: "vertex host price", provider: "gcp.vertex_ai", model: "publishers/google/models/gemini-2.0-flash-001",
		u:    usage(1000000, 100000, 0, 0, 0),
		want: Cost{Input: 0.15, Output: 0.06, Total: 0.21},
	}, {
		// Azure deployment "prod-chat-eu" serves gpt-4o-mini $0.15 / $0.60: 0.00015 + 0.0006.
		name: "alias", provider: "azure.ai.openai", model: "prod-chat-eu", u: usage(1000, 1000, 0, 0, 0),
		want: Cost{Input: 0.00015, Output: 0.0006, Total: 0.00075},
	}, {
		// More cached than input (a broken span): nothing is billed as uncached input and the
		// cached tokens are billed once: 150 × 1.25/1e6 = 0.0001875.
		name: "inconsistent counts", provider: "openai", model: "gpt-4o", u: usage(100, 0, 150, 0, 0),
		want: Cost{CacheRead: 0.0001875, Total: 0.0001875},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.Cost(tt.provider, tt.model, tt.u)
			if !ok {
				t.Fatalf("Cost(%q, %q): unpriced", tt.provider, tt.model)
			}
			assertCost(t, got, tt.want)
			if got.Catalog != EmbeddedVersion() || got.Model == "" {
				t.Errorf("priced by %q from %q, want an entry of the embedded catalog %q", got.Model, got.Catalog, EmbeddedVersion())
			}
		})
	}
}

func assertCost(t *testing.T, got, want Cost) {
	t.Helper()
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"Total", got.Total, want.Total}, {"Input", got.Input, want.Input}, {"CacheRead", got.CacheRead, want.CacheRead},
		{"CacheWrite", got.CacheWrite, want.CacheWrite}, {"Output", got.Output, want.Output}, {"Reasoning", got.Reasoning, want.Reasoning},
	} {
		if math.Abs(f.got-f.want) > 1e-12 {
			t.Errorf("%s = %.10f, want %.10f", f.name, f.got, f.want)
		}
	}
}

func TestCostUnpriced(t *testing.T) {
	p := newTestPricer(t, Config{})
	if c, ok := p.Cost("openai", "gpt-9-ultra", usage(1000, 1000, 0, 0, 0)); ok {
		t.Fatalf("unknown model priced: %+v", c)
	}
}

// TestInlineOverride: inline prices win over the embedded catalog for the model and its
// snapshots, and a provider-scoped price applies only on that provider.
func TestInlineOverride(t *testing.T) {
	one, two, half := 1.0, 2.0, 0.5
	p := newTestPricer(t, Config{Prices: []ModelPrice{
		{Model: "gpt-4o", PriceSpec: PriceSpec{Input: &one, Output: &two}},
		{Model: "claude-sonnet-4-5", Provider: "aws.bedrock", PriceSpec: PriceSpec{Input: &half, Output: &one}},
		{Model: "my-finetune", PriceSpec: PriceSpec{Input: &two, Output: &two, Reasoning: &one}},
	}})
	// 1,000,000 × 1/1e6 + 1,000,000 × 2/1e6 = 3.
	got, ok := p.Cost("azure.ai.openai", "gpt-4o-2024-08-06", usage(1_000_000, 1_000_000, 0, 0, 0))
	if !ok || got.Catalog != "config" || got.Total != 3 {
		t.Fatalf("inline gpt-4o: got %+v ok=%v, want total 3 from config", got, ok)
	}
	// Cache reads without a price of their own are billed as input: 1,000,000 × 1/1e6 = 1.
	got, _ = p.Cost("openai", "gpt-4o", usage(1_000_000, 0, 1_000_000, 0, 0))
	if got.CacheRead != 1 {
		t.Fatalf("cache read billed %v, want 1 (input price)", got.CacheRead)
	}
	// Bedrock-only override: 100,000 × 0.5/1e6 = 0.05 on Bedrock; Anthropic's $3 elsewhere:
	// 100,000 × 3/1e6 = 0.3.
	if got, _ := p.Cost("aws.bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", usage(100_000, 0, 0, 0, 0)); math.Abs(got.Total-0.05) > 1e-12 {
		t.Fatalf("bedrock override: total %v, want 0.05", got.Total)
	}
	if got, _ := p.Cost("anthropic", "claude-sonnet-4-5", usage(100_000, 0, 0, 0, 0)); math.Abs(got.Total-0.3) > 1e-12 {
		t.Fatalf("anthropic: total %v, want 0.3", got.Total)
	}
	// An explicit reasoning price: 1,000,000 reasoning × 1/1e6 = 1, no visible output.
	if got, _ := p.Cost("", "my-finetune", usage(0, 1_000_000, 0, 0, 1_000_000)); got.Reasoning != 1 || got.Output != 0 {
		t.Fatalf("reasoning price: %+v, want reasoning 1, output 0", got)
	}
}

func TestDisableEmbedded(t *testing.T) {
	one := 1.0
	p := newTestPricer(t, Config{DisableEmbedded: true, Prices: []ModelPrice{{Model: "local-llama", PriceSpec: PriceSpec{Input: &one}}}})
	if _, ok := p.Lookup("openai", "gpt-4o"); ok {
		t.Fatal("gpt-4o priced with the embedded catalog disabled")
	}
	if _, ok := p.Lookup("", "local-llama"); !ok {
		t.Fatal("inline price not found")
	}
}
