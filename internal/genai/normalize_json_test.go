package genai

import (
	"encoding/json"
	"testing"
)

// The appenders must write exactly what MarshalMessages / MarshalParts write, so that one
// canonical form exists whichever path produced it.

func TestAppendMessagesJSONMatchesMarshal(t *testing.T) {
	msgs := []Message{
		{Role: "system", Parts: []Part{TextPart("Be <brief> & \"kind\"\n\ttabs \u2028 é 😀 \x01")}},
		{Role: "assistant", Name: "bot", FinishReason: "tool_call", Parts: []Part{
			{Type: PartToolCall, ID: "c", Name: "f", Arguments: json.RawMessage(`{"q": "a<b", "n": [1, 2]}`)},
			{Type: PartToolCallResponse, ID: "c", Response: json.RawMessage(`"ok"`)},
			{Type: PartBlob, MimeType: "image/png", Modality: "image", Content: "AA=="},
			{Type: "server_tool_call", Extra: map[string]json.RawMessage{"z": json.RawMessage(`{"b":1}`), "a": json.RawMessage(`"<x>"`)}},
		}},
		{Role: "user"},
		{Role: "user", Parts: []Part{TextPart(string([]byte{0xff, 'a'}))}},
	}
	want, err := MarshalMessages(msgs)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(AppendMessagesJSON(nil, msgs)); got != want {
		t.Fatalf("AppendMessagesJSON:\n got %s\nwant %s", got, want)
	}
	parts := msgs[1].Parts
	wantParts, _ := MarshalParts(parts)
	if got := string(AppendPartsJSON(nil, parts)); got != wantParts {
		t.Fatalf("AppendPartsJSON:\n got %s\nwant %s", got, wantParts)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("plain")
	f.Add("<a href=\"x\">&amp;</a>\n\u2029\xff")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
		raw := JSONArguments(s)
		p := []Part{{Type: PartToolCall, Arguments: raw}}
		wantParts, err := MarshalParts(p)
		if err != nil {
			return
		}
		if got := string(AppendPartsJSON(nil, p)); got != wantParts {
			t.Fatalf("raw %s: got %s, want %s", raw, got, wantParts)
		}
	})
}

// AppendJSONIteratorString differs from the encoding/json spelling only in \b and \f.
func TestAppendJSONIteratorString(t *testing.T) {
	in := "a\b\f\n<&>\u2028\xff"
	if got, want := string(appendJSONString(nil, in)), `"a\b\f\n\u003c\u0026\u003e\u2028\ufffd"`; got != want {
		t.Errorf("encoding/json spelling: %s, want %s", got, want)
	}
	if got, want := string(AppendJSONIteratorString(nil, in)), `"a\u0008\u000c\n\u003c\u0026\u003e\u2028\ufffd"`; got != want {
		t.Errorf("json-iterator spelling: %s, want %s", got, want)
	}
}
