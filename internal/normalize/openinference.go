package normalize

import (
	"encoding/json"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// OpenInference (Arize Phoenix) attribute names.
const (
	oiSpanKind         = "openinference.span.kind"
	oiModelName        = "llm.model_name"
	oiRequestModel     = "llm.request.model_name"
	oiResponseModel    = "llm.response.model_name"
	oiProvider         = "llm.provider"
	oiSystem           = "llm.system"
	oiInvocationParams = "llm.invocation_parameters"
	oiFinishReason     = "llm.finish_reason"
	oiEmbeddingModel   = "embedding.model_name"
	oiRerankerModel    = "reranker.model_name"
	oiToolName         = "tool.name"
	oiToolDescription  = "tool.description"
	oiToolID           = "tool.id"
	oiToolCallID       = "tool_call.id"
	oiToolCallArgs     = "tool_call.function.arguments"
	oiAgentName        = "agent.name"
	oiPromptID         = "prompt.id"
	oiInputValue       = "input.value"
	oiInputMime        = "input.mime_type"
	oiOutputValue      = "output.value"
	oiOutputMime       = "output.mime_type"

	oiInputPrefix   = "llm.input_messages."
	oiOutputPrefix  = "llm.output_messages."
	oiTokenPrefix   = "llm.token_count."
	oiPromptsPrefix = "llm.prompts."
	oiChoicesPrefix = "llm.choices."
	oiToolsPrefix   = "llm.tools."

	oiTokenPrompt     = "llm.token_count.prompt"
	oiTokenCompletion = "llm.token_count.completion"
	oiTokenCacheRead  = "llm.token_count.prompt_details.cache_read"
	oiTokenCacheWrite = "llm.token_count.prompt_details.cache_write"
	oiTokenReasoning  = "llm.token_count.completion_details.reasoning"
)

// oiOperations maps openinference.span.kind (upper-cased) to gen_ai.operation.name.
// RERANKER, PROMPT, GUARDRAIL, EVALUATOR and UNKNOWN have no semconv operation.
var oiOperations = map[string]string{
	"LLM":       genai.OpChat,
	"EMBEDDING": genai.OpEmbeddings,
	"RETRIEVER": genai.OpRetrieval,
	"TOOL":      genai.OpExecuteTool,
	"AGENT":     genai.OpInvokeAgent,
	"CHAIN":     genai.OpInvokeWorkflow,
}

var oiRenames = []rename{
	{oiResponseModel, genai.ResponseModel, asString},
	{oiEmbeddingModel, genai.RequestModel, asString},
	{oiRerankerModel, genai.RequestModel, asString},
	{oiTokenPrompt, genai.UsageInputTokens, asCount},
	{oiTokenCompletion, genai.UsageOutputTokens, asCount},
	{oiTokenCacheRead, genai.UsageCacheReadInputTokens, asCount},
	{oiTokenCacheWrite, genai.UsageCacheCreationInputTokens, asCount},
	{oiTokenReasoning, genai.UsageReasoningOutputTokens, asCount},
	{oiToolName, genai.ToolName, asString},
	{oiToolDescription, genai.ToolDescription, asString},
	{oiToolID, genai.ToolCallID, asString},
	{oiToolCallID, genai.ToolCallID, asString},
	{oiAgentName, genai.AgentName, asString},
	{oiPromptID, genai.PromptName, asString},
}

func (s *state) openInference() {
	kind, _ := s.str(oiSpanKind)
	kind = strings.ToUpper(kind)
	s.kinded = s.kinded || kind != ""
	if op, ok := oiOperations[kind]; ok {
		if op == genai.OpChat && hasPrefix(s, oiPromptsPrefix) {
			op = genai.OpTextCompletion
		}
		s.setStr(genai.OperationName, op)
	}

	s.oiProvider()
	s.renameStr(oiRequestModel, genai.RequestModel)
	if m, ok := s.str(oiModelName); ok {
		// llm.model_name is the response model when known (OpenInference spec).
		s.setStr(genai.RequestModel, m)
		s.setStr(genai.ResponseModel, m)
		s.consume(oiModelName)
	}
	s.renames(oiRenames)
	if text, ok := s.str(oiInvocationParams); ok {
		s.requestParamsJSON(text)
	}

	var reasons []string
	if r, ok := s.str(oiFinishReason); ok {
		reasons = []string{r}
		s.setStrs(genai.ResponseFinishReasons, r)
		s.consume(oiFinishReason)
	}
	s.oiMessages(reasons)

	if a, ok := s.str(oiToolCallArgs); ok {
		s.setStr(genai.ToolCallArguments, string(jsonArguments(a)))
		s.consume(oiToolCallArgs)
	}
	if kind == "TOOL" {
		s.ioValue(oiInputValue, oiInputMime, genai.ToolCallArguments)
		s.ioValue(oiOutputValue, oiOutputMime, genai.ToolCallResult)
	}
	if id, ok := s.str(genai.SessionID); ok {
		s.setStr(genai.ConversationID, id)
	}
	s.oiEvaluations()
}

// oiProvider applies the llm.provider / llm.system rule: the hosting provider wins, and
// "azure" hosting means Azure OpenAI only when the product is OpenAI.
func (s *state) oiProvider() {
	provider, _ := s.str(oiProvider)
	system, _ := s.str(oiSystem)
	v := provider
	if v == "" {
		v = system
	}
	if v == "" {
		return
	}
	p, _ := genai.NormalizeProvider(v)
	if strings.EqualFold(v, "azure") && !strings.EqualFold(system, "openai") {
		p = genai.ProviderAzureAIInference
	}
	s.setStr(genai.ProviderName, p)
	s.consume(oiProvider)
	s.consume(oiSystem)
}

// ioValue maps input.value / output.value of a TOOL span to the tool-call attributes,
// as JSON when the mime type says so.
func (s *state) ioValue(key, mimeKey, target string) {
	v, ok := s.str(key)
	if !ok {
		return
	}
	if mime, _ := s.str(mimeKey); mime == "application/json" {
		if !json.Valid([]byte(v)) {
			s.fail()
			return
		}
		s.setStr(target, string(compactJSON([]byte(v))))
		return
	}
	s.setStr(target, v)
}

func hasPrefix(s *state, prefix string) bool {
	for k := range s.attrs.All() {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func (s *state) oiMessages(reasons []string) {
	if !s.has(genai.InputMessages) {
		if msgs := s.oiMessageList(s.collect(oiInputPrefix)); len(msgs) > 0 {
			s.setMessages(genai.InputMessages, msgs)
			s.consumePrefix(oiInputPrefix)
		} else if prompts := s.itemsOf(s.collect(oiPromptsPrefix)); len(prompts) > 0 {
			var msgs []genai.Message
			for _, it := range prompts {
				if t := s.itemStr(it, "prompt.text"); t != "" {
					msgs = append(msgs, genai.Message{Role: "user", Parts: []genai.Part{genai.TextPart(t)}})
				}
			}
			s.setMessages(genai.InputMessages, msgs)
			s.consumePrefix(oiPromptsPrefix)
		}
	}
	if !s.has(genai.OutputMessages) {
		msgs := s.oiMessageList(s.collect(oiOutputPrefix))
		pfx := oiOutputPrefix
		if len(msgs) == 0 {
			pfx = oiChoicesPrefix
			for _, it := range s.itemsOf(s.collect(oiChoicesPrefix)) {
				if t := s.itemStr(it, "completion.text"); t != "" {
					msgs = append(msgs, genai.Message{Role: "assistant", Parts: []genai.Part{genai.TextPart(t)}})
				}
			}
		}
		if len(msgs) > 0 {
			if len(msgs) == 1 {
				setOutputFinish(msgs, reasons)
			}
			s.setMessages(genai.OutputMessages, msgs)
			s.consumePrefix(pfx)
		}
	}
	if !s.has(genai.ToolDefinitions) {
		var defs []json.RawMessage
		for _, it := range s.itemsOf(s.collect(oiToolsPrefix)) {
			schema := s.itemStr(it, "tool.json_schema")
			if schema == "" {
				continue
			}
			if d := openAITool(schema); d != nil {
				defs = append(defs, d)
			} else {
				s.fail()
			}
		}
		if len(defs) > 0 {
			s.setToolDefinitions(defs)
			s.consumePrefix(oiToolsPrefix)
		}
	}
}

// openAITool unwraps {type:"function", function:{name, description, parameters}} into
// the semconv definition; other JSON objects are kept as they are.
func openAITool(schema string) json.RawMessage {
	var t struct {
		Type     string `json:"type"`
		Function *struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	}
	if jsonAPI.Unmarshal([]byte(schema), &t) != nil {
		return nil
	}
	if t.Function == nil {
		return compactJSON([]byte(schema))
	}
	typ := t.Type
	if typ == "" {
		typ = "function"
	}
	return toolDefinition{Type: typ, Name: t.Function.Name, Description: t.Function.Description,
		Parameters: compactJSON(t.Function.Parameters)}.raw()
}

// oiMessageList rebuilds llm.{input,output}_messages.N.message.* into messages.
// A list with any unconvertible value is not mapped at all: a conversation with a
// message missing would mislead.
func (s *state) oiMessageList(fs []field) (msgs []genai.Message) {
	if len(fs) == 0 {
		return nil
	}
	before := s.errors
	defer func() {
		if s.errors > before {
			msgs = nil
		}
	}()
	for _, it := range s.itemsOf(fs) {
		m := genai.Message{Role: s.itemStr(it, "message.role"), Name: s.itemStr(it, "message.name")}
		if m.Role == "" {
			if _, present := it.get("message.role"); !present {
				s.fail()
			}
			return nil
		}
		callID := s.itemStr(it, "message.tool_call_id")
		content := s.itemStr(it, "message.content")
		if m.Role == "tool" || callID != "" {
			m.Role = "tool"
			var resp json.RawMessage
			if content != "" {
				resp = jsonString(content)
			}
			m.Parts = []genai.Part{{Type: genai.PartToolCallResponse, ID: callID, Response: resp}}
			msgs = append(msgs, m)
			continue
		}
		if content != "" {
			m.Parts = append(m.Parts, genai.TextPart(content))
		}
		for _, c := range s.itemsOf(s.sub(it.fields, "message.contents.")) {
			if p, ok := s.oiContent(c); ok {
				m.Parts = append(m.Parts, p)
			}
		}
		for _, tc := range s.itemsOf(s.sub(it.fields, "message.tool_calls.")) {
			m.Parts = append(m.Parts, s.oiToolCall(tc, "tool_call."))
		}
		if name := s.itemStr(it, "message.function_call_name"); name != "" {
			m.Parts = append(m.Parts, genai.Part{Type: genai.PartToolCall, Name: name,
				Arguments: jsonArguments(s.itemStr(it, "message.function_call_arguments_json"))})
		}
		msgs = append(msgs, m)
	}
	return msgs
}

func (s *state) oiToolCall(it item, prefix string) genai.Part {
	return genai.Part{Type: genai.PartToolCall, ID: s.itemStr(it, prefix+"id"),
		Name:      s.itemStr(it, prefix+"function.name"),
		Arguments: jsonArguments(s.itemStr(it, prefix+"function.arguments"))}
}

func (s *state) oiContent(c item) (genai.Part, bool) {
	const p = "message_content."
	switch s.itemStr(c, p+"type") {
	case "text":
		return genai.TextPart(s.itemStr(c, p+"text")), true
	case "reasoning":
		return genai.Part{Type: genai.PartReasoning, Content: s.itemStr(c, p+"text")}, true
	case "image":
		if url := s.itemStr(c, p+"image.image.url"); url != "" {
			return urlPart(url, "", "image"), true
		}
	case "tool_use":
		return s.oiToolCall(c, p+"tool_call."), true
	}
	return genai.Part{}, false
}
