package pricing

import (
	"math"
	"testing"
	"time"
)

var fuzzNow = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// checkLayer asserts what every loaded layer guarantees: finite, non-negative prices, and
// lookups over it that do not panic.
func checkLayer(t *testing.T, l *layer) {
	var entries []*Entry
	for _, es := range l.byName {
		entries = append(entries, es...)
	}
	for _, m := range l.matchers {
		entries = append(entries, m.entry)
	}
	for _, e := range entries {
		for _, p := range allPrices(e) {
			for _, v := range []float64{p.Input, p.Output, p.CacheRead, p.CacheWrite, p.Reasoning} {
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s: bad price %v in %+v", e.ID, v, p)
				}
			}
		}
	}
	x := index{layers: []*layer{l}}
	for _, m := range []string{"gpt-4o", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "models/gemini-2.5-pro", ""} {
		if e := x.resolve("openai", m); e != nil {
			e.ComputeAt(usage(1000, 1000, 10, 10, 10), fuzzNow)
		}
	}
}

// allPrices lists every price set of an entry: base, tiers, windows and their tiers.
func allPrices(e *Entry) []Prices {
	out := []Prices{e.Prices}
	for _, t := range e.Tiers {
		out = append(out, t.Prices)
	}
	for _, w := range e.Windows {
		out = append(out, w.Prices)
		for _, t := range w.Tiers {
			out = append(out, t.Prices)
		}
	}
	return out
}

func FuzzGenAIPrices(f *testing.F) {
	f.Add([]byte(`[{"id":"openai","models":[{"id":"gpt-4o","match":{"or":[{"equals":"gpt-4o"},{"regex":"^gpt-4o-\\d+"}]},"prices":{"input_mtok":2.5,"output_mtok":{"base":10,"tiers":[{"start":200000,"price":15}]}}}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseGenAIPrices(data, "fuzz", fuzzNow)
		if err != nil {
			return
		}
		checkLayer(t, l)
	})
}

func FuzzLiteLLM(f *testing.F) {
	f.Add([]byte(`{"gpt-4o":{"litellm_provider":"openai","input_cost_per_token":2.5e-06,"output_cost_per_token":1e-05,"input_cost_per_token_above_200k_tokens":5e-06}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseLiteLLM(data, "fuzz")
		if err != nil {
			return
		}
		checkLayer(t, l)
	})
}

// FuzzModelName: any name resolves without panicking, and resolution is deterministic.
func FuzzModelName(f *testing.F) {
	for _, s := range []string{"gpt-4o-2024-08-06", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "publishers/google/models/gemini-2.5-pro@001", "claude-3.5-sonnet", "-", "@", ":0", "us.-v1:0"} {
		f.Add("aws.bedrock", s)
	}
	x := index{layers: []*layer{mustEmbedded(f)}}
	f.Fuzz(func(t *testing.T, provider, model string) {
		if x.resolve(provider, model) != x.resolve(provider, model) {
			t.Fatal("resolution is not deterministic")
		}
	})
}

func mustEmbedded(tb testing.TB) *layer {
	c, err := embedded()
	if err != nil {
		tb.Fatal(err)
	}
	return c.layer
}
