package normalize

import (
	"encoding/json"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// OpenLLMetry (Traceloop) attribute names: the legacy format (≤ v0.54), the project-only
// keys of ≥ v0.55, and go-openllmetry.
const (
	ollRequestType      = "llm.request.type"
	ollIsStreaming      = "llm.is_streaming"
	ollIsStreamingNew   = "gen_ai.is_streaming"
	ollFrequencyPenalty = "llm.frequency_penalty"
	ollPresencePenalty  = "llm.presence_penalty"
	ollTopK             = "llm.top_k"
	ollStopSequences    = "llm.chat.stop_sequences"
	ollFinishReason     = "llm.response.finish_reason"
	ollStopReason       = "llm.response.stop_reason"
	ollFinishReasonNew  = "gen_ai.response.finish_reason"
	ollStopReasonNew    = "gen_ai.response.stop_reason"
	ollCacheRead        = "gen_ai.usage.cache_read_input_tokens"
	ollCacheCreation    = "gen_ai.usage.cache_creation_input_tokens"
	ollReasoning        = "llm.usage.reasoning_tokens"
	ollReasoningNew     = "gen_ai.usage.reasoning_tokens"
	ollTotalTokens      = "llm.usage.total_tokens"
	ollTotalTokensNew   = "gen_ai.usage.total_tokens"
	ollFingerprint      = "gen_ai.openai.system_fingerprint"
	ollRequestMaxTokens = "llm.request.max_tokens"

	ollGoRequestModel     = "llm.request.model"
	ollGoResponseModel    = "llm.response.model"
	ollGoVendor           = "llm.vendor"
	ollGoPromptTokens     = "llm.usage.prompt_tokens"
	ollGoCompletionTokens = "llm.usage.completion_tokens"
	ollGoTemperature      = "llm.temperature"
	ollGoTopP             = "llm.top_p"

	ollPromptPrefix     = "gen_ai.prompt."
	ollCompletionPrefix = "gen_ai.completion."
	ollFunctionsPrefix  = "llm.request.functions."

	ollSpanKind      = "traceloop.span.kind"
	ollWorkflowName  = "traceloop.workflow.name"
	ollEntityName    = "traceloop.entity.name"
	ollEntityInput   = "traceloop.entity.input"
	ollEntityOutput  = "traceloop.entity.output"
	ollPromptKey     = "traceloop.prompt.key"
	ollAssociation   = "traceloop.association.properties."
	ollFilterResults = "content_filter_results"
)

var ollRequestTypes = map[string]string{
	"chat":       genai.OpChat,
	"completion": genai.OpTextCompletion,
	"embedding":  genai.OpEmbeddings,
}

// ollSpanKinds maps traceloop.span.kind; task has no semconv operation.
var ollSpanKinds = map[string]string{
	"workflow": genai.OpInvokeWorkflow,
	"agent":    genai.OpInvokeAgent,
	"tool":     genai.OpExecuteTool,
}

var ollRenames = []rename{
	{ollWorkflowName, genai.WorkflowName, asString},
	{ollGoRequestModel, genai.RequestModel, asString},
	{ollGoResponseModel, genai.ResponseModel, asString},
	{ollGoVendor, genai.ProviderName, asProvider},
	{ollGoPromptTokens, genai.UsageInputTokens, asCount},
	{ollGoCompletionTokens, genai.UsageOutputTokens, asCount},
	{ollCacheRead, genai.UsageCacheReadInputTokens, asCount},
	{ollCacheCreation, genai.UsageCacheCreationInputTokens, asCount},
	{ollReasoning, genai.UsageReasoningOutputTokens, asCount},
	{ollReasoningNew, genai.UsageReasoningOutputTokens, asCount},
	{ollGoTemperature, genai.RequestTemperature, asDouble},
	{ollGoTopP, genai.RequestTopP, asDouble},
	{ollRequestMaxTokens, genai.RequestMaxTokens, asCount},
	{ollFrequencyPenalty, genai.RequestFrequencyPenalty, asDouble},
	{ollPresencePenalty, genai.RequestPresencePenalty, asDouble},
	{ollTopK, genai.RequestTopK, asDouble},
	{ollFingerprint, genai.OpenAIResponseSystemFingerprint, asString},
}

func (s *state) openLLMetry() {
	if t, ok := s.str(ollRequestType); ok {
		if op, known := ollRequestTypes[t]; known {
			s.setStr(genai.OperationName, op)
			s.consume(ollRequestType)
		}
	}
	kind, _ := s.str(ollSpanKind)
	s.kinded = s.kinded || kind != "" || s.has(ollRequestType)
	if op, ok := ollSpanKinds[kind]; ok {
		s.setStr(genai.OperationName, op)
	}
	if name, ok := s.str(ollEntityName); ok {
		switch kind {
		case "agent":
			s.setStr(genai.AgentName, name)
		case "tool":
			s.setStr(genai.ToolName, name)
		}
	}
	if kind == "tool" {
		s.entityIO()
	}

	s.renames(ollRenames)
	s.stopSequences(ollStopSequences)
	for _, k := range []string{ollIsStreaming, ollIsStreamingNew} {
		if v, ok := s.attrs.Get(k); ok && v.Bool() {
			s.setBool(genai.RequestStream, true)
			s.consume(k)
		}
	}

	reasons := s.ollMessages()
	if len(reasons) > 0 {
		s.setStrs(genai.ResponseFinishReasons, reasons...)
	}
	for _, k := range []string{ollFinishReason, ollFinishReasonNew, ollStopReason, ollStopReasonNew} {
		if r, ok := s.str(k); ok {
			s.setStrs(genai.ResponseFinishReasons, r)
			s.consume(k)
		}
	}
	s.ollFunctions()

	if id, ok := s.str(ollAssociation + "session_id"); ok {
		s.setStr(genai.ConversationID, id)
	}
	for _, k := range []string{"user_id", "customer_id"} {
		if id, ok := s.str(ollAssociation + k); ok {
			s.setStr(genai.UserID, id)
		}
	}
	if key, ok := s.str(ollPromptKey); ok {
		s.setStr(genai.PromptName, key)
	}
}

// stopSequences maps a string or string-array attribute to gen_ai.request.stop_sequences.
func (s *state) stopSequences(key string) {
	v, ok := s.attrs.Get(key)
	if !ok {
		return
	}
	switch raw := v.AsRaw().(type) {
	case string:
		s.setStrs(genai.RequestStopSequences, raw)
	case []any:
		stops := make([]string, 0, len(raw))
		for _, e := range raw {
			str, ok := e.(string)
			if !ok {
				s.fail()
				return
			}
			stops = append(stops, str)
		}
		s.setStrs(genai.RequestStopSequences, stops...)
	default:
		s.fail()
		return
	}
	s.consume(key)
}

// entityIO maps a Traceloop tool span's input ({"args":[],"kwargs":{}}: the kwargs are
// the arguments) and output to the tool-call attributes.
func (s *state) entityIO() {
	if in, ok := s.str(ollEntityInput); ok {
		var call struct {
			Kwargs json.RawMessage `json:"kwargs"`
		}
		switch {
		case jsonAPI.Unmarshal([]byte(in), &call) == nil && len(call.Kwargs) > 0:
			s.setStr(genai.ToolCallArguments, string(compactJSON(call.Kwargs)))
		case json.Valid([]byte(in)):
			s.setStr(genai.ToolCallArguments, string(compactJSON([]byte(in))))
		default:
			s.fail()
		}
	}
	if out, ok := s.str(ollEntityOutput); ok {
		s.setStr(genai.ToolCallResult, out)
	}
}

// ollMessages rebuilds gen_ai.prompt.N.* / gen_ai.completion.N.* and returns the
// completions' finish reasons in index order.
func (s *state) ollMessages() (reasons []string) {
	if fs := s.collect(ollPromptPrefix); len(fs) > 0 {
		msgs := s.ollMessageList(fs, false)
		if !s.has(genai.InputMessages) && len(msgs) > 0 {
			s.setMessages(genai.InputMessages, msgs)
			s.consumePrefix(ollPromptPrefix)
		}
	}
	fs := s.collect(ollCompletionPrefix)
	if len(fs) == 0 {
		return nil
	}
	msgs := s.ollMessageList(fs, true)
	for _, m := range msgs {
		if m.FinishReason != "" {
			reasons = append(reasons, m.FinishReason)
		}
	}
	setOutputFinish(msgs, nil)
	if !s.has(genai.OutputMessages) && len(msgs) > 0 {
		s.setMessages(genai.OutputMessages, msgs)
		s.consumePrefix(ollCompletionPrefix)
	}
	return reasons
}

// ollMessageList converts an indexed message list; like oiMessageList it maps a list
// only when every value converts.
func (s *state) ollMessageList(fs []field, output bool) (msgs []genai.Message) {
	before := s.errors
	defer func() {
		if s.errors > before {
			msgs = nil
		}
	}()
	for _, it := range s.itemsOf(fs) {
		msg := genai.Message{Role: s.itemStr(it, "role")}
		if output && msg.Role == "" {
			msg.Role = "assistant"
		}
		if msg.Role == "" {
			s.fail()
			return nil
		}
		content := s.itemStr(it, "content")
		if callID := s.itemStr(it, "tool_call_id"); msg.Role == "tool" || callID != "" {
			msg.Role = "tool"
			var resp json.RawMessage
			if content != "" {
				resp = jsonString(content)
			}
			msg.Parts = []genai.Part{{Type: genai.PartToolCallResponse, ID: callID, Response: resp}}
			msgs = append(msgs, msg)
			continue
		}
		if content != "" {
			msg.Parts = ollContent(content)
		}
		if refusal := s.itemStr(it, "refusal"); refusal != "" {
			msg.Parts = append(msg.Parts, genai.TextPart(refusal))
		}
		for _, tc := range s.itemsOf(s.sub(it.fields, "tool_calls.")) {
			msg.Parts = append(msg.Parts, genai.Part{Type: genai.PartToolCall, ID: s.itemStr(tc, "id"),
				Name: s.itemStr(tc, "name"), Arguments: jsonArguments(s.itemStr(tc, "arguments"))})
		}
		if output {
			msg.FinishReason = s.itemStr(it, "finish_reason")
			if content == "FILTERED" && ollFiltered(it) {
				msg.FinishReason = genai.FinishContentFilter
			}
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

// ollContent converts content: OpenLLMetry writes a list of content parts as its JSON
// dump, anything else (including JSON that is not a part list) is text.
func ollContent(content string) []genai.Part {
	if t := strings.TrimSpace(content); strings.HasPrefix(t, "[{") && strings.Contains(t, `"type"`) {
		var v any
		if jsonAPI.UnmarshalFromString(t, &v) == nil {
			if parts, err := contentParts(v); err == nil {
				return parts
			}
		}
	}
	return []genai.Part{genai.TextPart(content)}
}

func ollFiltered(it item) bool {
	for _, f := range it.fields {
		if strings.HasSuffix(f.key, ollFilterResults) {
			return true
		}
	}
	return false
}

// ollFunctions maps llm.request.functions.N.{name,description,parameters}.
func (s *state) ollFunctions() {
	if s.has(genai.ToolDefinitions) {
		return
	}
	fs := s.collect(ollFunctionsPrefix)
	if len(fs) == 0 {
		return
	}
	before := s.errors
	var defs []json.RawMessage
	for _, it := range s.itemsOf(fs) {
		d := toolDefinition{Type: "function", Name: s.itemStr(it, "name"), Description: s.itemStr(it, "description")}
		if params := s.itemStr(it, "parameters"); params != "" {
			if d.Parameters = compactJSON([]byte(params)); d.Parameters == nil {
				s.fail()
			}
		}
		defs = append(defs, d.raw())
	}
	if s.errors > before {
		return // a definition without its parameters would mislead
	}
	s.setToolDefinitions(defs)
	s.consumePrefix(ollFunctionsPrefix)
}
