package redact

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

const (
	cleanTurn = "The deployment of checkout-api failed again with exit code 137 after I bumped the memory request."
	// piiTurn has cleanTurn's length: a fingerprint, not a length, must tell them apart.
	piiTurn = "The deployment of checkout-api failed again, write to ops.lead@example.com on the memory request."
)

func TestCleanCacheRemembersOnlyCleanText(t *testing.T) {
	if len(cleanTurn) != len(piiTurn) {
		t.Fatalf("test texts of %d and %d bytes: want the same length", len(cleanTurn), len(piiTurn))
	}
	r := newRedactor(t, nil)
	for round := range 3 {
		out, _, _, st := r.Text(cleanTurn)
		if out != cleanTurn {
			t.Fatalf("round %d: clean text changed to %q", round, out)
		}
		if wantHits := min(round, 1); st.CleanCacheHits != wantHits || st.CleanCacheMisses != 1-wantHits {
			t.Errorf("round %d clean: %d hits, %d misses", round, st.CleanCacheHits, st.CleanCacheMisses)
		}
		out, found, _, st := r.Text(piiTurn)
		if strings.Contains(out, "ops.lead@example.com") || len(found) != 1 {
			t.Fatalf("round %d: PII text redacted to %q, findings %v", round, out, found)
		}
		if st.CleanCacheHits != 0 || st.CleanCacheMisses != 1 {
			t.Errorf("round %d PII: %d hits, %d misses; a text with findings must never be cached", round, st.CleanCacheHits, st.CleanCacheMisses)
		}
	}
	if n := r.clean.len(); n != 1 {
		t.Errorf("%d cached fingerprints, want 1 (the clean text only)", n)
	}
	short := "Where is my parcel? It was due on Monday."
	for range 2 {
		if _, _, _, st := r.Text(short); st.CleanCacheHits+st.CleanCacheMisses != 0 {
			t.Errorf("a %d-byte text went through the cache (minimum %d)", len(short), minCachedLen)
		}
	}
}

// TestCleanCacheHitsConversationHistory: the second call of a conversation resends the
// system prompt and the first turns inside the message JSON; those leaves are not
// scanned again, the new turn is, and its PII is redacted.
func TestCleanCacheHitsConversationHistory(t *testing.T) {
	system := "You are Acme's support assistant. Answer briefly and politely, cite the order status from the tools."
	answer := "Order #100234567 left our warehouse on 2024-01-12; the carrier expects delivery within 2-3 business days."
	call := func(msgs ...genai.Message) string {
		s, err := genai.MarshalMessages(msgs)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	text := func(role, s string) genai.Message {
		return genai.Message{Role: role, Parts: []genai.Part{genai.TextPart(s)}}
	}
	r := newRedactor(t, nil)
	first := call(text("system", system), text("user", cleanTurn))
	if out, _, _, st := r.Text(first); out != first || st.CleanCacheHits != 0 || st.CleanCacheMisses != 2 {
		t.Fatalf("first call: changed %v, %d hits, %d misses", out != first, st.CleanCacheHits, st.CleanCacheMisses)
	}
	second := call(text("system", system), text("user", cleanTurn), text("assistant", answer), text("user", piiTurn))
	out, found, _, st := r.Text(second)
	if st.CleanCacheHits != 2 || st.CleanCacheMisses != 2 {
		t.Errorf("second call: %d hits, %d misses; want the system prompt and the first turn hit", st.CleanCacheHits, st.CleanCacheMisses)
	}
	if len(found) != 1 || found[0].Path != "$[3].parts[0].content" || strings.Contains(out, "ops.lead@example.com") {
		t.Errorf("second call: findings %v, output %s", found, out)
	}
	if want := strings.Replace(second, "ops.lead@example.com", "<EMAIL>", 1); out != want {
		t.Errorf("second call:\n got %s\nwant %s", out, want)
	}
}

func TestCleanCacheOff(t *testing.T) {
	r := newRedactor(t, func(c *Config) { c.CleanCacheEntries = 0 })
	for range 2 {
		if out, _, _, st := r.Text(cleanTurn); out != cleanTurn || st.CleanCacheHits+st.CleanCacheMisses != 0 {
			t.Fatalf("cache off: output %q, %d hits, %d misses", out, st.CleanCacheHits, st.CleanCacheMisses)
		}
	}
}

// TestCleanCacheBound: however many texts go through, the cache holds at most its
// capacity, which never exceeds the configured number of entries.
func TestCleanCacheBound(t *testing.T) {
	for _, entries := range []int{8, 100, 1000, 1 << 16} {
		c := newCleanCache(entries)
		if c.capacity() > entries || c.capacity() <= entries/2 {
			t.Errorf("%d entries asked: capacity %d", entries, c.capacity())
		}
		for i := range 4 * entries {
			c.add(c.fingerprint(fmt.Sprintf("text %d", i)))
			if i%97 == 0 && c.len() > c.capacity() {
				t.Fatalf("%d entries asked: %d held after %d adds", entries, c.len(), i+1)
			}
		}
		if n := c.len(); n > c.capacity() || n < c.capacity()*3/4 {
			t.Errorf("%d entries asked: %d held, capacity %d", entries, n, c.capacity())
		}
	}
	if newCleanCache(7) != nil || newCleanCache(0) != nil {
		t.Error("a cache smaller than one set was built")
	}
}

// TestCleanCacheEvictsUnusedFirst: in a full set, an entry hit since the clock last
// passed survives the next insertion and the oldest unused one leaves.
func TestCleanCacheEvictsUnusedFirst(t *testing.T) {
	c := newCleanCache(cacheWays) // one set
	var fs []fingerprint
	for i := range cacheWays + 1 {
		fs = append(fs, c.fingerprint(fmt.Sprintf("text %d", i)))
	}
	for _, f := range fs[:cacheWays] {
		c.add(f)
	}
	if !c.contains(fs[0]) {
		t.Fatal("first entry missing from a set that is not over capacity")
	}
	c.add(fs[cacheWays])
	for i, f := range fs {
		if want := i != 1; c.contains(f) != want {
			t.Errorf("entry %d cached %v, want %v", i, !want, want)
		}
	}
}

// TestCleanCacheConcurrent runs batches that share clean history and carry PII from
// several goroutines on one Redactor (as the processor does): no PII ever passes, and
// clean history hits. Run with -race.
func TestCleanCacheConcurrent(t *testing.T) {
	r := newRedactor(t, func(c *Config) { c.CleanCacheEntries = 64 }) // small: evictions race with hits
	const goroutines, batches = 4, 60
	var wg sync.WaitGroup
	hits := make([]int, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for b := range batches {
				td := ptrace.NewTraces()
				spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
				for i := range 10 {
					history := fmt.Sprintf("%s (turn %d of conversation %d)", cleanTurn, i, (g+b)%7)
					msgs, _ := genai.MarshalMessages([]genai.Message{
						{Role: "user", Parts: []genai.Part{genai.TextPart(history)}},
						{Role: "user", Parts: []genai.Part{genai.TextPart(fmt.Sprintf("%s %d", piiTurn, b))}},
					})
					spans.AppendEmpty().Attributes().PutStr(genai.InputMessages, msgs)
				}
				st := r.Traces(td)
				hits[g] += st.CleanCacheHits
				for i := 0; i < spans.Len(); i++ {
					if s := genai.Str(spans.At(i).Attributes(), genai.InputMessages); strings.Contains(s, "@example.com") {
						t.Errorf("goroutine %d batch %d span %d: PII passed: %s", g, b, i, s)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, h := range hits {
		total += h
	}
	if total == 0 {
		t.Error("no cache hits on repeated history")
	}
	if n := r.clean.len(); n > r.clean.capacity() {
		t.Errorf("%d entries held, capacity %d", n, r.clean.capacity())
	}
}

// TestCleanCacheNoTornHits: lookups take no lock, so a lookup racing with writers of
// its set must never match halves of two different fingerprints. Writers keep
// replacing {i, i} entries of one set; readers ask for {i, j}, which was never added.
func TestCleanCacheNoTornHits(t *testing.T) {
	c := newCleanCache(cacheWays) // one set: every write races with every lookup
	const keys, rounds = 16, 20000
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for n := range rounds {
				i := uint64((n*7+w)%keys + 1)
				c.add(fingerprint{i, i})
			}
		})
	}
	torn := 0
	var mu sync.Mutex
	for r := range 2 {
		wg.Go(func() {
			bad := 0
			for n := range rounds {
				i := uint64((n+r)%keys + 1)
				if c.contains(fingerprint{i, i%keys + 1}) {
					bad++
				}
				c.contains(fingerprint{i, i})
			}
			mu.Lock()
			torn += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	if torn > 0 {
		t.Errorf("%d lookups matched a fingerprint never added", torn)
	}
}

// The gate closes on traffic that never repeats, keeps probing, and opens again when
// texts repeat; while it is closed every text is still scanned.
func TestCacheGate(t *testing.T) {
	var g cacheGate
	for range gateWindow {
		if !g.use() {
			t.Fatal("an open gate skipped a text")
		}
		g.record(false)
	}
	if !g.closed.Load() {
		t.Fatal("a window without hits left the gate open")
	}
	used := 0
	for range 1600 {
		if g.use() {
			used++
		}
	}
	if used != 1600/gateProbe {
		t.Fatalf("closed gate let %d of 1600 texts use the cache, want %d", used, 1600/gateProbe)
	}
	for range gateWindow {
		g.record(true)
	}
	if g.closed.Load() {
		t.Fatal("a window of hits left the gate closed")
	}
}
