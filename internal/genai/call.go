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

// ReadCall reads the semconv attributes of a normalized span into a Call.
func ReadCall(attrs pcommon.Map) Call {
	var c Call
	c.Operation = Str(attrs, OperationName)
	c.Provider = Str(attrs, ProviderName)
	c.RequestModel = Str(attrs, RequestModel)
	c.ResponseModel = Str(attrs, ResponseModel)
	c.ServerAddress = Str(attrs, ServerAddress)
	c.ServerPort, _ = Int(attrs, ServerPort)
	c.ErrorType = Str(attrs, ErrorType)
	c.Conversation = Str(attrs, ConversationID)
	c.User = Str(attrs, UserID)
	c.AgentName = Str(attrs, AgentName)
	c.ToolName = Str(attrs, ToolName)
	c.Usage = ReadUsage(attrs)
	c.TimeToFirstChunk, _ = Float(attrs, ResponseTimeToFirstChunk)
	return c
}

// ReadUsage reads the semconv usage attributes. Negative counts are treated as absent.
func ReadUsage(attrs pcommon.Map) Usage {
	var u Usage
	u.Input, u.HasInput = count(attrs, UsageInputTokens)
	u.Output, u.HasOutput = count(attrs, UsageOutputTokens)
	u.CacheRead, u.HasCacheRead = count(attrs, UsageCacheReadInputTokens)
	u.CacheWrite, u.HasCacheWrite = count(attrs, UsageCacheCreationInputTokens)
	u.Reasoning, u.HasReasoning = count(attrs, UsageReasoningOutputTokens)
	return u
}

func count(attrs pcommon.Map, key string) (int64, bool) {
	n, ok := Int(attrs, key)
	if !ok || n < 0 {
		return 0, false
	}
	return n, true
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
