package genai

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
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
		// The json-iterator spelling (the store's) decodes to the same text.
		var fromStd, fromIter string
		iter := AppendJSONIteratorString(nil, s)
		if json.Unmarshal(want, &fromStd) != nil || json.Unmarshal(iter, &fromIter) != nil || fromIter != fromStd {
			t.Fatalf("AppendJSONIteratorString(%q) = %s, which does not decode as %s does", s, iter, want)
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

// skipHTMLSafe must stop at exactly the first byte that needs a look, or the encoder
// would skip a byte to escape or stop for nothing.
func TestSkipHTMLSafe(t *testing.T) {
	firstUnsafe := func(s string, from int) int {
		for i := from; i < len(s); i++ {
			if c := s[i]; c >= utf8.RuneSelf || !htmlSafe[c] {
				return i
			}
		}
		return len(s)
	}
	check := func(s string) {
		t.Helper()
		for from := 0; from <= len(s); from++ {
			if got, want := skipHTMLSafe(s, from), firstUnsafe(s, from); got != want {
				t.Fatalf("skipHTMLSafe(%q, %d) = %d, want %d", s, from, got, want)
			}
		}
	}
	for pos := range 20 {
		for c := range 256 {
			w := []byte("abcdefghijklmnopqrst")
			w[pos] = byte(c)
			check(string(w))
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50000 {
		w := make([]byte, r.IntN(40))
		for i := range w {
			w[i] = byte(0x20 + r.IntN(0x70)) // mostly ASCII, some bytes from 0x80 up
		}
		check(string(w))
	}
}
