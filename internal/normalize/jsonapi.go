package normalize

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	jsoniter "github.com/json-iterator/go"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// jsonAPI decodes source JSON in one pass (encoding/json validates the whole input before
// decoding it, which doubled the cost of message conversion). Message content is decoded
// into plain values (UseNumber keeps integers exact) instead of being captured raw and
// parsed a second time.
var jsonAPI = jsoniter.Config{EscapeHTML: true, SortMapKeys: true, ValidateJsonRawMessage: true, UseNumber: true}.Froze()

// anyJSON encodes a decoded value back to compact JSON (map keys sorted); nil for nil.
// Tool arguments and results of every JSON-carried message pass through here, so the
// values jsonAPI decodes to are encoded by hand into a recycled buffer (jsoniter's
// sorted-map encoder allocates several times per object); anything else goes through
// jsonAPI. The output is byte-identical to jsonAPI.Marshal.
func anyJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	bp := encodeBuffers.Get().(*[]byte)
	defer encodeBuffers.Put(bp)
	if b, ok := appendAnyJSON((*bp)[:0], v); ok {
		*bp = b
		return bytes.Clone(b)
	}
	b, err := jsonAPI.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// appendAnyJSON appends v as jsonAPI encodes it; ok is false for a value it does not
// handle (a type jsonAPI does not decode to, a key that is not valid UTF-8).
func appendAnyJSON(dst []byte, v any) (_ []byte, ok bool) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return genai.AppendJSONIteratorString(dst, v), true
	case json.Number:
		if v == "" {
			return append(dst, '0'), true
		}
		return append(dst, v...), true
	case bool:
		return strconv.AppendBool(dst, v), true
	case []any:
		if v == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, ok = appendAnyJSON(dst, e); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), true
		}
		var stack [16]string
		keys := stack[:0]
		for k := range v {
			if !utf8.ValidString(k) {
				return dst, false // jsoniter sorts such keys by their re-decoded spelling
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = genai.AppendJSONIteratorString(dst, k)
			dst = append(dst, ':')
			if dst, ok = appendAnyJSON(dst, v[k]); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	}
	return dst, false
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
