package pricing

import (
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// TestMatch maps names as instrumentations and gateways report them to catalog entries.
func TestMatch(t *testing.T) {
	p := newTestPricer(t, Config{Aliases: map[string]string{"prod-chat-eu": "gpt-4o-mini", "My-Deployment": "gpt-4.1"}})
	tests := []struct {
		provider, model string
		wantID          string // "" means unpriced
		wantProvider    string
	}{
		// OpenAI: dated snapshots, "-latest", a snapshot with its own price, prefixes, case.
		{"openai", "gpt-4o", "gpt-4o", genai.ProviderOpenAI},
		{"openai", "gpt-4o-2024-08-06", "gpt-4o", genai.ProviderOpenAI},
		{"openai", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13", genai.ProviderOpenAI},
		{"openai", "GPT-4o-Mini-2024-07-18", "gpt-4o-mini", genai.ProviderOpenAI},
		{"openai", "chatgpt-4o-latest", "chatgpt-4o", genai.ProviderOpenAI},
		{"openai", "gpt-4.1-nano-2025-04-14", "gpt-4.1-nano", genai.ProviderOpenAI},
		{"openai", "gpt-5-2025-08-07", "gpt-5", genai.ProviderOpenAI},
		{"openai", "gpt-5-chat-latest", "gpt-5", genai.ProviderOpenAI},
		{"openai", "gpt-5-mini-2025-08-07", "gpt-5-mini", genai.ProviderOpenAI},
		{"openai", "o3-2025-04-16", "o3", genai.ProviderOpenAI},
		{"openai", "o4-mini-2025-04-16", "o4-mini", genai.ProviderOpenAI},
		{"openai", "o1-preview-2024-09-12", "o1", genai.ProviderOpenAI},
		{"openai", "gpt-4-0613", "gpt-4", genai.ProviderOpenAI},
		{"openai", "gpt-3.5-turbo-0125", "gpt-3.5-turbo", genai.ProviderOpenAI},
		{"", "openai/gpt-4o", "gpt-4o", genai.ProviderOpenAI},
		{"openai", "ft:gpt-4o-mini-2024-07-18:acme::abc123", "", ""},
		// Anthropic: dated ids, dotted OpenRouter spellings, "-latest".
		{"anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5", genai.ProviderAnthropic},
		{"anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4", genai.ProviderAnthropic},
		{"anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1", genai.ProviderAnthropic},
		{"anthropic", "claude-opus-4-0", "claude-opus-4", genai.ProviderAnthropic},
		{"anthropic", "claude-3-7-sonnet-latest", "claude-3-7-sonnet", genai.ProviderAnthropic},
		{"anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku", genai.ProviderAnthropic},
		{"anthropic", "claude-haiku-4-5-20251001", "claude-haiku-4-5", genai.ProviderAnthropic},
		{"", "anthropic/claude-sonnet-4.5", "claude-sonnet-4-5", genai.ProviderAnthropic},
		{"", "anthropic/claude-3.5-sonnet", "claude-3-5-sonnet", genai.ProviderAnthropic},
		// Bedrock: vendor prefix, cross-region prefix, version suffix, ARNs; host prices
		// where Bedrock has its own, the vendor's otherwise.
		{"aws.bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet", genai.ProviderAnthropic},
		{"aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", genai.ProviderAWSBedrock}, // regional premium
		{"aws.bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5", genai.ProviderAWSBedrock},      // in-region: regional
		{"aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5", genai.ProviderAnthropic},
		{"aws.bedrock", "us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1", genai.ProviderAnthropic}, // no premium before 4.5
		{"aws.bedrock", "eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet", genai.ProviderAnthropic},
		{"aws.bedrock", "apac.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4", genai.ProviderAnthropic},
		{"aws.bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5", genai.ProviderAnthropic},
		{"aws.bedrock", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku", genai.ProviderAnthropic},
		{"aws.bedrock", "us.amazon.nova-pro-v1:0", "nova-pro", genai.ProviderAWSBedrock},
		{"aws.bedrock", "amazon.nova-micro-v1:0", "nova-micro", genai.ProviderAWSBedrock},
		{"aws.bedrock", "us.meta.llama3-3-70b-instruct-v1:0", "llama3-3-70b-instruct", genai.ProviderAWSBedrock},
		{"aws.bedrock", "meta.llama4-maverick-17b-instruct-v1:0", "llama4-maverick-17b-instruct", genai.ProviderAWSBedrock},
		{"aws.bedrock", "cohere.command-r-plus-v1:0", "command-r-plus", genai.ProviderAWSBedrock},
		{"aws.bedrock", "mistral.mistral-large-2402-v1:0", "mistral-large-2402", genai.ProviderAWSBedrock},
		{"aws.bedrock", "us.deepseek.r1-v1:0", "r1", genai.ProviderAWSBedrock},
		{"aws.bedrock", "openai.gpt-oss-120b-1:0", "gpt-oss-120b", genai.ProviderAWSBedrock},
		{"bedrock", "amazon.nova-lite-v1:0", "nova-lite", genai.ProviderAWSBedrock}, // provider spelling normalized
		// Gemini and Vertex: resource paths, "@version", "-00N" versions, previews.
		{"gcp.gemini", "models/gemini-2.5-pro", "gemini-2.5-pro", genai.ProviderGCPGemini},
		{"gcp.gemini", "gemini-2.5-flash-preview-05-20", "gemini-2.5-flash-preview-05-20", genai.ProviderGCPGemini},
		{"gcp.gemini", "gemini-2.5-pro-preview-06-05", "gemini-2.5-pro", genai.ProviderGCPGemini},
		{"gcp.gemini", "gemini-2.0-flash-001", "gemini-2.0-flash", genai.ProviderGCPGemini},
		{"gcp.gemini", "gemini-1.5-pro-002", "gemini-1.5-pro", genai.ProviderGCPGemini},
		{"gcp.gemini", "gemini-3-pro-preview", "gemini-3-pro-preview", genai.ProviderGCPGemini},
		{"gcp.vertex_ai", "projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro", "gemini-2.5-pro", genai.ProviderGCPGemini},
		{"gcp.vertex_ai", "publishers/google/models/gemini-2.0-flash-001", "gemini-2.0-flash", genai.ProviderGCPVertexAI},
		{"gcp.vertex_ai", "publishers/anthropic/models/claude-sonnet-4-5@20250929", "claude-sonnet-4-5", genai.ProviderAnthropic},
		{"gcp.vertex_ai", "projects/p1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929", "claude-sonnet-4-5", genai.ProviderGCPVertexAI},
		{"gcp.vertex_ai", "projects/p1/locations/global/publishers/anthropic/models/claude-opus-4-5", "claude-opus-4-5", genai.ProviderAnthropic},
		{"gcp.vertex_ai", "claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet", genai.ProviderAnthropic},
		{"gcp.gen_ai", "gemini-2.5-flash-lite", "gemini-2.5-flash-lite", genai.ProviderGCPGemini},
		// Azure: deployment aliases from config, Azure's own spellings.
		{"azure.ai.openai", "prod-chat-eu", "gpt-4o-mini", genai.ProviderAzureAIOpenAI},
		{"azure.ai.openai", "my-deployment", "gpt-4.1", genai.ProviderAzureAIOpenAI},
		{"azure.ai.openai", "gpt-35-turbo-0125", "gpt-35-turbo", genai.ProviderAzureAIOpenAI},
		{"azure.ai.openai", "gpt-4o-2024-11-20", "gpt-4o", genai.ProviderAzureAIOpenAI},
		{"azure.ai.openai", "o3-mini", "o3-mini", genai.ProviderOpenAI}, // no Azure entry: OpenAI's price
		// Mistral, Cohere, DeepSeek, xAI, Groq.
		{"mistral_ai", "mistral-large-latest", "mistral-large-2512", genai.ProviderMistralAI},
		{"mistral_ai", "mistral-large-2411", "mistral-large-2411", genai.ProviderMistralAI},
		{"mistral_ai", "mistral-medium-2508", "mistral-medium", genai.ProviderMistralAI},
		{"mistral_ai", "mistral-small-2506", "mistral-small", genai.ProviderMistralAI},
		{"mistral_ai", "codestral-latest", "codestral", genai.ProviderMistralAI},
		{"cohere", "command-a-03-2025", "command-a", genai.ProviderCohere},
		{"cohere", "command-r-plus-08-2024", "command-r-plus", genai.ProviderCohere},
		{"cohere", "command-r7b-12-2024", "command-r7b", genai.ProviderCohere},
		{"deepseek", "deepseek-chat", "deepseek-chat", genai.ProviderDeepSeek},
		{"deepseek", "deepseek-reasoner", "deepseek-reasoner", genai.ProviderDeepSeek},
		{"x_ai", "grok-4-0709", "grok-4", genai.ProviderXAI},
		{"xai", "grok-3-mini", "grok-3-mini", genai.ProviderXAI},
		{"x_ai", "grok-4-fast-non-reasoning", "grok-4-fast-reasoning", genai.ProviderXAI},
		{"groq", "llama-3.3-70b-versatile", "llama-3.3-70b-versatile", genai.ProviderGroq},
		{"groq", "meta-llama/llama-4-scout-17b-16e-instruct", "llama-4-scout-17b-16e-instruct", genai.ProviderGroq},
		{"groq", "openai/gpt-oss-120b", "gpt-oss-120b", genai.ProviderGroq},
		{"groq", "qwen/qwen3-32b", "qwen3-32b", genai.ProviderGroq},
		{"groq", "moonshotai/kimi-k2-instruct-0905", "kimi-k2-instruct", genai.ProviderGroq},
		// Unknown models and junk stay unpriced.
		{"openai", "gpt-9-ultra", "", ""},
		{"", "", "", ""},
		{"", "   ", "", ""},
		{"", "/", "", ""},
		{"", "@", "", ""},
		{"aws.bedrock", "us.", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"|"+tt.model, func(t *testing.T) {
			e, ok := p.Lookup(tt.provider, tt.model)
			if tt.wantID == "" {
				if ok {
					t.Fatalf("Lookup(%q, %q) = %s (%s), want unpriced", tt.provider, tt.model, e.ID, e.Provider)
				}
				return
			}
			if !ok {
				t.Fatalf("Lookup(%q, %q): unpriced, want %s (%s)", tt.provider, tt.model, tt.wantID, tt.wantProvider)
			}
			if e.ID != tt.wantID || e.Provider != tt.wantProvider {
				t.Fatalf("Lookup(%q, %q) = %s (%s), want %s (%s)", tt.provider, tt.model, e.ID, e.Provider, tt.wantID, tt.wantProvider)
			}
			// A second lookup is served from the cache and must agree.
			if again, _ := p.Lookup(tt.provider, tt.model); again != e {
				t.Fatalf("cached lookup returned a different entry")
			}
		})
	}
}

func newTestPricer(t testing.TB, cfg Config) *Pricer {
	t.Helper()
	base := DefaultConfig()
	cfg.ReloadInterval = base.ReloadInterval
	if cfg.CacheSize == 0 {
		cfg.CacheSize = base.CacheSize
	}
	p, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}
