package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// chatMessage is the OpenAI-style message that several conventions carry as JSON: the
// semconv ≤1.27 gen_ai.prompt attribute, the 1.28–1.36 event bodies, Langfuse input and
// output. ID is the tool-call id of a gen_ai.tool.message body.
type chatMessage struct {
	Role       string    `json:"role"`
	Content    any       `json:"content"`
	Name       string    `json:"name"`
	ToolCalls  toolCalls `json:"tool_calls"`
	ToolCallID string    `json:"tool_call_id"`
	ID         string    `json:"id"`
	Refusal    string    `json:"refusal"`
}

// toolCall accepts the OpenAI form {id, function:{name, arguments}} and the flat
// {id, name, arguments} form.
type toolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Function  struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

// toolCalls also accepts a JSON string holding the array (flattened span-event form).
type toolCalls []toolCall

func (t *toolCalls) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := jsonAPI.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	var calls []toolCall
	if err := jsonAPI.Unmarshal(b, &calls); err != nil {
		return err
	}
	*t = calls
	return nil
}

func (tc toolCall) part() genai.Part {
	name, args := tc.Name, tc.Arguments
	if name == "" {
		name = tc.Function.Name
	}
	if len(args) == 0 {
		args = tc.Function.Arguments
	}
	return genai.Part{Type: genai.PartToolCall, ID: tc.ID, Name: name, Arguments: arguments(args)}
}

// arguments turns tool-call arguments into JSON: a string holding JSON becomes that JSON
// (semconv expects an object), any other value is kept as it is.
func arguments(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '"' {
		var s string
		if jsonAPI.Unmarshal(raw, &s) == nil {
			return jsonArguments(s)
		}
	}
	return compactJSON(raw)
}

// compactJSON returns raw as compact JSON, or nil when it is not valid JSON. Already
// compact input (the common case) is returned without copying.
func compactJSON(raw []byte) json.RawMessage {
	if !json.Valid(raw) {
		return nil
	}
	if !hasLayout(raw) {
		return raw
	}
	var b bytes.Buffer
	_ = json.Compact(&b, raw) // valid JSON always compacts
	return b.Bytes()
}

// hasLayout reports whitespace outside strings in valid JSON.
func hasLayout(raw []byte) bool {
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			return true
		}
	}
	return false
}

// jsonArguments is genai.JSONArguments that skips compacting compact JSON: a string that
// holds JSON becomes that JSON, any other string stays a JSON string.
func jsonArguments(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if c := compactJSON([]byte(s)); c != nil {
		return c
	}
	return jsonString(s)
}

// jsonString encodes s as a JSON string value.
func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// toMessage converts a chat message; toolEvent says the body came from a
// gen_ai.tool.message event, whose tool-call id is "id".
func (m chatMessage) toMessage(defaultRole string, toolEvent bool) (genai.Message, error) {
	msg := genai.Message{Role: m.Role, Name: m.Name}
	if msg.Role == "" {
		msg.Role = defaultRole
	}
	if msg.Role == "" {
		return msg, errors.New("message has no role")
	}
	callID := m.ToolCallID
	if toolEvent && callID == "" {
		callID = m.ID
	}
	if msg.Role == "tool" || callID != "" {
		msg.Role = "tool"
		resp := toolResponse(m.Content)
		msg.Parts = []genai.Part{{Type: genai.PartToolCallResponse, ID: callID, Response: resp}}
		return msg, nil
	}
	parts, err := contentParts(m.Content)
	if err != nil {
		return msg, err
	}
	if m.Refusal != "" {
		parts = append(parts, genai.TextPart(m.Refusal))
	}
	for _, tc := range m.ToolCalls {
		parts = append(parts, tc.part())
	}
	msg.Parts = parts
	return msg, nil
}

// toolResponse keeps a tool result as it was sent: a string stays a JSON string.
func toolResponse(v any) json.RawMessage {
	return anyJSON(v)
}

// contentParts converts decoded message content: a string, or a list of OpenAI or
// Anthropic content parts (strings or objects).
func contentParts(v any) ([]genai.Part, error) {
	switch c := v.(type) {
	case nil:
		return nil, nil
	case string:
		if c == "" {
			return nil, nil
		}
		return []genai.Part{genai.TextPart(c)}, nil
	case []any:
		parts := make([]genai.Part, 0, len(c))
		for _, e := range c {
			switch e := e.(type) {
			case string:
				parts = append(parts, genai.TextPart(e))
			case map[string]any:
				p, err := contentPart(e)
				if err != nil {
					return nil, err
				}
				parts = append(parts, p)
			default:
				return nil, errors.New("content part is neither a string nor an object")
			}
		}
		return parts, nil
	case map[string]any:
		p, err := contentPart(c)
		if err != nil {
			return nil, err
		}
		return []genai.Part{p}, nil
	}
	return []genai.Part{genai.TextPart(string(anyJSON(v)))}, nil
}

// contentPart converts one OpenAI or Anthropic content part; semconv-shaped and unknown
// parts are kept as generic parts.
func contentPart(o map[string]any) (genai.Part, error) {
	switch mstr(o, "type") {
	case "text", "input_text", "output_text":
		if t := mstr(o, "text"); t != "" {
			return genai.TextPart(t), nil
		}
		return genai.TextPart(mstr(o, "content")), nil
	case "refusal":
		return genai.TextPart(mstr(o, "refusal")), nil
	case "image_url":
		url := mstr(o, "image_url")
		if url == "" {
			url = mstr(mmap(o, "image_url"), "url")
		}
		return urlPart(url, "", "image"), nil
	case "input_image":
		if id := mstr(o, "file_id"); id != "" {
			return genai.Part{Type: genai.PartFile, Modality: "image", FileID: id}, nil
		}
		return urlPart(mstr(o, "image_url"), "", "image"), nil
	case "input_audio":
		a := mmap(o, "input_audio")
		mime := ""
		if f := mstr(a, "format"); f != "" {
			mime = "audio/" + f
		}
		return genai.Part{Type: genai.PartBlob, Modality: "audio", MimeType: mime, Content: mstr(a, "data")}, nil
	case "image":
		src := mmap(o, "source")
		if mstr(src, "type") == "url" {
			return urlPart(mstr(src, "url"), "", "image"), nil
		}
		if data := mstr(src, "data"); data != "" {
			return genai.Part{Type: genai.PartBlob, Modality: "image", MimeType: mstr(src, "media_type"), Content: data}, nil
		}
	case "tool_use":
		return genai.Part{Type: genai.PartToolCall, ID: mstr(o, "id"), Name: mstr(o, "name"), Arguments: anyArguments(o["input"])}, nil
	case "tool_result":
		return genai.Part{Type: genai.PartToolCallResponse, ID: mstr(o, "tool_use_id"), Response: toolResponse(o["content"])}, nil
	case "thinking":
		return genai.Part{Type: genai.PartReasoning, Content: mstr(o, "thinking")}, nil
	case "reasoning":
		if t := mstr(o, "text"); t != "" {
			return genai.Part{Type: genai.PartReasoning, Content: t}, nil
		}
	}
	var p genai.Part
	err := json.Unmarshal(anyJSON(o), &p)
	return p, err
}

// urlPart turns an image, audio or file reference into a uri part, or a blob part for
// a data: URL.
func urlPart(url, mime, modality string) genai.Part {
	if rest, ok := strings.CutPrefix(url, "data:"); ok {
		meta, data, found := strings.Cut(rest, ",")
		if found && strings.HasSuffix(meta, ";base64") {
			m := strings.TrimSuffix(meta, ";base64")
			if m == "" {
				m = mime
			}
			return genai.Part{Type: genai.PartBlob, Modality: genai.ModalityOf(m, modality), MimeType: m, Content: data}
		}
	}
	return genai.Part{Type: genai.PartURI, Modality: genai.ModalityOf(mime, modality), MimeType: mime, URI: url}
}

// parseChatMessages decodes a JSON array of chat messages.
func parseChatMessages(text string, defaultRole string) ([]genai.Message, error) {
	var in []chatMessage
	if err := jsonAPI.Unmarshal([]byte(text), &in); err != nil {
		return nil, err
	}
	out := make([]genai.Message, 0, len(in))
	for _, m := range in {
		msg, err := m.toMessage(defaultRole, false)
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	return out, nil
}

// encodeBuffers recycles the scratch space messages are encoded into.
var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// encodeMessages returns the canonical JSON string of msgs.
func encodeMessages(msgs []genai.Message) string {
	bp := encodeBuffers.Get().(*[]byte)
	*bp = genai.AppendMessagesJSON((*bp)[:0], msgs)
	text := string(*bp)
	encodeBuffers.Put(bp)
	return text
}

// encodeParts returns the canonical JSON string of parts.
func encodeParts(parts []genai.Part) string {
	bp := encodeBuffers.Get().(*[]byte)
	*bp = genai.AppendPartsJSON((*bp)[:0], parts)
	text := string(*bp)
	encodeBuffers.Put(bp)
	return text
}

// setMessages encodes messages into a semconv message attribute when it is absent.
func (s *state) setMessages(key string, msgs []genai.Message) {
	if len(msgs) == 0 || s.has(key) {
		return
	}
	s.setStr(key, encodeMessages(msgs))
}

func (s *state) setParts(key string, parts []genai.Part) {
	if len(parts) == 0 || s.has(key) {
		return
	}
	s.setStr(key, encodeParts(parts))
}

// setOutputFinish fills the finish reason of output messages from the span's reasons
// (by position) and spells them as the semconv enum.
func setOutputFinish(msgs []genai.Message, reasons []string) {
	for i := range msgs {
		if msgs[i].FinishReason == "" && i < len(reasons) {
			msgs[i].FinishReason = reasons[i]
		}
		msgs[i].FinishReason = outputFinish(msgs[i].FinishReason)
	}
}

// outputFinish spells a finish reason as the output-message enum; values are lower case
// there (Gemini reports "STOP").
func outputFinish(r string) string {
	return genai.NormalizeFinishReason(strings.ToLower(r))
}
