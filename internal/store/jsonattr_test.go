package store

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

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
