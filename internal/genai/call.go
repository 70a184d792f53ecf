package genai

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Usage holds token counts of one call with semconv meaning: Input includes cache read
// and cache write, Output includes reasoning. Has* report whether the span carried the
// count, so that an absent count is never confused with zero.
type Usage struct {
	Input, Output, CacheRead, CacheWrite, Reasoning                int64
	HasInput, HasOutput, HasCacheRead, HasCacheWrite, HasReasoning bool
}

// Any reports whether any count is present.
func (u Usage) Any() bool {
	return u.HasInput || u.HasOutput || u.HasCacheRead || u.HasCacheWrite || u.HasReasoning
}

// Call is a typed, read-only view of the GenAI attributes of one normalized span.
type Call struct {
	Operation     string
	Provider      string
	RequestModel  string
	ResponseModel string
	ServerAddress string
	ServerPort    int64
	ErrorType     string
	Conversation  string
	User          string
	AgentName     string
	ToolName      string
	Usage         Usage
	// TimeToFirstChunk is in seconds; zero when absent.
	TimeToFirstChunk float64
}

// Model is the model that served the call: the response model when known, else the
// requested one (a request for "gpt-4o" is served, and billed, as a dated snapshot).
func (c Call) Model() string {
	if c.ResponseModel != "" {
		return c.ResponseModel
	}
	return c.RequestModel
}

// ReadCall reads the semconv attributes of a normalized span into a Call, in one pass
// over the attributes (a pcommon.Map lookup is a linear scan, and a span has dozens).
// Of duplicate keys the first counts, as with Map.Get.
func ReadCall(attrs pcommon.Map) Call {
	var c Call
	var r reader
	attrs.Range(func(k string, v pcommon.Value) bool {
		switch k {
		case OperationName:
			r.str(0, v, &c.Operation)
		case ProviderName:
			r.str(1, v, &c.Provider)
		case RequestModel:
			r.str(2, v, &c.RequestModel)
		case ResponseModel:
			r.str(3, v, &c.ResponseModel)
		case ServerAddress:
			r.str(4, v, &c.ServerAddress)
		case ServerPort:
			if r.first(5) {
				c.ServerPort, _ = ValueInt(v)
			}
		case ErrorType:
			r.str(6, v, &c.ErrorType)
		case ConversationID:
			r.str(7, v, &c.Conversation)
		case UserID:
			r.str(8, v, &c.User)
		case AgentName:
			r.str(9, v, &c.AgentName)
		case ToolName:
			r.str(10, v, &c.ToolName)
		case ResponseTimeToFirstChunk:
			if r.first(11) {
				c.TimeToFirstChunk, _ = ValueFloat(v)
			}
		default:
			r.usage(k, v, &c.Usage)
		}
		return true
	})
	return c
}

// ReadUsage reads the semconv usage attributes in one pass. Negative counts are treated
// as absent.
func ReadUsage(attrs pcommon.Map) Usage {
	var u Usage
	var r reader
	attrs.Range(func(k string, v pcommon.Value) bool {
		r.usage(k, v, &u)
		return true
	})
	return u
}

// reader tracks which keys a one-pass read has seen, so that the first of duplicate
// keys wins as it does with Map.Get. Bits 0–15 are ReadCall's, 16 and up usage counts.
type reader struct{ seen uint32 }

func (r *reader) first(bit uint) bool {
	if r.seen&(1<<bit) != 0 {
		return false
	}
	r.seen |= 1 << bit
	return true
}

func (r *reader) str(bit uint, v pcommon.Value, dst *string) {
	if r.first(bit) && v.Type() == pcommon.ValueTypeStr {
		*dst = v.Str()
	}
}

func (r *reader) usage(k string, v pcommon.Value, u *Usage) {
	switch k {
	case UsageInputTokens:
		r.count(16, v, &u.Input, &u.HasInput)
	case UsageOutputTokens:
		r.count(17, v, &u.Output, &u.HasOutput)
	case UsageCacheReadInputTokens:
		r.count(18, v, &u.CacheRead, &u.HasCacheRead)
	case UsageCacheCreationInputTokens:
		r.count(19, v, &u.CacheWrite, &u.HasCacheWrite)
	case UsageReasoningOutputTokens:
		r.count(20, v, &u.Reasoning, &u.HasReasoning)
	}
}

func (r *reader) count(bit uint, v pcommon.Value, n *int64, has *bool) {
	if !r.first(bit) {
		return
	}
	if c, ok := ValueInt(v); ok && c >= 0 {
		*n, *has = c, true
	}
}

// Str returns a string attribute, or "" when it is absent or not a string.
func Str(attrs pcommon.Map, key string) string {
	v, ok := attrs.Get(key)
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return v.Str()
}

// Int returns an integer attribute. Integral doubles and numeric strings are accepted,
// because instrumentations in dynamic languages send both.
func Int(attrs pcommon.Map, key string) (int64, bool) {
	v, ok := attrs.Get(key)
	if !ok {
		return 0, false
	}
	return ValueInt(v)
}

// ValueInt converts a value to an integer where that is lossless.
func ValueInt(v pcommon.Value) (int64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeDouble:
		d := v.Double()
		if d == float64(int64(d)) {
			return int64(d), true
		}
	case pcommon.ValueTypeStr:
		n, err := strconv.ParseInt(v.Str(), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// Float returns a numeric attribute as a float64 (ints, doubles and numeric strings).
func Float(attrs pcommon.Map, key string) (float64, bool) {
	v, ok := attrs.Get(key)
	if !ok {
		return 0, false
	}
	return ValueFloat(v)
}

// ValueFloat converts a value to a float64.
func ValueFloat(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeStr:
		f, err := strconv.ParseFloat(v.Str(), 64)
		return f, err == nil
	}
	return 0, false
}
