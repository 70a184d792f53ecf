package storegen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/redact/chatcorpus"
)

// ChatOptions shape the traffic of Chat.
type ChatOptions struct {
	Seed  uint64
	Start time.Time     // first call start
	Gap   time.Duration // between call starts
	Calls int
}

// Chat calls emit with batches of batchCalls model calls as the llm processor passes them
// on to the store: one chat span per trace with a random trace id, the conversation's
// messages as content (about 2 KB, the history resent at every call), usage, cost, and the
// quality result the built-in evaluators write. It is the traffic of bench/loadgen's
// conversations corpus; Generate's agent traces carry less content per span.
func Chat(o ChatOptions, batchCalls int, emit func(ptrace.Traces) error) error {
	calls := chatcorpus.Conversations(o.Seed, chatcorpus.Shape{Calls: o.Calls, MinTurns: 5, MaxTurns: 10, PIIShare: 0.2})
	r := rand.New(rand.NewPCG(o.Seed, 0x6a09e667f3bcc909))
	var td ptrace.Traces
	var spans ptrace.SpanSlice
	for i, c := range calls {
		if i%batchCalls == 0 {
			if i > 0 {
				if err := emit(td); err != nil {
					return err
				}
			}
			td = ptrace.NewTraces()
			spans = NewResource(td, []string{"support-bot", "platform-copilot", "travel-desk"}[c.Assistant%3])
		}
		chatSpan(spans.AppendEmpty(), r, o.Start.Add(time.Duration(i)*o.Gap), c)
	}
	if len(calls) > 0 {
		return emit(td)
	}
	return nil
}

func chatSpan(sp ptrace.Span, r *rand.Rand, start time.Time, c chatcorpus.Call) {
	var id [16]byte
	binary.LittleEndian.PutUint64(id[:8], r.Uint64())
	binary.LittleEndian.PutUint64(id[8:], r.Uint64())
	sp.SetTraceID(id)
	sp.SetSpanID(pcommon.SpanID(id[:8]))
	m := models[r.IntN(len(models))]
	in, out := int64(300+r.IntN(900)), int64(60+r.IntN(300))
	end := start.Add(time.Duration(400+r.IntN(2600)) * time.Millisecond)
	sp.SetName(genai.OpChat + " " + m.model)
	sp.SetKind(ptrace.SpanKindClient)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	a := sp.Attributes()
	a.PutStr(genai.OperationName, genai.OpChat)
	a.PutStr(genai.ProviderName, m.provider)
	a.PutStr(genai.RequestModel, m.model)
	a.PutDouble(genai.RequestTemperature, 0.2)
	a.PutInt(genai.RequestMaxTokens, 1024)
	a.PutStr(genai.ResponseModel, m.model)
	a.PutStr(genai.ResponseID, fmt.Sprintf("chatcmpl-%016x", r.Uint64()))
	a.PutEmptySlice(genai.ResponseFinishReasons).AppendEmpty().SetStr(genai.FinishStop)
	a.PutInt(genai.UsageInputTokens, in)
	a.PutInt(genai.UsageOutputTokens, out)
	a.PutStr(genai.ConversationID, fmt.Sprintf("conv-%08x", c.Conversation))
	a.PutDouble(genai.OutputTokensPerSecond, float64(out)/end.Sub(start).Seconds())
	a.PutDouble(genai.CostInput, float64(in)*m.in)
	a.PutDouble(genai.CostOutput, float64(out)*m.out)
	a.PutDouble(genai.CostTotal, float64(in)*m.in+float64(out)*m.out)
	a.PutStr(genai.PricingModel, m.model)
	a.PutStr(genai.PricingCatalog, "2026-11-28")
	a.PutStr(genai.InputMessages, c.Input)
	a.PutStr(genai.OutputMessages, c.Output)
	AddEvaluation(sp.Events(), end, genai.EvaluationQuality, 1, "pass", "")
}
