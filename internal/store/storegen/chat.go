package storegen

import (
	"encoding/binary"
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
	c.Span(sp, r, start)
	// What the llm processor adds: throughput, cost (every model at one rate, USD per
	// token: the store does not check prices), and the combined quality score.
	const inPrice, outPrice = 2.5e-6, 10e-6
	a := sp.Attributes()
	in, _ := genai.Int(a, genai.UsageInputTokens)
	out, _ := genai.Int(a, genai.UsageOutputTokens)
	end := sp.EndTimestamp().AsTime()
	a.PutDouble(genai.OutputTokensPerSecond, float64(out)/end.Sub(start).Seconds())
	a.PutDouble(genai.CostInput, float64(in)*inPrice)
	a.PutDouble(genai.CostOutput, float64(out)*outPrice)
	a.PutDouble(genai.CostTotal, float64(in)*inPrice+float64(out)*outPrice)
	a.PutStr(genai.PricingModel, genai.Str(a, genai.ResponseModel))
	a.PutStr(genai.PricingCatalog, "2026-11-28")
	SetQuality(a, 1, "")
}
