package genai

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestReadCall(t *testing.T) {
	attrs := pcommon.NewMap()
	attrs.PutStr(OperationName, "chat")
	attrs.PutStr(ProviderName, "openai")
	attrs.PutStr(RequestModel, "gpt-4o")
	attrs.PutStr(ResponseModel, "gpt-4o-2024-08-06")
	attrs.PutStr(ServerAddress, "api.openai.com")
	attrs.PutStr(ServerPort, "443") // dynamic-language instrumentations send numeric strings
	attrs.PutStr(ErrorType, "timeout")
	attrs.PutStr(ConversationID, "conv-1")
	attrs.PutStr(UserID, "u-1")
	attrs.PutStr(AgentName, "support")
	attrs.PutInt(ToolName, 7) // not a string: read as absent
	attrs.PutDouble(ResponseTimeToFirstChunk, 0.25)
	attrs.PutInt(UsageInputTokens, 1450)
	attrs.PutDouble(UsageOutputTokens, 180) // an integral double is a count
	attrs.PutInt(UsageCacheReadInputTokens, -1)
	attrs.PutStr(UsageReasoningOutputTokens, "12")
	attrs.PutStr("unrelated", "x")

	want := Call{
		Operation: "chat", Provider: "openai", RequestModel: "gpt-4o", ResponseModel: "gpt-4o-2024-08-06",
		ServerAddress: "api.openai.com", ServerPort: 443, ErrorType: "timeout", Conversation: "conv-1",
		User: "u-1", AgentName: "support", TimeToFirstChunk: 0.25,
		Usage: Usage{Input: 1450, HasInput: true, Output: 180, HasOutput: true, Reasoning: 12, HasReasoning: true},
	}
	if got := ReadCall(attrs); got != want {
		t.Errorf("ReadCall:\n got %+v\nwant %+v", got, want)
	}
	if got := ReadUsage(attrs); got != want.Usage {
		t.Errorf("ReadUsage:\n got %+v\nwant %+v", got, want.Usage)
	}
	if got := want.Model(); got != "gpt-4o-2024-08-06" {
		t.Errorf("Model() = %q, want the response model", got)
	}
}

// A map decoded from the wire can repeat a key; readers agree with Map.Get, which
// returns the first occurrence.
func TestReadCallDuplicateKeys(t *testing.T) {
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[
		{"key":"gen_ai.request.model","value":{"stringValue":"first"}},
		{"key":"gen_ai.usage.input_tokens","value":{"stringValue":"not a number"}},
		{"key":"gen_ai.request.model","value":{"stringValue":"second"}},
		{"key":"gen_ai.usage.input_tokens","value":{"intValue":"20"}}]}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	attrs := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	if attrs.Len() != 4 {
		t.Fatalf("want the duplicates kept by the decoder, got %d attributes", attrs.Len())
	}
	c := ReadCall(attrs)
	if c.RequestModel != "first" {
		t.Errorf("RequestModel = %q, want the first occurrence", c.RequestModel)
	}
	if c.Usage.HasInput || ReadUsage(attrs).HasInput {
		t.Errorf("input tokens read from the second occurrence: %+v", c.Usage)
	}
}
