package normalize

import (
	"encoding/json"

	jsoniter "github.com/json-iterator/go"
)

// jsonAPI decodes source JSON in one pass (encoding/json validates the whole input before
// decoding it, which doubled the cost of message conversion). Message content is decoded
// into plain values (UseNumber keeps integers exact) instead of being captured raw and
// parsed a second time.
var jsonAPI = jsoniter.Config{EscapeHTML: true, SortMapKeys: true, ValidateJsonRawMessage: true, UseNumber: true}.Froze()

// anyJSON encodes a decoded value back to compact JSON (map keys sorted); nil for nil.
func anyJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := jsonAPI.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// anyArguments is arguments for a decoded value: a string holding JSON becomes that JSON.
func anyArguments(v any) json.RawMessage {
	if s, ok := v.(string); ok {
		return jsonArguments(s)
	}
	return anyJSON(v)
}

func mstr(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func mmap(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

// obj is a decoded JSON object whose fields are decoded on demand.
type obj map[string]json.RawMessage

func (o obj) str(key string) string {
	var s string
	if raw, ok := o[key]; ok {
		_ = jsonAPI.Unmarshal(raw, &s)
	}
	return s
}
