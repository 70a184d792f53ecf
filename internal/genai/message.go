package genai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Part types of semconv message parts.
const (
	PartText                   = "text"
	PartReasoning              = "reasoning"
	PartToolCall               = "tool_call"
	PartToolCallResponse       = "tool_call_response"
	PartServerToolCall         = "server_tool_call"
	PartServerToolCallResponse = "server_tool_call_response"
	PartBlob                   = "blob"
	PartFile                   = "file"
	PartURI                    = "uri"
)

// Message is one entry of gen_ai.input.messages or gen_ai.output.messages.
// FinishReason is set on output messages only (required there by the v1.41 schema).
type Message struct {
	Role         string `json:"role"`
	Parts        []Part `json:"parts"`
	Name         string `json:"name,omitempty"`
	FinishReason string `json:"finish_reason,omitempty"`
}

// Part is one message part. Fields that semconv types as "any" (tool arguments, tool
// responses) are kept as raw JSON so that a round trip never changes them. Fields of
// part types we do not know are kept in Extra, so generic parts survive unchanged.
type Part struct {
	Type      string
	Content   string
	ID        string
	Name      string
	Arguments json.RawMessage
	Response  json.RawMessage
	MimeType  string
	Modality  string
	FileID    string
	URI       string
	Extra     map[string]json.RawMessage
}

// TextPart returns a text part.
func TextPart(s string) Part { return Part{Type: PartText, Content: s} }

var stringFields = []struct {
	key string
	get func(*Part) *string
}{
	{"content", func(p *Part) *string { return &p.Content }},
	{"id", func(p *Part) *string { return &p.ID }},
	{"name", func(p *Part) *string { return &p.Name }},
	{"mime_type", func(p *Part) *string { return &p.MimeType }},
	{"modality", func(p *Part) *string { return &p.Modality }},
	{"file_id", func(p *Part) *string { return &p.FileID }},
	{"uri", func(p *Part) *string { return &p.URI }},
}

// MarshalJSON writes "type" first, then the known fields in a fixed order, then Extra
// keys sorted, so equal parts always encode to equal bytes (idempotent normalization).
func (p Part) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	writeJSONString(&b, p.Type)
	for _, f := range stringFields {
		if v := *f.get(&p); v != "" {
			b.WriteString(`,"` + f.key + `":`)
			writeJSONString(&b, v)
		}
	}
	if len(p.Arguments) > 0 {
		b.WriteString(`,"arguments":`)
		b.Write(p.Arguments)
	}
	if len(p.Response) > 0 {
		b.WriteString(`,"response":`)
		b.Write(p.Response)
	}
	if len(p.Extra) > 0 {
		keys := make([]string, 0, len(p.Extra))
		for k := range p.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteByte(',')
			writeJSONString(&b, k)
			b.WriteByte(':')
			b.Write(p.Extra[k])
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON accepts any JSON object with a string "type". It tolerates the v1.41
// registry example's "result" in place of "response" on tool_call_response parts.
func (p *Part) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*p = Part{}
	rawType, ok := m["type"]
	if !ok || json.Unmarshal(rawType, &p.Type) != nil {
		return errors.New("message part has no string \"type\"")
	}
	delete(m, "type")
	for _, f := range stringFields {
		raw, ok := m[f.key]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			*f.get(p) = s
			delete(m, f.key)
		}
	}
	if raw, ok := m["arguments"]; ok {
		p.Arguments = compact(raw)
		delete(m, "arguments")
	}
	if raw, ok := m["response"]; ok {
		p.Response = compact(raw)
		delete(m, "response")
	} else if raw, ok := m["result"]; ok && p.Type == PartToolCallResponse {
		p.Response = compact(raw)
		delete(m, "result")
	}
	if len(m) > 0 {
		p.Extra = make(map[string]json.RawMessage, len(m))
		for k, v := range m {
			p.Extra[k] = compact(v)
		}
	}
	return nil
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.Write(appendJSONString(b.AvailableBuffer(), s))
}

// JSONArguments turns a tool-call arguments value into raw JSON: a string that holds
// valid JSON becomes that JSON (semconv: arguments are "expected to be an object");
// any other string is kept as a JSON string, so nothing is lost.
func JSONArguments(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return compact(json.RawMessage(s))
	}
	enc, _ := json.Marshal(s)
	return enc
}

// MarshalMessages encodes messages as the JSON string form used on span attributes.
func MarshalMessages(msgs []Message) (string, error) {
	for i := range msgs {
		if msgs[i].Parts == nil {
			msgs[i].Parts = []Part{}
		}
	}
	b, err := json.Marshal(msgs)
	return string(b), err
}

// MarshalParts encodes a part list (gen_ai.system_instructions).
func MarshalParts(parts []Part) (string, error) {
	if parts == nil {
		parts = []Part{}
	}
	b, err := json.Marshal(parts)
	return string(b), err
}

// ParseMessages decodes gen_ai.input.messages / gen_ai.output.messages from a JSON
// string.
func ParseMessages(s string) ([]Message, error) {
	var msgs []Message
	if err := json.Unmarshal([]byte(s), &msgs); err != nil {
		return nil, fmt.Errorf("messages are not a JSON array of {role, parts}: %w", err)
	}
	return msgs, nil
}

// ParseParts decodes gen_ai.system_instructions from a JSON string.
func ParseParts(s string) ([]Part, error) {
	var parts []Part
	if err := json.Unmarshal([]byte(s), &parts); err != nil {
		return nil, fmt.Errorf("parts are not a JSON array of {type, ...}: %w", err)
	}
	return parts, nil
}

// ValueJSON returns the JSON text of an attribute value: a string is returned as it is
// (semconv allows the JSON-string form on spans), a structured value (map or slice, the
// form required on events) is encoded.
func ValueJSON(v pcommon.Value) (string, error) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str(), nil
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		b, err := json.Marshal(v.AsRaw())
		return string(b), err
	}
	return "", fmt.Errorf("a %s value cannot hold JSON", v.Type())
}
