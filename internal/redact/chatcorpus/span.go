package chatcorpus

import (
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// models the calls go to: what an instrumentation records of each.
var models = []struct{ provider, request, response, server string }{
	{genai.ProviderOpenAI, "gpt-4o", "gpt-4o-2024-08-06", "api.openai.com"},
	{genai.ProviderOpenAI, "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "api.openai.com"},
	{genai.ProviderAnthropic, "claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022", "api.anthropic.com"},
}

// Span fills sp with the call as an OpenTelemetry GenAI instrumentation reports it: a
// chat span of 0.4–3 s that starts at start, with a model, usage and the call's messages,
// drawn from r. The trace and span ids are left to the caller. The conversation id holds
// a Ref, as the messages do.
func (c Call) Span(sp ptrace.Span, r *rand.Rand, start time.Time) {
	m := models[r.IntN(len(models))]
	sp.SetName(genai.OpChat + " " + m.request)
	sp.SetKind(ptrace.SpanKindClient)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(400+r.IntN(2600)) * time.Millisecond)))
	a := sp.Attributes()
	a.PutStr(genai.OperationName, genai.OpChat)
	a.PutStr(genai.ProviderName, m.provider)
	a.PutStr(genai.RequestModel, m.request)
	a.PutDouble(genai.RequestTemperature, 0.2)
	a.PutInt(genai.RequestMaxTokens, 1024)
	a.PutStr(genai.ResponseModel, m.response)
	a.PutStr(genai.ResponseID, fmt.Sprintf("chatcmpl-%016x", r.Uint64()))
	a.PutEmptySlice(genai.ResponseFinishReasons).AppendEmpty().SetStr(genai.FinishStop)
	a.PutInt(genai.UsageInputTokens, int64(300+r.IntN(900)))
	a.PutInt(genai.UsageOutputTokens, int64(60+r.IntN(300)))
	a.PutStr(genai.ServerAddress, m.server)
	a.PutInt(genai.ServerPort, 443)
	a.PutStr(genai.ConversationID, fmt.Sprintf("conv-%08x-%s", c.Conversation, Ref))
	a.PutStr(genai.InputMessages, c.Input)
	a.PutStr(genai.OutputMessages, c.Output)
}
