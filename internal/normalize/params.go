package normalize

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"

	jsoniter "github.com/json-iterator/go"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// requestParams maps request-parameter spellings (OpenInference invocation parameters,
// Langfuse model parameters, snake or camel case) to semconv attributes.
var requestParams = []struct {
	keys   []string
	target string
	kind   byte // 'f' float, 'i' int, 's' stop sequences, 'b' bool, 'n' choice count, 'o' output type
}{
	{[]string{"temperature"}, genai.RequestTemperature, 'f'},
	{[]string{"top_p", "topP"}, genai.RequestTopP, 'f'},
	{[]string{"top_k", "topK"}, genai.RequestTopK, 'f'},
	{[]string{"frequency_penalty", "frequencyPenalty"}, genai.RequestFrequencyPenalty, 'f'},
	{[]string{"presence_penalty", "presencePenalty"}, genai.RequestPresencePenalty, 'f'},
	{[]string{"max_tokens", "max_completion_tokens", "max_output_tokens", "maxTokens", "maxOutputTokens"}, genai.RequestMaxTokens, 'i'},
	{[]string{"seed"}, genai.RequestSeed, 'i'},
	{[]string{"n"}, genai.RequestChoiceCount, 'n'},
	{[]string{"stop", "stop_sequences", "stopSequences"}, genai.RequestStopSequences, 's'},
	{[]string{"stream"}, genai.RequestStream, 'b'},
	{[]string{"response_format"}, genai.OutputType, 'o'},
}

// requestParamsJSON maps a JSON object of request parameters. Values may be numbers or
// numeric strings (Langfuse stringifies them). It reports false when the JSON is not an
// object.
func (s *state) requestParamsJSON(text string) bool {
	members, ok := s.objectMembers(text)
	if !ok {
		var o obj
		if err := jsonAPI.Unmarshal([]byte(text), &o); err != nil || o == nil {
			s.fail()
			return false
		}
		for k, raw := range o {
			members = append(members, member{k, raw})
		}
	}
	for _, p := range requestParams {
		var raw json.RawMessage
		for _, k := range p.keys {
			if r, ok := members.get(k); ok {
				raw = bytes.TrimSpace(r)
				break
			}
		}
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		switch p.kind {
		case 'f':
			if f, ok := jsonFloat(raw); ok {
				s.setDouble(p.target, f)
			} else {
				s.fail()
			}
		case 'i', 'n':
			f, ok := jsonFloat(raw)
			if !ok || f != float64(int64(f)) {
				s.fail()
				continue
			}
			if p.kind == 'n' && f == 1 {
				continue
			}
			s.setInt(p.target, int64(f))
		case 's':
			var one string
			var many []string
			if jsonAPI.Unmarshal(raw, &one) == nil {
				s.setStrs(p.target, one)
			} else if jsonAPI.Unmarshal(raw, &many) == nil {
				s.setStrs(p.target, many...)
			} else {
				s.fail()
			}
		case 'b':
			if b, ok := jsonBool(raw); !ok {
				s.fail()
			} else if b {
				s.setBool(p.target, true)
			}
		case 'o':
			var rf struct {
				Type string `json:"type"`
			}
			if jsonAPI.Unmarshal(raw, &rf) != nil {
				_ = jsonAPI.Unmarshal(raw, &rf.Type)
			}
			if t := outputType(rf.Type); t != "" {
				s.setStr(p.target, t)
			}
		}
	}
	return true
}

// members are the members of a JSON object in document order, values raw.
type members []member

type member struct {
	key string
	raw json.RawMessage
}

// get returns the value of key; of duplicate keys the last wins, as when decoding into
// a map.
func (ms members) get(key string) (json.RawMessage, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].key == key {
			return ms[i].raw, true
		}
	}
	return nil, false
}

// objectMembers splits a JSON object into its members without building a map, capturing
// the values into the state's recycled buffer: request parameters are on most spans of
// some conventions, and a map of raw values cost a dozen allocations. ok is false for
// anything but one well-formed object; the caller then decodes the text the general way,
// which decides what is an error. Values are as a map[string]json.RawMessage decodes
// them: null is nil, others keep the whitespace before them.
func (s *state) objectMembers(text string) (ms members, ok bool) {
	iter := jsonAPI.BorrowIterator([]byte(text))
	defer jsonAPI.ReturnIterator(iter)
	if iter.WhatIsNext() != jsoniter.ObjectValue {
		return nil, false
	}
	iter.ReadObjectCB(func(iter *jsoniter.Iterator, key string) bool {
		if iter.ReadNil() {
			ms = append(ms, member{key, nil})
			return true
		}
		if s.rawArena == nil {
			s.rawArena = make([]byte, 0, 256) // jsoniter cannot capture into a nil slice
		}
		start := len(s.rawArena)
		s.rawArena = iter.SkipAndAppendBytes(s.rawArena)
		ms = append(ms, member{key, s.rawArena[start:len(s.rawArena):len(s.rawArena)]})
		return true
	})
	if iter.Error != nil {
		return nil, false
	}
	iter.WhatIsNext() // only whitespace may follow the object
	return ms, iter.Error == io.EOF
}

// outputType maps an OpenAI response_format type to gen_ai.output.type.
func outputType(format string) string {
	switch format {
	case "json_object", "json_schema", "json":
		return genai.OutputTypeJSON
	case "text":
		return genai.OutputTypeText
	}
	return ""
}

// jsonFloat reads a JSON number, or a string holding one. A JSON number is valid
// ParseFloat syntax, and a numeric string has no escapes, so no decoder is needed.
func jsonFloat(raw json.RawMessage) (float64, bool) {
	f, err := strconv.ParseFloat(string(unquoted(raw)), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// jsonBool reads a JSON boolean, or a string holding one ("true").
func jsonBool(raw json.RawMessage) (b, ok bool) {
	v, err := strconv.ParseBool(string(unquoted(raw)))
	return v, err == nil
}

func unquoted(raw json.RawMessage) []byte {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		return raw[1 : len(raw)-1]
	}
	return raw
}

// toolDefinition is one gen_ai.tool.definitions entry.
type toolDefinition struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// setToolDefinitions encodes definitions (each already JSON) as a JSON array.
func (s *state) setToolDefinitions(defs []json.RawMessage) {
	if len(defs) == 0 || s.has(genai.ToolDefinitions) {
		return
	}
	b, err := json.Marshal(defs)
	if err != nil {
		s.fail()
		return
	}
	s.setStr(genai.ToolDefinitions, string(b))
}

func (d toolDefinition) raw() json.RawMessage {
	b, _ := json.Marshal(d) // strings and valid raw JSON always marshal
	return b
}
