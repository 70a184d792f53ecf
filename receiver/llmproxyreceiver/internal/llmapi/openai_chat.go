package llmapi

import (
	"cmp"
	"encoding/json"
	"sort"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// OpenAI /v1/chat/completions and the legacy /v1/completions share most of their shape:
// completions carry "prompt" instead of "messages" and "text" instead of a message.

type chatRequest struct {
	Model               string          `json:"model"`
	Messages            json.RawMessage `json:"messages"`
	Prompt              json.RawMessage `json:"prompt"`
	Stream              bool            `json:"stream"`
	MaxTokens           *int64          `json:"max_tokens"`
	MaxCompletionTokens *int64          `json:"max_completion_tokens"`
	N                   *int64          `json:"n"`
	Seed                *int64          `json:"seed"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	Stop                json.RawMessage `json:"stop"`
	User                string          `json:"user"`
	ServiceTier         string          `json:"service_tier"`
	ResponseFormat      *struct {
		Type string `json:"type"`
	} `json:"response_format"`
	Tools []struct {
		Type     string `json:"type"`
		Function *struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
}

type chatMessage struct {
	Role       string          `json:"role"`
	Name       string          `json:"name"`
	Content    json.RawMessage `json:"content"`
	Refusal    string          `json:"refusal"`
	ToolCalls  []chatToolCall  `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

type chatToolCall struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatContentPart struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Refusal  string `json:"refusal"`
	ImageURL *struct {
		URL string `json:"url"`
	} `json:"image_url"`
	InputAudio *struct {
		Data   string `json:"data"`
		Format string `json:"format"`
	} `json:"input_audio"`
	File *struct {
		FileID   string `json:"file_id"`
		FileData string `json:"file_data"`
	} `json:"file"`
}

func parseChatRequest(api API, body []byte, capture bool, c *Call) error {
	var r chatRequest
	if err := jsonAPI.Unmarshal(body, &r); err != nil {
		return err
	}
	c.RequestModel = r.Model
	c.Stream = r.Stream
	c.User = r.User
	p := &c.Params
	p.MaxTokens = r.MaxTokens
	if r.MaxCompletionTokens != nil {
		p.MaxTokens = r.MaxCompletionTokens
	}
	p.ChoiceCount, p.Seed = r.N, r.Seed
	p.Temperature, p.TopP = r.Temperature, r.TopP
	p.FrequencyPenalty, p.PresencePenalty = r.FrequencyPenalty, r.PresencePenalty
	p.StopSequences = stringOrList(r.Stop)
	p.ServiceTier = r.ServiceTier
	if r.ResponseFormat != nil {
		p.OutputType = outputType(r.ResponseFormat.Type)
	}
	if !capture {
		return nil
	}
	if len(r.Tools) > 0 {
		defs := make([]genai.ToolDefinition, 0, len(r.Tools))
		for _, t := range r.Tools {
			d := genai.ToolDefinition{Type: t.Type}
			if t.Function != nil {
				d.Name, d.Description, d.Parameters = t.Function.Name, t.Function.Description, t.Function.Parameters
			}
			defs = append(defs, d)
		}
		c.ToolDefinitions = marshalTools(defs)
	}
	if api == Completions {
		for _, prompt := range stringOrList(r.Prompt) {
			c.InputMessages = append(c.InputMessages, genai.Message{Role: "user", Parts: []genai.Part{genai.TextPart(prompt)}})
		}
		return nil
	}
	var msgs []chatMessage
	if err := jsonAPI.Unmarshal(r.Messages, &msgs); err != nil {
		return err
	}
	c.InputMessages = make([]genai.Message, 0, len(msgs))
	for i := range msgs {
		c.InputMessages = append(c.InputMessages, msgs[i].toSemconv())
	}
	return nil
}

// outputType maps an OpenAI response_format type to gen_ai.output.type.
func outputType(t string) string {
	switch t {
	case "json_object", "json_schema":
		return "json"
	case "text":
		return "text"
	}
	return ""
}

func (m *chatMessage) toSemconv() genai.Message {
	out := genai.Message{Role: m.Role, Name: m.Name}
	if m.Role == "tool" {
		out.Parts = []genai.Part{{
			Type:     genai.PartToolCallResponse,
			ID:       m.ToolCallID,
			Response: jsonString(contentText(m.Content)),
		}}
		return out
	}
	out.Parts = contentParts(m.Content)
	if m.Refusal != "" {
		out.Parts = append(out.Parts, genai.TextPart(m.Refusal))
	}
	for _, tc := range m.ToolCalls {
		out.Parts = append(out.Parts, genai.Part{
			Type: genai.PartToolCall, ID: tc.ID, Name: tc.Function.Name,
			Arguments: genai.JSONArguments(tc.Function.Arguments),
		})
	}
	return out
}

// contentParts converts chat content (a string, a list of parts, or null) to parts.
func contentParts(raw json.RawMessage) []genai.Part {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if jsonAPI.Unmarshal(raw, &s) == nil {
		return []genai.Part{genai.TextPart(s)}
	}
	var parts []chatContentPart
	if jsonAPI.Unmarshal(raw, &parts) != nil {
		return nil
	}
	out := make([]genai.Part, 0, len(parts))
	for _, p := range parts {
		switch {
		case p.Type == "text":
			out = append(out, genai.TextPart(p.Text))
		case p.Type == "refusal":
			out = append(out, genai.TextPart(p.Refusal))
		case p.Type == "image_url" && p.ImageURL != nil:
			out = append(out, dataURIPart(p.ImageURL.URL, "image"))
		case p.Type == "input_audio" && p.InputAudio != nil:
			out = append(out, genai.Part{Type: genai.PartBlob, Modality: "audio", MimeType: "audio/" + p.InputAudio.Format, Content: p.InputAudio.Data})
		case p.Type == "file" && p.File != nil && p.File.FileID != "":
			out = append(out, genai.Part{Type: genai.PartFile, FileID: p.File.FileID})
		case p.Type == "file" && p.File != nil:
			out = append(out, dataURIPart(p.File.FileData, ""))
		default:
			out = append(out, genai.Part{Type: p.Type})
		}
	}
	return out
}

// contentText joins the text of chat content, for tool results recorded as a string.
func contentText(raw json.RawMessage) string {
	var s string
	if jsonAPI.Unmarshal(raw, &s) == nil {
		return s
	}
	var b strings.Builder
	for _, p := range contentParts(raw) {
		b.WriteString(p.Content)
	}
	return b.String()
}

type openAIUsage struct {
	PromptTokens        *int64 `json:"prompt_tokens"`
	CompletionTokens    *int64 `json:"completion_tokens"`
	PromptTokensDetails *struct {
		CachedTokens *int64 `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens *int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

func (u *openAIUsage) apply(c *Call) {
	setCount(&c.Usage.Input, &c.Usage.HasInput, u.PromptTokens)
	setCount(&c.Usage.Output, &c.Usage.HasOutput, u.CompletionTokens)
	if d := u.PromptTokensDetails; d != nil {
		setCount(&c.Usage.CacheRead, &c.Usage.HasCacheRead, d.CachedTokens)
	}
	if d := u.CompletionTokensDetails; d != nil {
		setCount(&c.Usage.Reasoning, &c.Usage.HasReasoning, d.ReasoningTokens)
	}
}

func setCount(dst *int64, has *bool, v *int64) {
	if v != nil && *v >= 0 {
		*dst, *has = *v, true
	}
}

type chatChoice struct {
	Index        int          `json:"index"`
	Message      *chatMessage `json:"message"`
	Delta        *chatMessage `json:"delta"`
	Text         *string      `json:"text"`
	FinishReason *string      `json:"finish_reason"`
}

type chatResponse struct {
	ID                string       `json:"id"`
	Model             string       `json:"model"`
	Choices           []chatChoice `json:"choices"`
	Usage             *openAIUsage `json:"usage"`
	ServiceTier       string       `json:"service_tier"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

func (r *chatResponse) applyHeader(c *Call) {
	if r.ID != "" {
		c.ResponseID = r.ID
	}
	if r.Model != "" {
		c.ResponseModel = r.Model
	}
	if r.ServiceTier != "" {
		c.ResponseTier = r.ServiceTier
	}
	if r.SystemFingerprint != "" {
		c.SystemFingerprint = r.SystemFingerprint
	}
	if r.Usage != nil {
		r.Usage.apply(c)
	}
}

func parseChatResponse(body []byte, capture bool, c *Call) error {
	var r chatResponse
	if err := jsonAPI.Unmarshal(body, &r); err != nil {
		return err
	}
	r.applyHeader(c)
	for _, ch := range r.Choices {
		reason := ""
		if ch.FinishReason != nil {
			reason = genai.NormalizeFinishReason(*ch.FinishReason)
			c.FinishReasons = append(c.FinishReasons, reason)
		}
		if !capture {
			continue
		}
		var msg genai.Message
		switch {
		case ch.Message != nil:
			msg = ch.Message.toSemconv()
		case ch.Text != nil:
			msg = genai.Message{Role: "assistant", Parts: []genai.Part{genai.TextPart(*ch.Text)}}
		}
		if msg.Role == "" {
			msg.Role = "assistant"
		}
		msg.FinishReason = reason
		c.OutputMessages = append(c.OutputMessages, msg)
	}
	return nil
}

// chatStream accumulates chat.completion.chunk (and completions) events.
type chatStream struct {
	capture    bool
	maxContent int
	head       chatResponse
	choices    map[int]*choiceAcc
	errType    string
	done       bool
}

type choiceAcc struct {
	role      string
	text      strings.Builder
	refusal   strings.Builder
	reason    string
	toolCalls map[int]*toolCallAcc
}

type toolCallAcc struct {
	id, name string
	args     strings.Builder
}

func (s *chatStream) Event(_, data []byte) {
	if string(data) == "[DONE]" {
		s.done = true
		return
	}
	if len(data) == 0 || data[0] != '{' {
		return
	}
	var chunk struct {
		chatResponse
		Error *errorObject `json:"error"`
	}
	if jsonAPI.Unmarshal(data, &chunk) != nil {
		return
	}
	if chunk.Error != nil {
		s.errType = chunk.Error.kind()
	}
	s.head.ID, s.head.Model = cmp.Or(s.head.ID, chunk.ID), cmp.Or(s.head.Model, chunk.Model)
	s.head.ServiceTier = cmp.Or(s.head.ServiceTier, chunk.ServiceTier)
	s.head.SystemFingerprint = cmp.Or(s.head.SystemFingerprint, chunk.SystemFingerprint)
	if chunk.Usage != nil {
		s.head.Usage = chunk.Usage
	}
	for i := range chunk.Choices {
		s.choice(&chunk.Choices[i])
	}
}

func (s *chatStream) choice(ch *chatChoice) {
	if s.choices == nil {
		s.choices = map[int]*choiceAcc{}
	}
	acc := s.choices[ch.Index]
	if acc == nil {
		acc = &choiceAcc{}
		s.choices[ch.Index] = acc
	}
	if ch.FinishReason != nil && *ch.FinishReason != "" {
		acc.reason = *ch.FinishReason
	}
	if !s.capture {
		return
	}
	if ch.Text != nil {
		appendBounded(&acc.text, *ch.Text, s.maxContent)
	}
	d := ch.Delta
	if d == nil {
		return
	}
	if d.Role != "" {
		acc.role = d.Role
	}
	var text string
	if jsonAPI.Unmarshal(d.Content, &text) == nil {
		appendBounded(&acc.text, text, s.maxContent)
	}
	appendBounded(&acc.refusal, d.Refusal, s.maxContent)
	for _, tc := range d.ToolCalls {
		if acc.toolCalls == nil {
			acc.toolCalls = map[int]*toolCallAcc{}
		}
		t := acc.toolCalls[tc.Index]
		if t == nil {
			t = &toolCallAcc{}
			acc.toolCalls[tc.Index] = t
		}
		t.id = cmp.Or(t.id, tc.ID)
		t.name = cmp.Or(t.name, tc.Function.Name)
		appendBounded(&t.args, tc.Function.Arguments, s.maxContent)
	}
}

func (s *chatStream) Ended() bool { return s.done }

func (s *chatStream) Finish(c *Call) {
	s.head.applyHeader(c)
	if s.errType != "" {
		c.ErrorType = s.errType
	}
	for _, idx := range sortedKeys(s.choices) {
		acc := s.choices[idx]
		reason := genai.NormalizeFinishReason(acc.reason)
		if reason != "" {
			c.FinishReasons = append(c.FinishReasons, reason)
		}
		if !s.capture {
			continue
		}
		msg := genai.Message{Role: cmp.Or(acc.role, "assistant"), FinishReason: reason}
		if acc.text.Len() > 0 {
			msg.Parts = append(msg.Parts, genai.TextPart(acc.text.String()))
		}
		if acc.refusal.Len() > 0 {
			msg.Parts = append(msg.Parts, genai.TextPart(acc.refusal.String()))
		}
		for _, ti := range sortedKeys(acc.toolCalls) {
			t := acc.toolCalls[ti]
			msg.Parts = append(msg.Parts, genai.Part{
				Type: genai.PartToolCall, ID: t.id, Name: t.name,
				Arguments: genai.JSONArguments(t.args.String()),
			})
		}
		c.OutputMessages = append(c.OutputMessages, msg)
	}
}

func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

func marshalTools(defs []genai.ToolDefinition) string {
	b, err := json.Marshal(defs)
	if err != nil {
		return ""
	}
	return string(b)
}
