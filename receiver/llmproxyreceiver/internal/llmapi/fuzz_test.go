package llmapi

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// FuzzParse feeds arbitrary bodies and event streams to every API's parsers: they must
// never panic and whatever they record must be valid semconv message JSON.
func FuzzParse(f *testing.F) {
	// Seed corpus: testdata/fuzz/FuzzParse (real request, response and stream shapes).
	f.Fuzz(func(t *testing.T, apiByte uint8, body []byte) {
		api := API(apiByte%5) + 1
		var c Call
		_ = ParseRequest(api, body, true, &c)
		_ = ParseResponse(api, body, true, &c)
		_ = ErrorType(body)
		s := NewStream(api, true, 256)
		for _, ev := range bytes.Split(body, []byte("\n\n")) {
			ev = bytes.TrimPrefix(ev, []byte("data: "))
			name, data, _ := bytes.Cut(ev, []byte("\n"))
			s.Event(name, bytes.TrimPrefix(data, []byte("data: ")))
			s.Event(nil, ev)
		}
		s.Finish(&c)
		for _, msgs := range [][]genai.Message{c.InputMessages, c.OutputMessages} {
			out, err := genai.MarshalMessages(msgs)
			if err != nil || !json.Valid([]byte(out)) {
				t.Fatalf("messages do not encode to JSON: %v %q", err, out)
			}
		}
		if out, err := genai.MarshalParts(c.SystemInstructions); err != nil || !json.Valid([]byte(out)) {
			t.Fatalf("system instructions do not encode to JSON: %v %q", err, out)
		}
		if c.ToolDefinitions != "" && !json.Valid([]byte(c.ToolDefinitions)) {
			t.Fatalf("tool definitions are not JSON: %q", c.ToolDefinitions)
		}
	})
}
