package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Vercel AI SDK attribute names: v4–v6 ai.* spans (and v7 LegacyOpenTelemetry), and the
// extras of v7's semconv-like spans.
const (
	vOperationID       = "ai.operationId"
	vFunctionID        = "ai.telemetry.functionId"
	vModelProvider     = "ai.model.provider"
	vModelID           = "ai.model.id"
	vResponseModel     = "ai.response.model"
	vResponseID        = "ai.response.id"
	vFinishReason      = "ai.response.finishReason"
	vMsToFirstChunk    = "ai.response.msToFirstChunk"
	vStreamMsToFirst   = "ai.stream.msToFirstChunk"
	vPrompt            = "ai.prompt"
	vPromptMessages    = "ai.prompt.messages"
	vPromptTools       = "ai.prompt.tools"
	vResponseText      = "ai.response.text"
	vResponseObject    = "ai.response.object"
	vResponseToolCalls = "ai.response.toolCalls"
	vResultText        = "ai.result.text"
	vProviderMetadata  = "ai.response.providerMetadata"
	vToolCallName      = "ai.toolCall.name"
	vToolCallID        = "ai.toolCall.id"
	vToolCallArgs      = "ai.toolCall.args"
	vToolCallResult    = "ai.toolCall.result"
	vMetadata          = "ai.telemetry.metadata."

	vPromptTokens     = "ai.usage.promptTokens"
	vInputTokens      = "ai.usage.inputTokens"
	vCompletionTokens = "ai.usage.completionTokens"
	vOutputTokens     = "ai.usage.outputTokens"
	vEmbedTokens      = "ai.usage.tokens"
	vCachedInput      = "ai.usage.cachedInputTokens"
	vReasoningTokens  = "ai.usage.reasoningTokens"
	vNoCacheTokens    = "ai.usage.inputTokenDetails.noCacheTokens"
	vCacheReadTokens  = "ai.usage.inputTokenDetails.cacheReadTokens"
	vCacheWriteTokens = "ai.usage.inputTokenDetails.cacheWriteTokens"
	vReasoningDetail  = "ai.usage.outputTokenDetails.reasoningTokens"

	// v7 (@ai-sdk/otel) stores metric values as span attributes, in seconds.
	v7Duration         = "gen_ai.client.operation.duration"
	v7TimeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk"
	v7TimePerChunk     = "gen_ai.client.operation.time_per_output_chunk"
	v7ToolDuration     = "gen_ai.execute_tool.duration"
	opAgentStep        = "agent_step"

	evStreamFirstChunk = "ai.stream.firstChunk"
)

// vercelProviders is @ai-sdk/otel's mapProviderName: a prefix match on the lower-cased
// ai.model.provider, first match wins.
var vercelProviders = [...]struct{ prefix, provider string }{
	{"google.vertex", genai.ProviderGCPVertexAI},
	{"google-vertex", genai.ProviderGCPVertexAI},
	{"google.generative-ai", genai.ProviderGCPGemini},
	{"google", genai.ProviderGCPGemini},
	{"amazon-bedrock", genai.ProviderAWSBedrock},
	{"bedrock", genai.ProviderAWSBedrock},
	{"azure-openai", genai.ProviderAzureAIOpenAI},
	{"azure", genai.ProviderAzureAIInference},
	{"anthropic", genai.ProviderAnthropic},
	{"openai", genai.ProviderOpenAI},
	{"cohere", genai.ProviderCohere},
	{"groq", genai.ProviderGroq},
	{"deepseek", genai.ProviderDeepSeek},
	{"perplexity", genai.ProviderPerplexity},
	{"mistral", genai.ProviderMistralAI},
	{"xai", genai.ProviderXAI},
}

func vercelProvider(id string) string {
	l := strings.ToLower(id)
	for _, p := range vercelProviders {
		if strings.HasPrefix(l, p.prefix) {
			return p.provider
		}
	}
	return id
}

// vercelOperation maps ai.operationId (also the span name) to gen_ai.operation.name.
func vercelOperation(id string) string {
	switch id {
	case "ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject":
		return genai.OpInvokeAgent
	case "ai.embed", "ai.embedMany":
		return genai.OpEmbeddings
	case "ai.toolCall":
		return genai.OpExecuteTool
	}
	switch {
	case strings.HasSuffix(id, ".doGenerate"), strings.HasSuffix(id, ".doStream"):
		return genai.OpChat
	case strings.HasSuffix(id, ".doEmbed"):
		return genai.OpEmbeddings
	}
	return ""
}

func (s *state) vercel() {
	opID, ok := s.str(vOperationID)
	if !ok && s.hasSpan && strings.HasPrefix(s.span.Name(), "ai.") {
		opID = s.span.Name()
	}
	op := vercelOperation(opID)
	s.kinded = s.kinded || opID != ""
	if op != "" {
		s.setStr(genai.OperationName, op)
	}
	if op == genai.OpInvokeAgent {
		if fn, ok := s.str(vFunctionID); ok {
			s.setStr(genai.AgentName, fn)
		}
	}

	if id, ok := s.str(vModelProvider); ok {
		s.setStr(genai.ProviderName, vercelProvider(id))
		s.consume(vModelProvider)
	} else if id, ok := s.str(legacySystem); ok && opID != "" {
		s.setStr(genai.ProviderName, vercelProvider(id))
	}
	s.renames(vercelRenames)
	s.vercelSettings()
	s.vercelUsage()

	s.vercelFinishReasons()
	s.vercelFirstChunk()
	s.vercelMessages()
	s.vercelTools()

	if name, ok := s.str(vToolCallName); ok {
		s.setStr(genai.ToolName, name)
		s.setStr(genai.ToolType, "function")
		s.consume(vToolCallName)
	}
	s.jsonAttr(vToolCallArgs, genai.ToolCallArguments)
	s.jsonAttr(vToolCallResult, genai.ToolCallResult)

	if id, ok := s.str(vMetadata + "sessionId"); ok {
		s.setStr(genai.ConversationID, id)
	}
	if id, ok := s.str(vMetadata + "userId"); ok {
		s.setStr(genai.UserID, id)
	}
}

// vercelFinishReasons wraps ai.response.finishReason and respells the values, as
// @ai-sdk/otel does; Vercel ≤v6 also writes gen_ai.response.finish_reasons unmapped
// (["tool-calls"]).
func (s *state) vercelFinishReasons() {
	if r, ok := s.str(vFinishReason); ok {
		s.setStrs(genai.ResponseFinishReasons, genai.NormalizeFinishReason(r))
		s.consume(vFinishReason)
	}
	v, ok := s.attrs.Get(genai.ResponseFinishReasons)
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return
	}
	sl := v.Slice()
	for i := range sl.Len() {
		if e := sl.At(i); e.Type() == pcommon.ValueTypeStr {
			if n := genai.NormalizeFinishReason(e.Str()); n != e.Str() {
				e.SetStr(n)
				s.touch()
			}
		}
	}
}

// vercelFirstChunk converts the time to first chunk: ms on ≤v6 spans (attribute, or the
// ai.stream.firstChunk event), seconds in v7's metric-named attribute.
func (s *state) vercelFirstChunk() {
	if ms, ok := s.float(vMsToFirstChunk); ok && ms >= 0 {
		s.setDouble(genai.ResponseTimeToFirstChunk, ms/1000)
		s.consume(vMsToFirstChunk)
	}
	if sec, ok := s.float(v7TimeToFirstChunk); ok && sec >= 0 {
		s.setDouble(genai.ResponseTimeToFirstChunk, sec)
	}
	if s.has(genai.ResponseTimeToFirstChunk) || !s.hasSpan {
		return
	}
	events := s.span.Events()
	for i := range events.Len() {
		if e := events.At(i); e.Name() == evStreamFirstChunk {
			if v, ok := e.Attributes().Get(vStreamMsToFirst); ok {
				if ms, ok := genai.ValueFloat(v); ok && ms >= 0 {
					s.setDouble(genai.ResponseTimeToFirstChunk, ms/1000)
				}
			}
		}
	}
}

// jsonAttr copies a JSON-string attribute, compacted; a non-JSON string is kept as text.
func (s *state) jsonAttr(from, to string) {
	v, ok := s.str(from)
	if !ok {
		return
	}
	if c := compactJSON([]byte(v)); c != nil {
		v = string(c)
	}
	s.setStr(to, v)
	s.consume(from)
}

var vercelFloatSettings = [...]struct{ key, target string }{
	{"ai.settings.temperature", genai.RequestTemperature},
	{"ai.settings.topP", genai.RequestTopP},
	{"ai.settings.topK", genai.RequestTopK},
	{"ai.settings.frequencyPenalty", genai.RequestFrequencyPenalty},
	{"ai.settings.presencePenalty", genai.RequestPresencePenalty},
}

// vercelSettings is the fallback for outer spans: provider-call spans already carry
// gen_ai.request.*.
func (s *state) vercelSettings() {
	for _, k := range []string{"ai.settings.maxOutputTokens", "ai.settings.maxTokens"} {
		if n, ok := s.attrs.Get(k); ok {
			if v, ok := genai.ValueInt(n); ok {
				s.setInt(genai.RequestMaxTokens, v)
			} else {
				s.fail()
			}
		}
	}
	for _, setting := range vercelFloatSettings {
		if f, ok := s.float(setting.key); ok {
			s.setDouble(setting.target, f)
		}
	}
	if n, ok := s.attrs.Get("ai.settings.seed"); ok {
		if v, ok := genai.ValueInt(n); ok {
			s.setInt(genai.RequestSeed, v)
		} else {
			s.fail()
		}
	}
	s.stopSequences("ai.settings.stopSequences")
}

var vercelRenames = []rename{
	{vModelID, genai.RequestModel, asString},
	{vResponseModel, genai.ResponseModel, asString},
	{vResponseID, genai.ResponseID, asString},
	{vToolCallID, genai.ToolCallID, asString},
}

// vercelUsageRenames: the first present spelling of each count wins.
var vercelUsageRenames = []rename{
	{vPromptTokens, genai.UsageInputTokens, asCount},
	{vInputTokens, genai.UsageInputTokens, asCount},
	{vEmbedTokens, genai.UsageInputTokens, asCount},
	{vCompletionTokens, genai.UsageOutputTokens, asCount},
	{vOutputTokens, genai.UsageOutputTokens, asCount},
	{vCachedInput, genai.UsageCacheReadInputTokens, asCount},
	{vCacheReadTokens, genai.UsageCacheReadInputTokens, asCount},
	{vCacheWriteTokens, genai.UsageCacheCreationInputTokens, asCount},
	{vReasoningTokens, genai.UsageReasoningOutputTokens, asCount},
	{vReasoningDetail, genai.UsageReasoningOutputTokens, asCount},
}

func (s *state) vercelUsage() {
	s.renames(vercelUsageRenames)
	if noCache, ok := s.count(vNoCacheTokens); ok && !s.has(genai.UsageInputTokens) {
		u := genai.ReadUsage(s.attrs)
		s.setInt(genai.UsageInputTokens, noCache+u.CacheRead+u.CacheWrite)
	}
	if meta, ok := s.str(vProviderMetadata); ok {
		s.providerMetadata(meta)
	}
}

// providerMetadata reads cache and reasoning counts from ai.response.providerMetadata
// (the keys Langfuse reads). Anthropic's raw input_tokens exclude the cache, so when they
// are present the input count is rebuilt as their sum (SC v1.41 Anthropic span).
func (s *state) providerMetadata(text string) {
	var meta struct {
		Anthropic struct {
			CacheCreationInputTokens *int64 `json:"cacheCreationInputTokens"`
			Usage                    struct {
				InputTokens   *int64 `json:"input_tokens"`
				CacheRead     *int64 `json:"cache_read_input_tokens"`
				CacheCreation *int64 `json:"cache_creation_input_tokens"`
			} `json:"usage"`
		} `json:"anthropic"`
		OpenAI struct {
			CachedPromptTokens *int64 `json:"cachedPromptTokens"`
			ReasoningTokens    *int64 `json:"reasoningTokens"`
		} `json:"openai"`
		Bedrock struct {
			Usage struct {
				CacheRead  *int64 `json:"cacheReadInputTokens"`
				CacheWrite *int64 `json:"cacheWriteInputTokens"`
			} `json:"usage"`
		} `json:"bedrock"`
	}
	if err := jsonAPI.Unmarshal([]byte(text), &meta); err != nil {
		s.fail()
		return
	}
	set := func(key string, vs ...*int64) {
		for _, v := range vs {
			if v != nil && *v >= 0 && *v <= maxTokens {
				s.setInt(key, *v)
				return
			}
		}
	}
	a := meta.Anthropic
	set(genai.UsageCacheReadInputTokens, a.Usage.CacheRead, meta.OpenAI.CachedPromptTokens, meta.Bedrock.Usage.CacheRead)
	set(genai.UsageCacheCreationInputTokens, a.Usage.CacheCreation, a.CacheCreationInputTokens, meta.Bedrock.Usage.CacheWrite)
	set(genai.UsageReasoningOutputTokens, meta.OpenAI.ReasoningTokens)
	if in := a.Usage.InputTokens; in != nil && *in >= 0 && *in <= maxTokens {
		total := *in
		for _, c := range []*int64{a.Usage.CacheRead, a.Usage.CacheCreation} {
			if c != nil && *c >= 0 && *c <= maxTokens {
				total += *c
			}
		}
		if cur, ok := genai.Int(s.attrs, genai.UsageInputTokens); !ok || cur != total {
			s.attrs.PutInt(genai.UsageInputTokens, total)
			s.touch()
		}
	}
}

// vercelMessage is one message of the AI SDK prompt (ai.prompt.messages, ai.prompt).
type vercelMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// vercelMessages maps ai.prompt.messages (provider call) or ai.prompt (outer span), and
// the response attributes.
func (s *state) vercelMessages() {
	var system []genai.Part
	var input []genai.Message
	if text, ok := s.str(vPromptMessages); ok {
		var msgs []vercelMessage
		if err := jsonAPI.Unmarshal([]byte(text), &msgs); err != nil {
			s.fail()
		} else if system, input = s.vercelPrompt(msgs); system != nil || input != nil {
			s.consume(vPromptMessages)
		}
	} else if text, ok := s.str(vPrompt); ok {
		var p struct {
			System   json.RawMessage `json:"system"`
			Prompt   json.RawMessage `json:"prompt"`
			Messages []vercelMessage `json:"messages"`
		}
		if err := jsonAPI.Unmarshal([]byte(text), &p); err != nil {
			s.fail()
		} else {
			var sys string
			if jsonAPI.Unmarshal(p.System, &sys) == nil && sys != "" {
				system = []genai.Part{genai.TextPart(sys)}
			}
			msgs := p.Messages
			var prompt string
			if jsonAPI.Unmarshal(p.Prompt, &prompt) == nil && prompt != "" {
				msgs = append(msgs, vercelMessage{Role: "user", Content: prompt})
			} else if len(bytes.TrimSpace(p.Prompt)) > 0 && p.Prompt[0] == '[' {
				var pm []vercelMessage
				if jsonAPI.Unmarshal(p.Prompt, &pm) == nil {
					msgs = append(msgs, pm...)
				}
			}
			sysFromMsgs, in := s.vercelPrompt(msgs)
			if system == nil {
				system = sysFromMsgs
			}
			input = in
			if system != nil || input != nil {
				s.consume(vPrompt)
			}
		}
	}
	s.setParts(genai.SystemInstructions, system)
	s.setMessages(genai.InputMessages, input)
	s.vercelOutput()
}

// vercelPrompt converts AI SDK messages; the first system message becomes the system
// instructions, as @ai-sdk/otel does.
func (s *state) vercelPrompt(msgs []vercelMessage) (system []genai.Part, input []genai.Message) {
	for _, m := range msgs {
		parts, err := vercelParts(m.Content)
		if err != nil || m.Role == "" {
			s.fail()
			return nil, nil
		}
		if m.Role == "system" && system == nil {
			system = parts
			continue
		}
		input = append(input, genai.Message{Role: m.Role, Parts: parts})
	}
	return system, input
}

func vercelParts(v any) ([]genai.Part, error) {
	elems, ok := v.([]any)
	if !ok {
		return contentParts(v)
	}
	parts := make([]genai.Part, 0, len(elems))
	for _, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, errors.New("prompt part is not an object")
		}
		p, err := vercelPart(m)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// vercelPart converts one AI SDK prompt part (v4–v6 spellings); types we do not know
// are kept as generic parts.
func vercelPart(o map[string]any) (genai.Part, error) {
	mime := mstr(o, "mediaType")
	if mime == "" {
		mime = mstr(o, "mimeType")
	}
	switch typ := mstr(o, "type"); typ {
	case "text":
		return genai.TextPart(mstr(o, "text")), nil
	case "reasoning":
		return genai.Part{Type: genai.PartReasoning, Content: mstr(o, "text")}, nil
	case "image", "file":
		data := mstr(o, "data")
		if data == "" {
			data = mstr(o, "image")
		}
		def := "image"
		if typ == "file" {
			def = ""
		}
		if strings.Contains(data, "://") || strings.HasPrefix(data, "data:") {
			return urlPart(data, mime, modalityOf(mime, def)), nil
		}
		return genai.Part{Type: genai.PartBlob, MimeType: mime, Modality: modalityOf(mime, def), Content: data}, nil
	case "tool-call":
		args, ok := o["input"]
		if !ok {
			args = o["args"]
		}
		return genai.Part{Type: genai.PartToolCall, ID: mstr(o, "toolCallId"), Name: mstr(o, "toolName"), Arguments: anyArguments(args)}, nil
	case "tool-result":
		out, ok := o["output"]
		if !ok {
			out = o["result"]
		}
		return genai.Part{Type: genai.PartToolCallResponse, ID: mstr(o, "toolCallId"), Response: toolOutput(out)}, nil
	}
	var p genai.Part
	err := json.Unmarshal(anyJSON(o), &p)
	return p, err
}

// toolOutput unwraps the v5+ tool output {type:"text"|"json", value}.
func toolOutput(v any) json.RawMessage {
	if m, ok := v.(map[string]any); ok {
		if t := mstr(m, "type"); (t == "text" || t == "json") && m["value"] != nil {
			return anyJSON(m["value"])
		}
	}
	return toolResponse(v)
}

// vercelOutput builds the output message from ai.response.text/object/toolCalls.
func (s *state) vercelOutput() {
	if s.has(genai.OutputMessages) {
		return
	}
	msg := genai.Message{Role: "assistant"}
	var used []string
	for _, k := range []string{vResponseText, vResponseObject, vResultText} {
		if t, ok := s.str(k); ok {
			msg.Parts = append(msg.Parts, genai.TextPart(t))
			used = append(used, k)
			break
		}
	}
	if text, ok := s.str(vResponseToolCalls); ok {
		var calls []obj
		if err := jsonAPI.Unmarshal([]byte(text), &calls); err != nil {
			s.fail()
		} else {
			used = append(used, vResponseToolCalls)
		}
		for _, c := range calls {
			args := c["input"]
			if args == nil {
				args = c["args"]
			}
			msg.Parts = append(msg.Parts, genai.Part{Type: genai.PartToolCall, ID: c.str("toolCallId"), Name: c.str("toolName"), Arguments: arguments(args)})
		}
	}
	if len(msg.Parts) == 0 {
		return
	}
	if r, ok := s.str(vFinishReason); ok {
		msg.FinishReason = outputFinish(r)
	} else if v, ok := s.attrs.Get(genai.ResponseFinishReasons); ok && v.Type() == pcommon.ValueTypeSlice && v.Slice().Len() > 0 {
		msg.FinishReason = outputFinish(v.Slice().At(0).AsString())
	}
	s.setMessages(genai.OutputMessages, []genai.Message{msg})
	for _, k := range used {
		s.consume(k)
	}
}

// vercelTools maps ai.prompt.tools (an array of JSON strings) to gen_ai.tool.definitions.
func (s *state) vercelTools() {
	v, ok := s.attrs.Get(vPromptTools)
	if !ok || s.has(genai.ToolDefinitions) {
		return
	}
	if v.Type() != pcommon.ValueTypeSlice {
		s.fail()
		return
	}
	var defs []json.RawMessage
	sl := v.Slice()
	for i := range sl.Len() {
		text, ok := s.valStr(sl.At(i))
		if !ok {
			continue
		}
		var o obj
		if jsonAPI.Unmarshal([]byte(text), &o) != nil {
			s.fail()
			continue
		}
		if t := o.str("type"); t != "function" && t != "" {
			defs = append(defs, compactJSON([]byte(text)))
			continue
		}
		params := o["inputSchema"]
		if params == nil {
			params = o["parameters"]
		}
		defs = append(defs, toolDefinition{Type: "function", Name: o.str("name"), Description: o.str("description"),
			Parameters: compactJSON(params)}.raw())
	}
	s.setToolDefinitions(defs)
	s.consume(vPromptTools)
}
