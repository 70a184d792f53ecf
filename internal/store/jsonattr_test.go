package store

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

func TestAppendMap(t *testing.T) {
	m := pcommon.NewMap()
	m.PutStr("s", "a\"b\\c\n<tag>&\u2028")
	m.PutInt("i", -42)
	m.PutDouble("d", 0.25)
	m.PutDouble("nan", math.NaN())
	m.PutBool("b", true)
	m.PutEmptyBytes("bytes").FromRaw([]byte{0, 1, 2})
	m.PutEmptySlice("list").AppendEmpty().SetStr("x")
	m.PutEmptyMap("map").PutInt("k", 1)
	m.PutStr(genai.InputMessages, "secret prompt")
	got := string(appendMap(nil, m, isContent))
	var v map[string]any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", got, err)
	}
	if v["s"] != "a\"b\\c\n<tag>&\u2028" || v["i"] != -42.0 || v["d"] != 0.25 || v["nan"] != "NaN" || v["b"] != true ||
		v["bytes"] != "AAEC" || v["list"].([]any)[0] != "x" || v["map"].(map[string]any)["k"] != 1.0 {
		t.Errorf("decoded %v", v)
	}
	if strings.Contains(got, "secret prompt") {
		t.Errorf("content key not skipped: %s", got)
	}
}

// FuzzAppendString: any string becomes valid JSON that decodes to the same text (invalid
// UTF-8 bytes become U+FFFD, as encoding/json does).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\x7f", "\xff\xfe", "emoji 🙂", "\u2028\u2029", "<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := appendString(nil, s)
		var got string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, enc, err)
		}
		// Invalid bytes become U+FFFD one by one; valid text is unchanged.
		if utf8.ValidString(s) && got != s || !utf8.ValidString(got) {
			t.Fatalf("%q round-tripped to %q", s, got)
		}
	})
}
