// Package enrich derives what instrumentations leave out of a normalized GenAI span: the
// cost of the call in USD, the output throughput, and the time to first chunk of a stream
// when only stream events recorded it.
package enrich

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
)

// Outcome says what pricing did with a span.
type Outcome uint8

const (
	// NotACall: the span is not an inference or embeddings call (agents, tools, workflows
	// and non-GenAI spans are not priced, so usage is never counted twice).
	NotACall Outcome = iota
	// Priced: cost attributes were written.
	Priced
	// Unpriced: a model call whose model has no price; marked, never priced at zero.
	Unpriced
)

// Coster prices a call; *pricing.Pricer implements it.
type Coster interface {
	Cost(provider, model string, u genai.Usage) (pricing.Cost, bool)
}

// Enricher adds derived attributes to normalized spans. A nil Coster turns pricing off.
type Enricher struct {
	coster Coster
}

// New returns an Enricher; coster may be nil.
func New(coster Coster) *Enricher { return &Enricher{coster: coster} }

// Span enriches one span in place.
func (e *Enricher) Span(span ptrace.Span) Outcome {
	attrs := span.Attributes()
	op := genai.Str(attrs, genai.OperationName)
	if !genai.IsInference(op) {
		return NotACall
	}
	deriveTimeToFirstChunk(span)
	usage := genai.ReadUsage(attrs)
	deriveThroughput(span, usage)
	if e.coster == nil {
		return NotACall
	}
	return e.price(attrs, usage)
}

func (e *Enricher) price(attrs pcommon.Map, usage genai.Usage) Outcome {
	model := genai.Str(attrs, genai.ResponseModel)
	if model == "" {
		model = genai.Str(attrs, genai.RequestModel)
	}
	cost, ok := e.coster.Cost(genai.Str(attrs, genai.ProviderName), model, usage)
	if !ok {
		removeCost(attrs)
		attrs.PutBool(genai.Unpriced, true)
		return Unpriced
	}
	attrs.Remove(genai.Unpriced)
	if !usage.Any() {
		// A known model but no usage (a failed call, or a stream without usage): nothing
		// to price, and a zero would claim a cost that was never measured.
		removeCost(attrs)
		return NotACall
	}
	attrs.EnsureCapacity(attrs.Len() + 8) // the cost attributes below, in one growth
	attrs.PutDouble(genai.CostTotal, usd(cost.Total))
	attrs.PutDouble(genai.CostInput, usd(cost.Input))
	attrs.PutDouble(genai.CostOutput, usd(cost.Output))
	putNonZero(attrs, genai.CostCacheRead, cost.CacheRead)
	putNonZero(attrs, genai.CostCacheWrite, cost.CacheWrite)
	putNonZero(attrs, genai.CostReasoning, cost.Reasoning)
	attrs.PutStr(genai.PricingModel, cost.Model)
	attrs.PutStr(genai.PricingCatalog, cost.Catalog)
	return Priced
}

// usd rounds a cost to a millionth of a micro-dollar: far below any billing precision,
// and it keeps float noise (0.00034500000000000004) out of what users read and sum.
func usd(v float64) float64 { return math.Round(v*1e12) / 1e12 }

func putNonZero(attrs pcommon.Map, key string, v float64) {
	if v != 0 {
		attrs.PutDouble(key, usd(v))
	} else {
		attrs.Remove(key)
	}
}

func removeCost(attrs pcommon.Map) {
	for _, k := range [...]string{genai.CostTotal, genai.CostInput, genai.CostOutput, genai.CostCacheRead,
		genai.CostCacheWrite, genai.CostReasoning, genai.PricingModel, genai.PricingCatalog} {
		attrs.Remove(k)
	}
}

// deriveThroughput sets output tokens per second over the generation time: the span
// duration less the time to first chunk when a stream recorded it, so that queueing and
// prompt processing do not dilute the figure.
func deriveThroughput(span ptrace.Span, usage genai.Usage) {
	attrs := span.Attributes()
	if !usage.HasOutput || usage.Output == 0 || span.EndTimestamp() <= span.StartTimestamp() {
		return
	}
	seconds := float64(span.EndTimestamp()-span.StartTimestamp()) / 1e9
	if ttfc, ok := genai.Float(attrs, genai.ResponseTimeToFirstChunk); ok && ttfc > 0 && ttfc < seconds {
		seconds -= ttfc
	}
	attrs.PutDouble(genai.OutputTokensPerSecond, float64(usage.Output)/seconds)
}

// firstChunkEvents are span events that streaming instrumentations emit when the first
// chunk arrives (Vercel AI SDK) or for every chunk (OpenLLMetry): the earliest one marks
// the time to first chunk.
var firstChunkEvents = map[string]bool{
	"ai.stream.firstChunk":            true,
	"llm.content.completion.chunk":    true,
	"gen_ai.content.completion.chunk": true,
}

func deriveTimeToFirstChunk(span ptrace.Span) {
	attrs := span.Attributes()
	if _, ok := attrs.Get(genai.ResponseTimeToFirstChunk); ok {
		return
	}
	events := span.Events()
	var first pcommon.Timestamp
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if firstChunkEvents[ev.Name()] && ev.Timestamp() >= span.StartTimestamp() &&
			(first == 0 || ev.Timestamp() < first) {
			first = ev.Timestamp()
		}
	}
	if first != 0 {
		attrs.PutDouble(genai.ResponseTimeToFirstChunk, float64(first-span.StartTimestamp())/1e9)
	}
}
