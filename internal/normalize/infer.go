package normalize

import (
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// providerHosts infers gen_ai.provider.name from server.address: exact hosts first,
// then host suffixes and prefixes (regional endpoints).
var providerHosts = map[string]string{
	"api.openai.com":                    genai.ProviderOpenAI,
	"api.anthropic.com":                 genai.ProviderAnthropic,
	"generativelanguage.googleapis.com": genai.ProviderGCPGemini,
	"aiplatform.googleapis.com":         genai.ProviderGCPVertexAI,
	"api.mistral.ai":                    genai.ProviderMistralAI,
	"api.cohere.com":                    genai.ProviderCohere,
	"api.cohere.ai":                     genai.ProviderCohere,
	"api.deepseek.com":                  genai.ProviderDeepSeek,
	"api.x.ai":                          genai.ProviderXAI,
	"api.groq.com":                      genai.ProviderGroq,
	"api.perplexity.ai":                 genai.ProviderPerplexity,
	"api.moonshot.ai":                   genai.ProviderMoonshotAI,
	"api.moonshot.cn":                   genai.ProviderMoonshotAI,
	"models.inference.ai.azure.com":     genai.ProviderAzureAIInference,
}

var providerHostSuffixes = [...]struct{ suffix, provider string }{
	{".openai.azure.com", genai.ProviderAzureAIOpenAI},
	{".services.ai.azure.com", genai.ProviderAzureAIInference},
	{".inference.ai.azure.com", genai.ProviderAzureAIInference},
	{"-aiplatform.googleapis.com", genai.ProviderGCPVertexAI},
}

// providerFromHost returns the provider serving host, or "".
func providerFromHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if p, ok := providerHosts[host]; ok {
		return p
	}
	for _, h := range providerHostSuffixes {
		if strings.HasSuffix(host, h.suffix) {
			return h.provider
		}
	}
	if strings.HasPrefix(host, "bedrock-runtime.") || strings.HasPrefix(host, "bedrock-agent-runtime.") {
		return genai.ProviderAWSBedrock
	}
	return ""
}

// modelPrefixes infers the provider from a model-name prefix when nothing better is
// known. The model family names its maker; a model served through a cloud (Azure,
// Bedrock, Vertex) is caught earlier by the server address.
var modelPrefixes = [...]struct{ prefix, provider string }{
	{"gpt-", genai.ProviderOpenAI},
	{"chatgpt", genai.ProviderOpenAI},
	{"o1", genai.ProviderOpenAI},
	{"o3", genai.ProviderOpenAI},
	{"o4", genai.ProviderOpenAI},
	{"text-embedding-", genai.ProviderOpenAI},
	{"claude", genai.ProviderAnthropic},
	{"gemini", genai.ProviderGCPGemini},
	{"mistral", genai.ProviderMistralAI},
	{"mixtral", genai.ProviderMistralAI},
	{"codestral", genai.ProviderMistralAI},
	{"command", genai.ProviderCohere},
	{"deepseek", genai.ProviderDeepSeek},
	{"grok", genai.ProviderXAI},
}

// providerFromModel returns the maker of a model family, or "". The o-series needs an
// exact name or a dash after the prefix so that unrelated names starting with "o1" do
// not match.
func providerFromModel(model string) string {
	m := strings.ToLower(model)
	for _, p := range modelPrefixes {
		rest, ok := strings.CutPrefix(m, p.prefix)
		if !ok {
			continue
		}
		if p.prefix[0] == 'o' && len(p.prefix) == 2 && rest != "" && rest[0] != '-' {
			continue
		}
		return p.provider
	}
	return ""
}
