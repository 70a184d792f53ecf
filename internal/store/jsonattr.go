package store

import (
	"encoding/base64"
	"math"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// appendMap appends attributes as a JSON object. It skips keys for which skip returns
// true. Written by hand because it runs for every stored span: encoding/json via
// Map.AsRaw allocates a map and boxes every value.
func appendMap(b []byte, m pcommon.Map, skip func(string) bool) []byte {
	b = append(b, '{')
	first := true
	for k, v := range m.All() {
		if skip != nil && skip(k) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = genai.AppendJSONIteratorString(b, k)
		b = append(b, ':')
		b = appendValue(b, v)
	}
	return append(b, '}')
}

func appendValue(b []byte, v pcommon.Value) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return genai.AppendJSONIteratorString(b, v.Str())
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(b, v.Int(), 10)
	case pcommon.ValueTypeDouble:
		d := v.Double()
		if math.IsInf(d, 0) || math.IsNaN(d) {
			return genai.AppendJSONIteratorString(b, strconv.FormatFloat(d, 'g', -1, 64))
		}
		return strconv.AppendFloat(b, d, 'g', -1, 64)
	case pcommon.ValueTypeBool:
		return strconv.AppendBool(b, v.Bool())
	case pcommon.ValueTypeBytes:
		return genai.AppendJSONIteratorString(b, base64.StdEncoding.EncodeToString(v.Bytes().AsRaw()))
	case pcommon.ValueTypeMap:
		return appendMap(b, v.Map(), nil)
	case pcommon.ValueTypeSlice:
		b = append(b, '[')
		for i := 0; i < v.Slice().Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, v.Slice().At(i))
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}
