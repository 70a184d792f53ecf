package normalize

import (
	"bytes"
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// anyJSON encodes decoded values by hand for speed; its output must stay byte-identical
// to jsonAPI.Marshal, which earlier releases wrote (goldens and idempotence rely on it).
var anyJSONSeeds = []string{
	`{"b":1,"a":[true,false,null,"x"],"c":{"z":"<&>","y":1.50e3}}`,
	`"line\nbreak\ttab\r\b\f\u0001 \u2028 \u2029 é \"q\" \\"`,
	`{"<key>":"v","&":"w","\u00e9":"x","":""}`,
	`[[],{},[{}],-0,1e-7,12345678901234567890]`,
	`"\ud800 lone surrogate"`,
}

func FuzzAnyJSON(f *testing.F) {
	for _, s := range anyJSONSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var v any
		if jsonAPI.UnmarshalFromString(text, &v) != nil {
			return
		}
		want, err := jsonAPI.Marshal(v)
		if err != nil {
			return
		}
		if got := anyJSON(v); v != nil && !bytes.Equal(got, want) {
			t.Fatalf("anyJSON(%s)\n got %s\nwant %s", text, got, want)
		}
	})
}

func TestAnyJSONInvalidUTF8(t *testing.T) {
	for _, v := range []any{"a\xffb", map[string]any{"k\xff": "v", "a": "b"}, []any{"\xc3"}} {
		want, _ := jsonAPI.Marshal(v)
		if got := anyJSON(v); !bytes.Equal(got, want) {
			t.Errorf("anyJSON(%q) = %s, want %s", v, got, want)
		}
	}
}

// flatNumbers is a map-free fast path for Langfuse usage details: whenever it accepts an
// input, decoding into a map (the general path) must accept it too and agree on every key.
func FuzzFlatNumbers(f *testing.F) {
	for _, s := range []string{`{"input":426,"output":180,"input_cached_tokens":1024}`, `{"input":"12","input":3}`,
		` {"a":1.5e3} `, `{"a":1}x`, `{"a":{"b":1}}`, `null`, `{"a":null}`, `{"a\u0062":1}`, `{"a":1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs, ok := flatNumbers(text)
		if !ok {
			return
		}
		var m map[string]json.Number
		if err := jsonAPI.Unmarshal([]byte(text), &m); err != nil {
			t.Fatalf("flatNumbers accepted %q, the map decoder did not: %v", text, err)
		}
		for k, want := range m {
			if got, _ := fs.get(k); got != want {
				t.Fatalf("%q: key %q = %q, want %q", text, k, got, want)
			}
		}
		if len(m) == 0 && len(fs) != 0 {
			t.Fatalf("%q: fields %v, the map decoder found none", text, fs)
		}
	})
}

// objectMembers is a map-free fast path for request parameters: whenever it accepts an
// input, decoding into a map (the general path) must accept it and agree on every key.
func FuzzObjectMembers(f *testing.F) {
	for _, s := range []string{`{"temperature":0.2,"max_tokens":512}`, `{"stop":["a","b"],"n":null,"t":1,"t":2}`,
		` { "response_format" : {"type":"json_object"} } `, `{"a":1}x`, `null`, `[1]`, `{"a":1`, `{"a\u0062":"\u0031"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s := states.Get().(*state)
		defer s.release()
		ms, ok := s.objectMembers(text)
		if !ok {
			return
		}
		var o obj
		if err := jsonAPI.Unmarshal([]byte(text), &o); err != nil || o == nil {
			t.Fatalf("objectMembers accepted %q, the map decoder did not: %v", text, err)
		}
		for k, want := range o {
			if got, _ := ms.get(k); !bytes.Equal(got, want) || (got == nil) != (want == nil) {
				t.Fatalf("%q: key %q = %q, want %q", text, k, got, want)
			}
		}
		if len(o) == 0 && len(ms) != 0 {
			t.Fatalf("%q: members %v, the map decoder found none", text, ms)
		}
	})
}

// vercelPromptFast converts Vercel prompts without decoding them into maps first; whenever
// it accepts a prompt, the general path must accept it without error and produce the
// same system instructions and messages, byte for byte.
func FuzzVercelPromptFast(f *testing.F) {
	for _, s := range []string{
		`[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}]`,
		`[{"role":"assistant","content":[{"type":"tool-call","toolCallId":"c","toolName":"t","input":{"b":1,"a":"<x>"}},{"type":"reasoning","text":"r"}]}]`,
		`[{"role":"tool","content":[{"type":"tool-result","toolCallId":"c","output":{"type":"json","value":{"z":[1,2]}}}]}]`,
		`[{"ROLE":"user","Content":[{"type":"image","image":"https://x/y.png","mediaType":"image/png"},{"type":"file","data":"AAAA","mimeType":"audio/wav"}]}]`,
		`[{"role":"user","content":null},{"role":"system","content":[]},{"role":"system","content":"second"}]`,
		`[{"role":"user","content":[{"type":"text","text":5,"text":"x"}]}]`,
		`[{"role":"user","content":[{"type":"tool-call","input":null,"args":{"a":1}}]}]`,
		`[{"role":"user","content":[{"type":"custom","x":1}]}]`,
		`[{"role":"","content":"x"}]`, `[] x`, `null`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		system, input, ok := vercelPromptFast(text)
		if !ok {
			return
		}
		var msgs []vercelMessage
		if err := jsonAPI.Unmarshal([]byte(text), &msgs); err != nil {
			t.Fatalf("fast path accepted %q, the general decoder did not: %v", text, err)
		}
		s := states.Get().(*state)
		defer s.release()
		wantSystem, wantInput := s.vercelPrompt(msgs)
		if s.errors != 0 {
			t.Fatalf("fast path accepted %q, the general path counted %d errors", text, s.errors)
		}
		if (system == nil) != (wantSystem == nil) || encodeParts(system) != encodeParts(wantSystem) {
			t.Fatalf("%q: system %s, want %s", text, encodeParts(system), encodeParts(wantSystem))
		}
		if (input == nil) != (wantInput == nil) || encodeMessages(input) != encodeMessages(wantInput) {
			t.Fatalf("%q: input %s, want %s", text, encodeMessages(input), encodeMessages(wantInput))
		}
	})
}

// eventMessage reads message-event bodies without the JSON round trip; whenever it
// accepts an event, the round trip must decode the same message.
func FuzzEventMessage(f *testing.F) {
	f.Add("content", "hi", "role", "user")
	f.Add("Content", "<b>é\u2028</b>", "gen_ai.system", "openai")
	f.Add("content", "a", "CONTENT", "b")
	f.Add("tool_call_id", "c1", "id", "x")
	f.Add("refusal", "no", "name", "bob")
	f.Add("content", "bad \xff utf8", "role", "user")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		ev := ptrace.NewSpanEvent()
		ev.Attributes().PutStr(k1, v1)
		ev.Attributes().PutStr(k2, v2)
		got, ok := eventMessage(evUserMessage, ev.Attributes())
		if !ok {
			return
		}
		var want chatMessage
		if err := jsonAPI.Unmarshal(eventBody(ev), &want); err != nil {
			t.Fatalf("eventMessage accepted %v, the JSON body does not decode: %v", ev.Attributes().AsRaw(), err)
		}
		if got.Role != want.Role || got.Content != want.Content || got.Name != want.Name ||
			got.ToolCallID != want.ToolCallID || got.ID != want.ID || got.Refusal != want.Refusal || len(want.ToolCalls) != 0 {
			t.Fatalf("%v: got %+v, want %+v", ev.Attributes().AsRaw(), got, want)
		}
	})
}
