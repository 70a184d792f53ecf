package normalize

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Source attribute names, spelled once. Names of the v1.41 target are in internal/genai.
const (
	legacySystem           = "gen_ai.system"
	legacyPromptTokens     = "gen_ai.usage.prompt_tokens"
	legacyCompletionTokens = "gen_ai.usage.completion_tokens"
	legacyPrompt           = "gen_ai.prompt"
	legacyCompletion       = "gen_ai.completion"
	legacyOpenAISeed       = "gen_ai.openai.request.seed"
	legacyOpenAIFormat     = "gen_ai.openai.request.response_format"
	legacyOpenAIReqTier    = "gen_ai.openai.request.service_tier"
	legacyOpenAIRespTier   = "gen_ai.openai.response.service_tier"
	legacyOpenAIFingerpr   = "gen_ai.openai.response.system_fingerprint"
	legacyEventContent     = "gen_ai.event.content"
	legacyEndUser          = "enduser.id"
)

// exactKeys maps attribute names that identify a convention on their own.
var exactKeys = map[string]Source{
	legacySystem: SemconvLegacy, legacyPromptTokens: SemconvLegacy, legacyCompletionTokens: SemconvLegacy,
	legacyPrompt: SemconvLegacy, legacyCompletion: SemconvLegacy, legacyOpenAISeed: SemconvLegacy,
	legacyOpenAIFormat: SemconvLegacy, legacyOpenAIReqTier: SemconvLegacy, legacyOpenAIRespTier: SemconvLegacy,
	legacyOpenAIFingerpr: SemconvLegacy,

	oiSpanKind: OpenInference, oiModelName: OpenInference, oiProvider: OpenInference, oiSystem: OpenInference,
	oiInvocationParams: OpenInference, oiFinishReason: OpenInference, oiRequestModel: OpenInference,
	oiResponseModel: OpenInference, oiEmbeddingModel: OpenInference, oiRerankerModel: OpenInference,
	// tool.name, agent.name, prompt.id and the like are too generic to identify
	// OpenInference on their own; they are mapped on spans recognised otherwise.

	ollRequestType: OpenLLMetry, ollIsStreaming: OpenLLMetry, ollIsStreamingNew: OpenLLMetry,
	ollFrequencyPenalty: OpenLLMetry, ollPresencePenalty: OpenLLMetry, ollTopK: OpenLLMetry,
	ollStopSequences: OpenLLMetry, ollFinishReason: OpenLLMetry, ollStopReason: OpenLLMetry,
	ollFinishReasonNew: OpenLLMetry, ollStopReasonNew: OpenLLMetry, ollCacheRead: OpenLLMetry,
	ollCacheCreation: OpenLLMetry, ollReasoning: OpenLLMetry, ollReasoningNew: OpenLLMetry,
	ollTotalTokens: OpenLLMetry, ollTotalTokensNew: OpenLLMetry, ollFingerprint: OpenLLMetry,
	ollGoRequestModel: OpenLLMetry, ollGoResponseModel: OpenLLMetry, ollGoVendor: OpenLLMetry,
	ollGoPromptTokens: OpenLLMetry, ollGoCompletionTokens: OpenLLMetry, ollGoTemperature: OpenLLMetry,
	ollGoTopP: OpenLLMetry, ollRequestMaxTokens: OpenLLMetry,

	v7Duration: Vercel, v7TimeToFirstChunk: Vercel, v7TimePerChunk: Vercel, v7ToolDuration: Vercel,
}

// prefixKeys identify a convention by a key prefix.
var prefixKeys = [...]struct {
	prefix string
	src    Source
	// indexed prefixes count only when a list index follows (gen_ai.prompt.0.role is
	// OpenLLMetry, gen_ai.prompt.name is not).
	indexed bool
}{
	{"ai.", Vercel, false},
	{"langfuse.", Langfuse, false},
	{"traceloop.", OpenLLMetry, false},
	{ollPromptPrefix, OpenLLMetry, true},
	{ollCompletionPrefix, OpenLLMetry, true},
	{ollFunctionsPrefix, OpenLLMetry, false},
	{oiInputPrefix, OpenInference, false},
	{oiOutputPrefix, OpenInference, false},
	{oiTokenPrefix, OpenInference, false},
	{oiPromptsPrefix, OpenInference, false},
	{oiChoicesPrefix, OpenInference, false},
	{oiToolsPrefix, OpenInference, false},
	{oiEvaluationsPrefix, OpenInference, true},
	{oiAnnotationsPrefix, OpenInference, true},
	{feedbackPrefix, Feedback, false},
}

// detect is the cheap first step: one pass over the keys (and event names) that finds
// which conventions a span uses, before any work is done.
func detect(span ptrace.Span) (found Sources, genAI bool) {
	found, genAI = detectAttrs(span.Attributes())
	events := span.Events()
	for i := range events.Len() {
		switch events.At(i).Name() {
		case evSystemMessage, evUserMessage, evAssistantMessage, evToolMessage, evChoice, evContentPrompt, evContentCompletion:
			found = found.with(SemconvLegacy)
		}
	}
	return found, genAI
}

func detectAttrs(attrs pcommon.Map) (found Sources, genAI bool) {
	for k, v := range attrs.All() {
		if strings.HasPrefix(k, "gen_ai.") {
			genAI = true
			switch k {
			case genai.SystemInstructions:
				if isPlainString(v) {
					found = found.with(OpenAIJS)
				}
				continue
			case genai.OperationName:
				if v.Type() == pcommon.ValueTypeStr && v.Str() == opAgentStep {
					found = found.with(Vercel)
				}
				continue
			}
		}
		if src, ok := exactKeys[k]; ok {
			found = found.with(src)
			continue
		}
		for _, p := range prefixKeys {
			if strings.HasPrefix(k, p.prefix) {
				if p.indexed && !indexFollows(k, p.prefix) {
					break
				}
				found = found.with(p.src)
				break
			}
		}
	}
	return found, genAI
}

// indexFollows tells gen_ai.prompt.0.role (OpenLLMetry) from other gen_ai.prompt.* names.
func indexFollows(k, prefix string) bool {
	return len(k) > len(prefix) && k[len(prefix)] >= '0' && k[len(prefix)] <= '9'
}

// isPlainString reports a string that is not JSON-encoded parts (the JS OpenAI
// Responses instrumentation records instructions as the raw string).
func isPlainString(v pcommon.Value) bool {
	if v.Type() != pcommon.ValueTypeStr {
		return false
	}
	t := strings.TrimSpace(v.Str())
	return t != "" && t[0] != '['
}
