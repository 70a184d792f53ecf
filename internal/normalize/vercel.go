package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	jsoniter "github.com/json-iterator/go"
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
	// generateObject and streamObject (and their provider calls) ask for a JSON object.
	if strings.HasPrefix(opID, "ai.generateObject") || strings.HasPrefix(opID, "ai.streamObject") {
		s.setStr(genai.OutputType, genai.OutputTypeJSON)
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
		var fast bool
		if system, input, fast = vercelPromptFast(text); fast {
			if system != nil || input != nil {
				s.consume(vPromptMessages)
			}
		} else {
			var msgs []vercelMessage
			if err := jsonAPI.Unmarshal([]byte(text), &msgs); err != nil {
				s.fail()
			} else if system, input = s.vercelPrompt(msgs); system != nil || input != nil {
				s.consume(vPromptMessages)
			}
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

// vercelPartFields are the fields of an AI SDK prompt part that the mapping reads; the
// general path fills them from a decoded map, the fast path straight from the JSON.
type vercelPartFields struct {
	typ, text, mediaType, mimeType, data, image, toolCallID, toolName string
	// input and output are the tool-call input (v5+; args before) and the tool result
	// (v5+; result before), as decoded values.
	input, output any
}

func vercelFieldsOf(o map[string]any) vercelPartFields {
	f := vercelPartFields{typ: mstr(o, "type"), text: mstr(o, "text"), mediaType: mstr(o, "mediaType"),
		mimeType: mstr(o, "mimeType"), data: mstr(o, "data"), image: mstr(o, "image"),
		toolCallID: mstr(o, "toolCallId"), toolName: mstr(o, "toolName")}
	var ok bool
	if f.input, ok = o["input"]; !ok {
		f.input = o["args"]
	}
	if f.output, ok = o["output"]; !ok {
		f.output = o["result"]
	}
	return f
}

// vercelPart converts one AI SDK prompt part (v4–v6 spellings); types we do not know
// are kept as generic parts.
func vercelPart(o map[string]any) (genai.Part, error) {
	f := vercelFieldsOf(o)
	if p, known := f.part(); known {
		return p, nil
	}
	var p genai.Part
	err := json.Unmarshal(anyJSON(o), &p)
	return p, err
}

// part converts a part of a known type; known is false for other types.
func (f *vercelPartFields) part() (p genai.Part, known bool) {
	mime := f.mediaType
	if mime == "" {
		mime = f.mimeType
	}
	switch f.typ {
	case "text":
		return genai.TextPart(f.text), true
	case "reasoning":
		return genai.Part{Type: genai.PartReasoning, Content: f.text}, true
	case "image", "file":
		data := f.data
		if data == "" {
			data = f.image
		}
		def := "image"
		if f.typ == "file" {
			def = ""
		}
		if strings.Contains(data, "://") || strings.HasPrefix(data, "data:") {
			return urlPart(data, mime, genai.ModalityOf(mime, def)), true
		}
		return genai.Part{Type: genai.PartBlob, MimeType: mime, Modality: genai.ModalityOf(mime, def), Content: data}, true
	case "tool-call":
		return genai.Part{Type: genai.PartToolCall, ID: f.toolCallID, Name: f.toolName, Arguments: anyArguments(f.input)}, true
	case "tool-result":
		return genai.Part{Type: genai.PartToolCallResponse, ID: f.toolCallID, Response: toolOutput(f.output)}, true
	}
	return genai.Part{}, false
}

// vercelPromptFast converts ai.prompt.messages straight from the JSON text, without
// decoding every message part into a map first (most of the cost of a Vercel span: a
// map, boxed values and their keys per part). It does what decoding into
// []vercelMessage and vercelPrompt do, for input that is well-formed, holds only part
// types we know and no value of an unexpected type; for anything else ok is false and
// the caller takes the general path, which decides what is an error.
func vercelPromptFast(text string) (system []genai.Part, input []genai.Message, ok bool) {
	iter := jsonAPI.BorrowIterator([]byte(text))
	defer jsonAPI.ReturnIterator(iter)
	if iter.WhatIsNext() != jsoniter.ArrayValue {
		return nil, nil, false
	}
	ok = true
	iter.ReadArrayCB(func(iter *jsoniter.Iterator) bool {
		if iter.WhatIsNext() != jsoniter.ObjectValue {
			ok = false
			return false
		}
		var role string
		var parts []genai.Part
		iter.ReadObjectCB(func(iter *jsoniter.Iterator, key string) bool {
			// Message fields are matched like encoding into vercelMessage does: ASCII
			// case-insensitively; other fields are skipped.
			switch {
			case asciiEqualFold(key, "role"):
				if iter.WhatIsNext() != jsoniter.StringValue {
					ok = false
				} else {
					role = iter.ReadString()
				}
			case asciiEqualFold(key, "content"):
				parts, ok = vercelContentFast(iter)
			default:
				iter.Skip()
			}
			return ok
		})
		if !ok || role == "" {
			ok = false
			return false
		}
		if role == "system" && system == nil {
			system = parts
		} else {
			input = append(input, genai.Message{Role: role, Parts: parts})
		}
		return true
	})
	if !ok || iter.Error != nil {
		return nil, nil, false
	}
	iter.WhatIsNext() // only whitespace may follow the array
	if iter.Error != io.EOF {
		return nil, nil, false
	}
	return system, input, true
}

// vercelContentFast converts message content that is a string, null or a list of parts.
func vercelContentFast(iter *jsoniter.Iterator) (parts []genai.Part, ok bool) {
	switch iter.WhatIsNext() {
	case jsoniter.StringValue:
		if c := iter.ReadString(); c != "" {
			return []genai.Part{genai.TextPart(c)}, true
		}
		return nil, true
	case jsoniter.NilValue:
		iter.ReadNil()
		return nil, true
	case jsoniter.ArrayValue:
		parts, ok = []genai.Part{}, true
		iter.ReadArrayCB(func(iter *jsoniter.Iterator) bool {
			var p genai.Part
			if p, ok = vercelPartFast(iter); ok {
				parts = append(parts, p)
			}
			return ok
		})
		return parts, ok
	}
	return nil, false
}

// vercelPartFast reads one part object of a known type. Keys are matched exactly, as
// map lookups are, and the last of duplicate keys wins.
func vercelPartFast(iter *jsoniter.Iterator) (genai.Part, bool) {
	if iter.WhatIsNext() != jsoniter.ObjectValue {
		return genai.Part{}, false
	}
	var f vercelPartFields
	var hasInput, hasOutput bool
	var args, result any
	iter.ReadObjectCB(func(iter *jsoniter.Iterator, key string) bool {
		var dst *string
		switch key {
		case "type":
			dst = &f.typ
		case "text":
			dst = &f.text
		case "mediaType":
			dst = &f.mediaType
		case "mimeType":
			dst = &f.mimeType
		case "data":
			dst = &f.data
		case "image":
			dst = &f.image
		case "toolCallId":
			dst = &f.toolCallID
		case "toolName":
			dst = &f.toolName
		case "input":
			f.input, hasInput = iter.Read(), true
		case "args":
			args = iter.Read()
		case "output":
			f.output, hasOutput = iter.Read(), true
		case "result":
			result = iter.Read()
		default:
			iter.Read() // decoded (and so checked) as the general path does, then dropped
		}
		if dst != nil {
			// A value of another type reads as "", as mstr does.
			if iter.WhatIsNext() == jsoniter.StringValue {
				*dst = iter.ReadString()
			} else {
				iter.Read()
				*dst = ""
			}
		}
		return iter.Error == nil
	})
	if iter.Error != nil {
		return genai.Part{}, false
	}
	if !hasInput {
		f.input = args
	}
	if !hasOutput {
		f.output = result
	}
	return f.part()
}

// asciiEqualFold matches a JSON key to a struct field name as jsoniter does when it is
// not case-sensitive: ASCII letters fold, nothing else does.
func asciiEqualFold(key, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
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
