package llmapi

import (
	"cmp"
	"encoding/json"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// OpenAI /v1/responses.

type responsesRequest struct {
	Model           string          `json:"model"`
	Input           json.RawMessage `json:"input"`
	Instructions    string          `json:"instructions"`
	Stream          bool            `json:"stream"`
	MaxOutputTokens *int64          `json:"max_output_tokens"`
	Temperature     *float64        `json:"temperature"`
	TopP            *float64        `json:"top_p"`
	User            string          `json:"user"`
	ServiceTier     string          `json:"service_tier"`
	Text            *struct {
		Format *struct {
			Type string `json:"type"`
		} `json:"format"`
	} `json:"text"`
	Tools []genai.ToolDefinition `json:"tools"`
}

// responsesItem is an input or output item: a message, a function call or its output,
// or a reasoning summary.
type responsesItem struct {
	Type      string          `json:"type"`
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments string          `json:"arguments"`
	Output    json.RawMessage `json:"output"`
	Summary   []struct {
		Text string `json:"text"`
	} `json:"summary"`
}

type responsesContent struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Refusal  string `json:"refusal"`
	ImageURL string `json:"image_url"`
	FileID   string `json:"file_id"`
	FileData string `json:"file_data"`
}

func parseResponsesRequest(body []byte, capture bool, c *Call) error {
	var r responsesRequest
	if err := jsonAPI.Unmarshal(body, &r); err != nil {
		return err
	}
	c.RequestModel, c.Stream, c.User = r.Model, r.Stream, r.User
	c.Params.MaxTokens, c.Params.Temperature, c.Params.TopP = r.MaxOutputTokens, r.Temperature, r.TopP
	c.Params.ServiceTier = r.ServiceTier
	if r.Text != nil && r.Text.Format != nil {
		c.Params.OutputType = outputType(r.Text.Format.Type)
	}
	if !capture {
		return nil
	}
	if r.Instructions != "" {
		c.SystemInstructions = []genai.Part{genai.TextPart(r.Instructions)}
	}
	if len(r.Tools) > 0 {
		c.ToolDefinitions = marshalTools(r.Tools)
	}
	var text string
	if jsonAPI.Unmarshal(r.Input, &text) == nil {
		c.InputMessages = []genai.Message{{Role: "user", Parts: []genai.Part{genai.TextPart(text)}}}
		return nil
	}
	var items []responsesItem
	if len(r.Input) > 0 {
		if err := jsonAPI.Unmarshal(r.Input, &items); err != nil {
			return err
		}
	}
	for i := range items {
		c.InputMessages = append(c.InputMessages, items[i].toSemconv())
	}
	return nil
}

func (it *responsesItem) toSemconv() genai.Message {
	switch it.Type {
	case "function_call":
		return genai.Message{Role: "assistant", Parts: []genai.Part{it.toolCall()}}
	case "function_call_output":
		var s string
		response := it.Output
		if jsonAPI.Unmarshal(it.Output, &s) == nil {
			response = jsonString(s)
		}
		return genai.Message{Role: "tool", Parts: []genai.Part{{Type: genai.PartToolCallResponse, ID: it.CallID, Response: response}}}
	case "reasoning":
		return genai.Message{Role: "assistant", Parts: it.reasoning()}
	case "", "message":
		return genai.Message{Role: it.Role, Parts: it.contentParts()}
	}
	return genai.Message{Role: cmp.Or(it.Role, "user"), Parts: []genai.Part{{Type: it.Type}}}
}

func (it *responsesItem) toolCall() genai.Part {
	return genai.Part{Type: genai.PartToolCall, ID: it.CallID, Name: it.Name, Arguments: genai.JSONArguments(it.Arguments)}
}

func (it *responsesItem) reasoning() []genai.Part {
	parts := make([]genai.Part, 0, len(it.Summary))
	for _, s := range it.Summary {
		parts = append(parts, genai.Part{Type: genai.PartReasoning, Content: s.Text})
	}
	return parts
}

func (it *responsesItem) contentParts() []genai.Part {
	var s string
	if jsonAPI.Unmarshal(it.Content, &s) == nil {
		return []genai.Part{genai.TextPart(s)}
	}
	var content []responsesContent
	if jsonAPI.Unmarshal(it.Content, &content) != nil {
		return nil
	}
	parts := make([]genai.Part, 0, len(content))
	for _, p := range content {
		switch p.Type {
		case "input_text", "output_text":
			parts = append(parts, genai.TextPart(p.Text))
		case "refusal":
			parts = append(parts, genai.TextPart(p.Refusal))
		case "input_image":
			if p.FileID != "" {
				parts = append(parts, genai.Part{Type: genai.PartFile, Modality: "image", FileID: p.FileID})
			} else {
				parts = append(parts, dataURIPart(p.ImageURL, "image"))
			}
		case "input_file":
			if p.FileID != "" {
				parts = append(parts, genai.Part{Type: genai.PartFile, FileID: p.FileID})
			} else {
				parts = append(parts, dataURIPart(p.FileData, ""))
			}
		default:
			parts = append(parts, genai.Part{Type: p.Type})
		}
	}
	return parts
}

type responsesResponse struct {
	ID                string          `json:"id"`
	Model             string          `json:"model"`
	Status            string          `json:"status"`
	Output            []responsesItem `json:"output"`
	ServiceTier       string          `json:"service_tier"`
	Error             *errorObject    `json:"error"`
	IncompleteDetails *struct {
		Reason string `json:"reason"`
	} `json:"incomplete_details"`
	Usage *struct {
		InputTokens        *int64 `json:"input_tokens"`
		OutputTokens       *int64 `json:"output_tokens"`
		InputTokensDetails *struct {
			CachedTokens *int64 `json:"cached_tokens"`
		} `json:"input_tokens_details"`
		OutputTokensDetails *struct {
			ReasoningTokens *int64 `json:"reasoning_tokens"`
		} `json:"output_tokens_details"`
	} `json:"usage"`
}

func (r *responsesResponse) apply(capture bool, c *Call) {
	c.ResponseID = cmp.Or(r.ID, c.ResponseID)
	c.ResponseModel = cmp.Or(r.Model, c.ResponseModel)
	c.ResponseTier = cmp.Or(r.ServiceTier, c.ResponseTier)
	if u := r.Usage; u != nil {
		setCount(&c.Usage.Input, &c.Usage.HasInput, u.InputTokens)
		setCount(&c.Usage.Output, &c.Usage.HasOutput, u.OutputTokens)
		if d := u.InputTokensDetails; d != nil {
			setCount(&c.Usage.CacheRead, &c.Usage.HasCacheRead, d.CachedTokens)
		}
		if d := u.OutputTokensDetails; d != nil {
			setCount(&c.Usage.Reasoning, &c.Usage.HasReasoning, d.ReasoningTokens)
		}
	}
	if r.Error != nil {
		c.ErrorType = r.Error.kind()
	}
	msg := genai.Message{Role: "assistant"}
	toolCall := false
	for i := range r.Output {
		it := &r.Output[i]
		switch it.Type {
		case "message":
			msg.Parts = append(msg.Parts, it.contentParts()...)
		case "function_call":
			toolCall = true
			msg.Parts = append(msg.Parts, it.toolCall())
		case "reasoning":
			msg.Parts = append(msg.Parts, it.reasoning()...)
		default:
			msg.Parts = append(msg.Parts, genai.Part{Type: it.Type})
		}
	}
	switch {
	case r.Status == "incomplete" && r.IncompleteDetails != nil:
		msg.FinishReason = genai.NormalizeFinishReason(r.IncompleteDetails.Reason)
	case r.Status == "failed":
		msg.FinishReason = genai.FinishError
	case r.Status == "completed" && toolCall:
		msg.FinishReason = genai.FinishToolCall
	case r.Status == "completed":
		msg.FinishReason = genai.FinishStop
	}
	if msg.FinishReason != "" {
		c.FinishReasons = []string{msg.FinishReason}
	}
	if capture && (len(msg.Parts) > 0 || msg.FinishReason != "") {
		c.OutputMessages = []genai.Message{msg}
	}
}

// responsesStream reads the typed events of a streamed response. The terminal event
// (response.completed, .incomplete or .failed) carries the whole response, so deltas
// need not be accumulated; the first events give the id and model should the stream
// be cut before the end.
type responsesStream struct {
	capture bool
	final   *responsesResponse
	head    responsesResponse
	errType string
}

func (s *responsesStream) Event(_, data []byte) {
	var ev struct {
		Type     string             `json:"type"`
		Response *responsesResponse `json:"response"`
		Code     string             `json:"code"`
	}
	if jsonAPI.Unmarshal(data, &ev) != nil {
		return
	}
	switch ev.Type {
	case "response.completed", "response.incomplete", "response.failed":
		s.final = ev.Response
	case "response.created", "response.in_progress":
		if ev.Response != nil {
			s.head.ID, s.head.Model = ev.Response.ID, ev.Response.Model
		}
	case "error":
		s.errType = cmp.Or(ev.Code, "_OTHER")
	}
}

func (s *responsesStream) Ended() bool { return s.final != nil }

func (s *responsesStream) Finish(c *Call) {
	if s.final != nil {
		s.final.apply(s.capture, c)
	} else {
		c.ResponseID, c.ResponseModel = s.head.ID, s.head.Model
	}
	if s.errType != "" {
		c.ErrorType = s.errType
	}
}
