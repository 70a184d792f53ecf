package llmapi

import (
	"cmp"
	"encoding/json"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Anthropic /v1/messages.

type messagesRequest struct {
	Model         string          `json:"model"`
	Messages      json.RawMessage `json:"messages"`
	System        json.RawMessage `json:"system"`
	Stream        bool            `json:"stream"`
	MaxTokens     *int64          `json:"max_tokens"`
	Temperature   *float64        `json:"temperature"`
	TopP          *float64        `json:"top_p"`
	TopK          *float64        `json:"top_k"`
	StopSequences []string        `json:"stop_sequences"`
	ServiceTier   string          `json:"service_tier"`
	Metadata      *struct {
		UserID string `json:"user_id"`
	} `json:"metadata"`
	Tools []struct {
		Type        string          `json:"type"`
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"input_schema"`
	} `json:"tools"`
}

type anthropicMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type contentBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	Thinking  string          `json:"thinking"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	Source    *struct {
		Type      string `json:"type"`
		MediaType string `json:"media_type"`
		Data      string `json:"data"`
		URL       string `json:"url"`
		FileID    string `json:"file_id"`
	} `json:"source"`
}

func parseMessagesRequest(body []byte, capture bool, c *Call) error {
	var r messagesRequest
	if err := jsonAPI.Unmarshal(body, &r); err != nil {
		return err
	}
	c.RequestModel, c.Stream = r.Model, r.Stream
	p := &c.Params
	p.MaxTokens, p.Temperature, p.TopP, p.TopK = r.MaxTokens, r.Temperature, r.TopP, r.TopK
	p.StopSequences, p.ServiceTier = r.StopSequences, r.ServiceTier
	if r.Metadata != nil {
		c.User = r.Metadata.UserID
	}
	if !capture {
		return nil
	}
	if len(r.Tools) > 0 {
		defs := make([]genai.ToolDefinition, 0, len(r.Tools))
		for _, t := range r.Tools {
			defs = append(defs, genai.ToolDefinition{Type: cmp.Or(t.Type, "function"), Name: t.Name, Description: t.Description, Parameters: t.InputSchema})
		}
		c.ToolDefinitions = marshalTools(defs)
	}
	if len(r.System) > 0 {
		c.SystemInstructions = blocksToParts(r.System)
	}
	var msgs []anthropicMessage
	if err := jsonAPI.Unmarshal(r.Messages, &msgs); err != nil {
		return err
	}
	c.InputMessages = make([]genai.Message, 0, len(msgs))
	for _, m := range msgs {
		parts := blocksToParts(m.Content)
		role := m.Role
		if allToolResults(parts) {
			role = "tool"
		}
		c.InputMessages = append(c.InputMessages, genai.Message{Role: role, Parts: parts})
	}
	return nil
}

func allToolResults(parts []genai.Part) bool {
	for _, p := range parts {
		if p.Type != genai.PartToolCallResponse {
			return false
		}
	}
	return len(parts) > 0
}

// blocksToParts converts Anthropic content (a string or a list of blocks) to parts.
func blocksToParts(raw json.RawMessage) []genai.Part {
	var s string
	if jsonAPI.Unmarshal(raw, &s) == nil {
		return []genai.Part{genai.TextPart(s)}
	}
	var blocks []contentBlock
	if jsonAPI.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	parts := make([]genai.Part, 0, len(blocks))
	for i := range blocks {
		parts = append(parts, blocks[i].toPart())
	}
	return parts
}

func (b *contentBlock) toPart() genai.Part {
	switch b.Type {
	case "text":
		return genai.TextPart(b.Text)
	case "thinking":
		return genai.Part{Type: genai.PartReasoning, Content: b.Thinking}
	case "tool_use":
		return genai.Part{Type: genai.PartToolCall, ID: b.ID, Name: b.Name, Arguments: compactOrNil(b.Input)}
	case "server_tool_use":
		return genai.Part{Type: genai.PartServerToolCall, ID: b.ID, Name: b.Name,
			Extra: map[string]json.RawMessage{"server_tool_call": compactOrNil(b.Input)}}
	case "tool_result":
		var text strings.Builder
		for _, p := range blocksToParts(b.Content) {
			text.WriteString(p.Content)
		}
		return genai.Part{Type: genai.PartToolCallResponse, ID: b.ToolUseID, Response: jsonString(text.String())}
	case "image", "document":
		modality := ""
		if b.Type == "image" {
			modality = "image"
		}
		if s := b.Source; s != nil {
			switch s.Type {
			case "base64":
				return genai.Part{Type: genai.PartBlob, MimeType: s.MediaType, Modality: genai.ModalityOf(s.MediaType, modality), Content: s.Data}
			case "url":
				return genai.Part{Type: genai.PartURI, Modality: modality, URI: s.URL}
			case "file":
				return genai.Part{Type: genai.PartFile, Modality: modality, FileID: s.FileID}
			}
		}
	}
	return genai.Part{Type: b.Type}
}

func compactOrNil(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	return genai.JSONArguments(string(raw))
}

type anthropicUsage struct {
	InputTokens              *int64 `json:"input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
}

// merge overlays the counts u reports (message_delta repeats cumulative counts).
func (u *anthropicUsage) merge(o *anthropicUsage) {
	if o.InputTokens != nil {
		u.InputTokens = o.InputTokens
	}
	if o.OutputTokens != nil {
		u.OutputTokens = o.OutputTokens
	}
	if o.CacheReadInputTokens != nil {
		u.CacheReadInputTokens = o.CacheReadInputTokens
	}
	if o.CacheCreationInputTokens != nil {
		u.CacheCreationInputTokens = o.CacheCreationInputTokens
	}
}

// apply records usage with semconv meaning: Anthropic's input_tokens excludes cached
// tokens, semconv's includes them.
func (u *anthropicUsage) apply(c *Call) {
	us := &c.Usage
	setCount(&us.CacheRead, &us.HasCacheRead, u.CacheReadInputTokens)
	setCount(&us.CacheWrite, &us.HasCacheWrite, u.CacheCreationInputTokens)
	setCount(&us.Input, &us.HasInput, u.InputTokens)
	if us.HasInput {
		us.Input += us.CacheRead + us.CacheWrite
	}
	setCount(&us.Output, &us.HasOutput, u.OutputTokens)
}

type messagesResponse struct {
	ID         string         `json:"id"`
	Model      string         `json:"model"`
	Content    []contentBlock `json:"content"`
	StopReason string         `json:"stop_reason"`
	Usage      anthropicUsage `json:"usage"`
}

func parseMessagesResponse(body []byte, capture bool, c *Call) error {
	var r messagesResponse
	if err := jsonAPI.Unmarshal(body, &r); err != nil {
		return err
	}
	c.ResponseID, c.ResponseModel = r.ID, r.Model
	r.Usage.apply(c)
	reason := genai.NormalizeFinishReason(r.StopReason)
	if reason != "" {
		c.FinishReasons = []string{reason}
	}
	if capture {
		msg := genai.Message{Role: "assistant", FinishReason: reason, Parts: make([]genai.Part, 0, len(r.Content))}
		for i := range r.Content {
			msg.Parts = append(msg.Parts, r.Content[i].toPart())
		}
		c.OutputMessages = []genai.Message{msg}
	}
	return nil
}

// messagesStream accumulates Anthropic stream events: message_start (id, model, input
// usage), content_block_start/delta (content), message_delta (stop reason, final usage),
// and error.
type messagesStream struct {
	capture    bool
	maxContent int
	id, model  string
	stopReason string
	usage      anthropicUsage
	blocks     []*blockAcc
	errType    string
	stopped    bool
}

type blockAcc struct {
	block contentBlock
	text  strings.Builder // text, thinking or the tool input JSON, by block type
}

func (s *messagesStream) Event(_, data []byte) {
	var ev struct {
		Type    string `json:"type"`
		Index   int    `json:"index"`
		Message *struct {
			ID    string          `json:"id"`
			Model string          `json:"model"`
			Usage *anthropicUsage `json:"usage"`
		} `json:"message"`
		ContentBlock *contentBlock `json:"content_block"`
		Delta        *struct {
			Text        string `json:"text"`
			Thinking    string `json:"thinking"`
			PartialJSON string `json:"partial_json"`
			StopReason  string `json:"stop_reason"`
		} `json:"delta"`
		Usage *anthropicUsage `json:"usage"`
		Error *errorObject    `json:"error"`
	}
	if jsonAPI.Unmarshal(data, &ev) != nil {
		return
	}
	switch ev.Type {
	case "message_start":
		if m := ev.Message; m != nil {
			s.id, s.model = m.ID, m.Model
			if m.Usage != nil {
				s.usage.merge(m.Usage)
			}
		}
	case "content_block_start":
		if s.capture && ev.ContentBlock != nil && ev.Index >= 0 && ev.Index < 1024 {
			for len(s.blocks) <= ev.Index {
				s.blocks = append(s.blocks, nil)
			}
			acc := &blockAcc{block: *ev.ContentBlock}
			appendBounded(&acc.text, ev.ContentBlock.Text+ev.ContentBlock.Thinking, s.maxContent)
			acc.block.Input = nil // streamed as partial_json deltas
			s.blocks[ev.Index] = acc
		}
	case "content_block_delta":
		if s.capture && ev.Delta != nil && ev.Index >= 0 && ev.Index < len(s.blocks) && s.blocks[ev.Index] != nil {
			d := ev.Delta
			appendBounded(&s.blocks[ev.Index].text, d.Text+d.Thinking+d.PartialJSON, s.maxContent)
		}
	case "message_delta":
		if ev.Delta != nil && ev.Delta.StopReason != "" {
			s.stopReason = ev.Delta.StopReason
		}
		if ev.Usage != nil {
			s.usage.merge(ev.Usage)
		}
	case "message_stop":
		s.stopped = true
	case "error":
		if ev.Error != nil {
			s.errType = ev.Error.kind()
		}
	}
}

func (s *messagesStream) Ended() bool { return s.stopped }

func (s *messagesStream) Finish(c *Call) {
	c.ResponseID, c.ResponseModel = s.id, s.model
	s.usage.apply(c)
	reason := genai.NormalizeFinishReason(s.stopReason)
	if reason != "" {
		c.FinishReasons = []string{reason}
	}
	if s.errType != "" {
		c.ErrorType = s.errType
	}
	if !s.capture || (len(s.blocks) == 0 && reason == "") {
		return
	}
	msg := genai.Message{Role: "assistant", FinishReason: reason}
	for _, acc := range s.blocks {
		if acc == nil {
			continue
		}
		b := acc.block
		switch b.Type {
		case "text":
			b.Text = acc.text.String()
		case "thinking":
			b.Thinking = acc.text.String()
		case "tool_use", "server_tool_use":
			b.Input = json.RawMessage(acc.text.String())
		}
		msg.Parts = append(msg.Parts, b.toPart())
	}
	c.OutputMessages = []genai.Message{msg}
}
