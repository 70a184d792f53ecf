package pricing

import (
	"strconv"
	"testing"
)

var benchUsage = usage(12_000, 800, 9_000, 1_000, 300)

// BenchmarkCostHit is the hot path: a name seen before, served from the cache.
func BenchmarkCostHit(b *testing.B) {
	p := newTestPricer(b, Config{})
	p.Cost("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", benchUsage)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.Cost("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", benchUsage); !ok {
			b.Fatal("unpriced")
		}
	}
}

// BenchmarkLookupHit is the cache hit alone, without computing the cost: it is quoted
// against BenchmarkBaselineMapRead.
func BenchmarkLookupHit(b *testing.B) {
	p := newTestPricer(b, Config{})
	p.Lookup("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.Lookup("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"); !ok {
			b.Fatal("unpriced")
		}
	}
}

func BenchmarkCostHitParallel(b *testing.B) {
	p := newTestPricer(b, Config{})
	p.Cost("openai", "gpt-4o-2024-08-06", benchUsage)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p.Cost("openai", "gpt-4o-2024-08-06", benchUsage)
		}
	})
}

// BenchmarkResolve is the miss path: matching a name against the catalog without the cache.
func BenchmarkResolve(b *testing.B) {
	x := newTestPricer(b, Config{}).current.Load().index
	for _, name := range []string{"gpt-4o", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "unknown-model-2025-01-01"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.resolve("aws.bedrock", name)
			}
		})
	}
}

// BenchmarkCostManyNames cycles through more distinct names than the cache holds (fine-tune
// ids, say), so most calls miss and evict.
func BenchmarkCostManyNames(b *testing.B) {
	p := newTestPricer(b, Config{})
	names := make([]string, 3*DefaultConfig().CacheSize)
	for i := range names {
		names[i] = "ft:gpt-4o-mini-2024-07-18:acme::" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Cost("openai", names[i%len(names)], benchUsage)
		i++
	}
	if n := p.current.Load().cache.len(); n > DefaultConfig().CacheSize {
		b.Fatalf("cache grew to %d entries, limit %d", n, DefaultConfig().CacheSize)
	}
}

// BenchmarkBaselineMapRead is the floor any cached lookup pays: one read of a map keyed by
// the model name. BenchmarkCostHit is quoted against it.
func BenchmarkBaselineMapRead(b *testing.B) {
	m := map[string]*Entry{"us.anthropic.claude-sonnet-4-5-20250929-v1:0": {ID: "x"}}
	b.ReportAllocs()
	for b.Loop() {
		if m["us.anthropic.claude-sonnet-4-5-20250929-v1:0"] == nil {
			b.Fatal("missing")
		}
	}
}
