package genai

import "strings"

// gen_ai.operation.name values (v1.41).
const (
	OpChat            = "chat"
	OpGenerateContent = "generate_content"
	OpTextCompletion  = "text_completion"
	OpEmbeddings      = "embeddings"
	OpRetrieval       = "retrieval"
	OpCreateAgent     = "create_agent"
	OpInvokeAgent     = "invoke_agent"
	OpExecuteTool     = "execute_tool"
	OpInvokeWorkflow  = "invoke_workflow"
)

// gen_ai.provider.name values (v1.41, plus moonshot_ai from the development conventions).
const (
	ProviderOpenAI           = "openai"
	ProviderAnthropic        = "anthropic"
	ProviderGCPGenAI         = "gcp.gen_ai"
	ProviderGCPVertexAI      = "gcp.vertex_ai"
	ProviderGCPGemini        = "gcp.gemini"
	ProviderCohere           = "cohere"
	ProviderAzureAIInference = "azure.ai.inference"
	ProviderAzureAIOpenAI    = "azure.ai.openai"
	ProviderIBMWatsonx       = "ibm.watsonx.ai"
	ProviderAWSBedrock       = "aws.bedrock"
	ProviderPerplexity       = "perplexity"
	ProviderXAI              = "x_ai"
	ProviderDeepSeek         = "deepseek"
	ProviderGroq             = "groq"
	ProviderMistralAI        = "mistral_ai"
	ProviderMoonshotAI       = "moonshot_ai"
)

// gen_ai.output.type values the normalizer writes and the evaluators read.
const (
	OutputTypeText = "text"
	OutputTypeJSON = "json"
)

// Finish reasons as semconv output messages spell them.
const (
	FinishStop          = "stop"
	FinishLength        = "length"
	FinishContentFilter = "content_filter"
	FinishToolCall      = "tool_call"
	FinishError         = "error"
)

// IsInference reports whether op is a model call whose usage and cost count: inference
// and embeddings. Agent, workflow and tool spans repeat or aggregate their children's
// usage and must not be counted again.
func IsInference(op string) bool {
	switch op {
	case OpChat, OpGenerateContent, OpTextCompletion, OpEmbeddings:
		return true
	}
	return false
}

// IsAggregate reports whether op names a span that wraps model calls (agents, workflows),
// on which instrumentations repeat the usage of their children.
func IsAggregate(op string) bool {
	switch op {
	case OpInvokeAgent, OpCreateAgent, OpInvokeWorkflow, "agent_step":
		return true
	}
	return false
}

// providerAliases maps every spelling seen in the wild (deprecated gen_ai.system values,
// capitalised OpenLLMetry values, OpenInference llm.system/llm.provider values) to the
// v1.41 gen_ai.provider.name value. Keys are lower case.
var providerAliases = map[string]string{
	"openai":             ProviderOpenAI,
	"anthropic":          ProviderAnthropic,
	"cohere":             ProviderCohere,
	"deepseek":           ProviderDeepSeek,
	"groq":               ProviderGroq,
	"perplexity":         ProviderPerplexity,
	"mistral_ai":         ProviderMistralAI,
	"mistralai":          ProviderMistralAI,
	"mistral":            ProviderMistralAI,
	"x_ai":               ProviderXAI,
	"xai":                ProviderXAI,
	"gcp.gen_ai":         ProviderGCPGenAI,
	"google":             ProviderGCPGenAI,
	"gcp.vertex_ai":      ProviderGCPVertexAI,
	"vertex_ai":          ProviderGCPVertexAI,
	"vertexai":           ProviderGCPVertexAI,
	"gcp.gemini":         ProviderGCPGemini,
	"gemini":             ProviderGCPGemini,
	"azure.ai.inference": ProviderAzureAIInference,
	"az.ai.inference":    ProviderAzureAIInference,
	"azure.ai.openai":    ProviderAzureAIOpenAI,
	"az.ai.openai":       ProviderAzureAIOpenAI,
	"azure":              ProviderAzureAIOpenAI,
	"aws.bedrock":        ProviderAWSBedrock,
	"aws":                ProviderAWSBedrock,
	"amazon":             ProviderAWSBedrock,
	"bedrock":            ProviderAWSBedrock,
	"ibm.watsonx.ai":     ProviderIBMWatsonx,
	"watsonx":            ProviderIBMWatsonx,
	"moonshot":           ProviderMoonshotAI,
	"moonshot_ai":        ProviderMoonshotAI,
}

// NormalizeProvider returns the v1.41 gen_ai.provider.name for a provider spelling, and
// whether the spelling was known. Unknown values are returned unchanged (semconv allows
// custom values).
func NormalizeProvider(v string) (string, bool) {
	if p, ok := providerAliases[v]; ok {
		return p, true
	}
	if p, ok := providerAliases[strings.ToLower(strings.TrimSpace(v))]; ok {
		return p, true
	}
	return v, false
}

// NormalizeFinishReason maps finish-reason spellings of other conventions (Vercel's
// "tool-calls", OpenAI's "tool_calls", Anthropic's "end_turn"/"max_tokens") to the values
// semconv output messages use. Unknown values pass through: the attribute is a free string.
func NormalizeFinishReason(v string) string {
	switch strings.ToLower(v) {
	case "tool_calls", "tool-calls", "tool_use", "function_call":
		return FinishToolCall
	case "content-filter", "content_filtered", "safety":
		return FinishContentFilter
	case "max_tokens", "max_output_tokens":
		return FinishLength
	case "end_turn", "stop_sequence", "complete":
		return FinishStop
	}
	return v
}
