package genai

import (
	"encoding/json"
	"reflect"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestPartJSONRoundTrip(t *testing.T) {
	parts := []Part{
		TextPart("hello"),
		{Type: PartReasoning, Content: "thinking"},
		{Type: PartToolCall, ID: "call_1", Name: "get_weather", Arguments: json.RawMessage(`{"location":"Paris","days":[1,2]}`)},
		{Type: PartToolCallResponse, ID: "call_1", Response: json.RawMessage(`"rainy, 57°F"`)},
		{Type: PartBlob, MimeType: "image/png", Modality: "image", Content: "iVBORw0KGgo="},
		{Type: PartFile, Modality: "image", FileID: "file-abc"},
		{Type: PartURI, Modality: "video", URI: "https://example.com/v.mp4"},
		{Type: PartServerToolCall, ID: "s1", Name: "web_search", Extra: map[string]json.RawMessage{"server_tool_call": json.RawMessage(`{"q":"x"}`)}},
	}
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("%s: %v", p.Type, err)
		}
		var got Part
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %v (%s)", p.Type, err, b)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("%s: round trip changed the part:\n got %#v\nwant %#v", p.Type, got, p)
		}
		again, _ := json.Marshal(got)
		if string(again) != string(b) {
			t.Errorf("%s: second encoding differs: %s vs %s", p.Type, again, b)
		}
	}
}

func TestPartStableOrdering(t *testing.T) {
	var p Part
	in := `{"z":1,"modality":"image","a":{"y":2,  "x":1},"type":"custom","content":"c"}`
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	want := `{"type":"custom","content":"c","modality":"image","a":{"y":2,"x":1},"z":1}`
	if string(b) != want {
		t.Fatalf("encoding = %s, want %s (type first, known fields in fixed order, extra keys sorted and compacted)", b, want)
	}
}

func TestToolCallResponseAcceptsResult(t *testing.T) {
	msgs, err := ParseMessages(`[{"role":"tool","parts":[{"type":"tool_call_response","id":"c","result":"rainy"}]}]`)
	if err != nil {
		t.Fatal(err)
	}
	p := msgs[0].Parts[0]
	if string(p.Response) != `"rainy"` || p.Extra != nil {
		t.Fatalf("response = %s, extra = %v; want the v1.41 registry's result read as response", p.Response, p.Extra)
	}
	out, _ := MarshalMessages(msgs)
	if out != `[{"role":"tool","parts":[{"type":"tool_call_response","id":"c","response":"rainy"}]}]` {
		t.Fatalf("re-encoded as %s", out)
	}
	// On other part types "result" is not a known field and is kept as it is.
	var other Part
	if err := json.Unmarshal([]byte(`{"type":"text","content":"x","result":1}`), &other); err != nil {
		t.Fatal(err)
	}
	if other.Response != nil || string(other.Extra["result"]) != "1" {
		t.Fatalf("text part: response %s, extra %v", other.Response, other.Extra)
	}
}

func TestMessagesRoundTripKeepsExtra(t *testing.T) {
	in := `[{"role":"assistant","parts":[{"type":"text","content":"hi"},{"type":"server_tool_call_response","id":"s","server_tool_call_response":{"hits":3}}],"name":"bot","finish_reason":"stop"}]`
	msgs, err := ParseMessages(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := MarshalMessages(msgs)
	if err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Fatalf("round trip:\n got %s\nwant %s", out, in)
	}
}

func TestMarshalMessagesWritesEmptyParts(t *testing.T) {
	out, _ := MarshalMessages([]Message{{Role: "user"}})
	if out != `[{"role":"user","parts":[]}]` {
		t.Fatalf("got %s; parts is required by the schema", out)
	}
	if s, _ := MarshalParts(nil); s != `[]` {
		t.Fatalf("MarshalParts(nil) = %s", s)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	for _, in := range []string{`{"role":"user"}`, `[{"role":"user","parts":[{"content":"no type"}]}]`, `[`, `[{"role":"user","parts":[{"type":3}]}]`} {
		if _, err := ParseMessages(in); err == nil {
			t.Errorf("ParseMessages(%s) accepted malformed input", in)
		}
	}
	if _, err := ParseParts(`[{"type":"text"}, 1]`); err == nil {
		t.Error("ParseParts accepted a non-object part")
	}
}

func TestJSONArguments(t *testing.T) {
	for in, want := range map[string]string{
		`{"a": 1}`: `{"a":1}`,
		`not json`: `"not json"`,
		`[1, 2]`:   `[1,2]`,
		``:         ``,
	} {
		if got := string(JSONArguments(in)); got != want {
			t.Errorf("JSONArguments(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestValueJSON(t *testing.T) {
	v := pcommon.NewValueSlice()
	m := v.Slice().AppendEmpty().SetEmptyMap()
	m.PutStr("role", "user")
	m.PutEmptySlice("parts").AppendEmpty().SetEmptyMap().PutStr("type", "text")
	text, err := ValueJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseMessages(text); err != nil {
		t.Fatalf("structured value did not encode to parseable JSON: %s: %v", text, err)
	}
	if _, err := ValueJSON(pcommon.NewValueInt(1)); err == nil {
		t.Fatal("an int value cannot hold JSON")
	}
}
