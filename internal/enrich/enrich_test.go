package enrich

import (
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
)

// testPricer prices one made-up model: 2 USD per million input tokens, 1 per million
// cached, 8 per million output, so expected costs are easy to check by hand.
func testPricer(t *testing.T) *pricing.Pricer {
	t.Helper()
	in, cached, out := 2.0, 1.0, 8.0
	p, err := pricing.New(pricing.Config{
		DisableEmbedded: true,
		CacheSize:       16,
		Prices: []pricing.ModelPrice{{Model: "test-model", PriceSpec: pricing.PriceSpec{
			Input: &in, CacheRead: &cached, Output: &out,
		}}},
	}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const start = pcommon.Timestamp(1_764_288_000_000_000_000)

func newSpan(durationSeconds float64, attrs map[string]any) ptrace.Span {
	span := ptrace.NewSpan()
	span.SetStartTimestamp(start)
	span.SetEndTimestamp(start + pcommon.Timestamp(durationSeconds*1e9))
	if err := span.Attributes().FromRaw(attrs); err != nil {
		panic(err)
	}
	return span
}

func TestSpanPricing(t *testing.T) {
	tests := []struct {
		name    string
		attrs   map[string]any
		outcome Outcome
		cost    map[string]float64 // expected cost attributes; absent keys must be absent
	}{
		{
			name: "chat with cache read",
			attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "test-model",
				"gen_ai.usage.input_tokens": 1_500_000, "gen_ai.usage.cache_read.input_tokens": 500_000,
				"gen_ai.usage.output_tokens": 250_000},
			outcome: Priced,
			// uncached 1M × 2 = 2; cached 0.5M × 1 = 0.5; output 0.25M × 8 = 2; total 4.5
			cost: map[string]float64{genai.CostInput: 2, genai.CostCacheRead: 0.5, genai.CostOutput: 2, genai.CostTotal: 4.5},
		},
		{
			name: "response model wins over request model",
			attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "alias-unknown",
				"gen_ai.response.model": "test-model", "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 0},
			outcome: Priced,
			cost:    map[string]float64{genai.CostInput: 2, genai.CostOutput: 0, genai.CostTotal: 2},
		},
		{
			name: "unknown model is marked, stale cost removed",
			attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "nobody-prices-me",
				"gen_ai.usage.input_tokens": 10, genai.CostTotal: 1.0},
			outcome: Unpriced,
		},
		{
			name:    "known model without usage gets no cost",
			attrs:   map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "test-model"},
			outcome: NotACall,
		},
		{
			name: "agent spans are never priced",
			attrs: map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.request.model": "test-model",
				"gen_ai.usage.input_tokens": 1000},
			outcome: NotACall,
		},
		{
			name:    "non-GenAI span",
			attrs:   map[string]any{"http.request.method": "GET"},
			outcome: NotACall,
		},
	}
	e := New(testPricer(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := newSpan(1, tt.attrs)
			if got := e.Span(span); got != tt.outcome {
				t.Fatalf("outcome %d, want %d", got, tt.outcome)
			}
			attrs := span.Attributes()
			for _, k := range []string{genai.CostTotal, genai.CostInput, genai.CostOutput, genai.CostCacheRead, genai.CostCacheWrite, genai.CostReasoning} {
				got, present := genai.Float(attrs, k)
				want, expected := tt.cost[k]
				if present != expected || math.Abs(got-want) > 1e-9 {
					t.Errorf("%s = %v (present %v), want %v (present %v)", k, got, present, want, expected)
				}
			}
			_, marked := attrs.Get(genai.Unpriced)
			if marked != (tt.outcome == Unpriced) {
				t.Errorf("%s present = %v for outcome %d", genai.Unpriced, marked, tt.outcome)
			}
			if tt.outcome == Priced {
				if genai.Str(attrs, genai.PricingModel) != "test-model" || genai.Str(attrs, genai.PricingCatalog) == "" {
					t.Errorf("pricing model/catalog not recorded: %v", attrs.AsRaw())
				}
			}
		})
	}
}

func TestPricingDisabled(t *testing.T) {
	span := newSpan(1, map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "test-model",
		"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 10})
	if got := New(nil).Span(span); got != NotACall {
		t.Fatalf("outcome %d with pricing off", got)
	}
	if _, ok := span.Attributes().Get(genai.Unpriced); ok {
		t.Fatal("a call was marked unpriced although pricing is off")
	}
	if _, ok := span.Attributes().Get(genai.OutputTokensPerSecond); !ok {
		t.Fatal("throughput is derived even without pricing")
	}
}

func TestThroughputAndTimeToFirstChunk(t *testing.T) {
	chat := func(extra map[string]any) map[string]any {
		m := map[string]any{"gen_ai.operation.name": "chat", "gen_ai.usage.output_tokens": 300}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		duration float64
		attrs    map[string]any
		events   map[string]float64 // event name → seconds after start
		ttfc     float64            // expected gen_ai.response.time_to_first_chunk; 0 = absent
		tps      float64            // expected output tokens per second; 0 = absent
	}{
		{name: "no stream", duration: 3, attrs: chat(nil), tps: 100},
		{name: "recorded ttfc is kept and excluded from generation time", duration: 3,
			attrs: chat(map[string]any{genai.ResponseTimeToFirstChunk: 1.0}), ttfc: 1, tps: 150},
		{name: "vercel first chunk event", duration: 3, attrs: chat(nil),
			events: map[string]float64{"ai.stream.firstChunk": 0.5, "ai.stream.finish": 3}, ttfc: 0.5, tps: 120},
		{name: "earliest openllmetry chunk event", duration: 4, attrs: chat(nil),
			events: map[string]float64{"llm.content.completion.chunk": 1.0, "gen_ai.content.completion.chunk": 2.0}, ttfc: 1, tps: 100},
		{name: "zero duration gives no throughput", duration: 0, attrs: chat(nil)},
		{name: "no output tokens gives no throughput", duration: 2,
			attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 10}},
	}
	e := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := newSpan(tt.duration, tt.attrs)
			for name, at := range tt.events {
				ev := span.Events().AppendEmpty()
				ev.SetName(name)
				ev.SetTimestamp(start + pcommon.Timestamp(at*1e9))
			}
			e.Span(span)
			got, ok := genai.Float(span.Attributes(), genai.ResponseTimeToFirstChunk)
			if ok != (tt.ttfc != 0) || math.Abs(got-tt.ttfc) > 1e-9 {
				t.Errorf("time to first chunk = %v (present %v), want %v", got, ok, tt.ttfc)
			}
			got, ok = genai.Float(span.Attributes(), genai.OutputTokensPerSecond)
			if ok != (tt.tps != 0) || math.Abs(got-tt.tps) > 1e-9 {
				t.Errorf("output tokens per second = %v (present %v), want %v", got, ok, tt.tps)
			}
		})
	}
}
